"""A person's "Email notices" page, and the one-click unsubscribe link in every email."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .forms import PreferencesForm
from .kinds import Kind, about
from .links import read_unsubscribe_token
from .preferences import choices_for, save_choices, set_preference


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    """Choose which emails to get: each kind on or off, saved with the reason in its history."""
    user = request.user
    current = choices_for(user)
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        initial={"kinds": [kind.value for kind, on in current.items() if on]},
    )
    if request.method == "POST" and form.is_valid():
        changed = save_choices(
            user, form.cleaned_data["kinds"], by=user, reason="Chosen on the Email notices page"
        )
        messages.success(
            request,
            "Your choices are saved."
            if changed
            else "Nothing changed: your choices were already saved.",
        )
        return redirect("notices:preferences")
    return render(request, "notices/preferences.html", {"form": form, "email": user.email})


def _user_and_kind(token):
    found = read_unsubscribe_token(token)
    if found is None:
        return None, None
    user_id, kind = found
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    return (user, Kind(kind)) if user is not None else (None, None)


# Mail programs send RFC 8058's one-click POST ("List-Unsubscribe=One-Click")
# without a CSRF token or a session: the signed token is the proof instead.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET: a page with a button (mail scanners follow links; nothing changes). POST: turn it off."""
    user, kind = _user_and_kind(token)
    if user is None:
        return render(request, "notices/unsubscribe_bad_link.html", status=400)
    context = {"kind": kind, "about": about(kind), "email": user.email}
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        set_preference(
            user,
            kind,
            False,
            by=user,
            reason=(
                "Unsubscribed with one click in an email program"
                if one_click
                else "Unsubscribed with the link in an email"
            ),
        )
        return render(request, "notices/unsubscribe_done.html", context)
    return render(request, "notices/unsubscribe.html", context)
