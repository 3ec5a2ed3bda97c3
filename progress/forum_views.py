"""The parent carer forum's pages, and the board's pages for answering its challenges.

* The forum's page (``Can.RESPOND``): the area's published updates, as the
  public sees them, each with what the forum and the board have said, and
  links to acknowledge or challenge it.
* The board's list of the forum's challenges (``Can.VIEW``), and the page
  where an officer replies to one (``Can.APPROVE``).

The forum's representative never reaches an update the public cannot see:
its pages look updates up among the public ones only, so anything else is
"not found".
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from inspections.access import Can, get_area_for_user, get_in_area, user_can
from kit.links import action_url
from kit.versioning import EditConflict

from . import forum
from .forum_forms import ForumReplyForm, ForumResponseForm
from .models import ForumResponse

UPDATES_PER_PAGE = 20
DONE = {
    ForumResponse.Kind.ACKNOWLEDGE: (
        "You acknowledged the update on action {ref}. It now shows on the area’s public page."
    ),
    ForumResponse.Kind.CHALLENGE: (
        "You challenged the update on action {ref}. Your challenge now shows on the area’s public "
        "page, and the board must reply to it."
    ),
}


def forum_url(area, update=None):
    url = reverse("progress:forum", kwargs={"area_slug": area.slug})
    return f"{url}#update-{update.pk}" if update is not None else url


def challenges_url(area):
    return reverse("progress:forum-challenges", kwargs={"area_slug": area.slug})


def _add_service_errors(form, error):
    """A ValidationError from a service, on the form: on its field when it names one."""
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
    else:
        for problem in error.messages:
            form.add_error(None, problem)


@login_required
def forum_page(request, area_slug):
    """The forum's page: the area's published updates, what was said, and what the forum may do."""
    area = get_area_for_user(request, area_slug, Can.RESPOND)
    page = Paginator(forum.forum_updates(area), UPDATES_PER_PAGE).get_page(request.GET.get("page"))
    for update in page:
        update.responses = list(update.forum_responses.all())
        update.can_acknowledge = forum.may_respond(
            update, request.user, ForumResponse.Kind.ACKNOWLEDGE, update.responses
        )
        update.can_challenge = forum.may_respond(
            update, request.user, ForumResponse.Kind.CHALLENGE, update.responses
        )
    waiting = forum.open_challenges(area).count()
    return render(
        request,
        "progress/forum.html",
        {"area": area, "page": page, "updates": list(page), "waiting": waiting},
    )


@login_required
@require_http_methods(["GET", "POST"])
def forum_respond(request, area_slug, pk, kind):
    """The forum acknowledges or challenges one published update."""
    area = get_area_for_user(request, area_slug, Can.RESPOND)
    update = get_in_area(
        request,
        area,
        forum.public_updates().select_related("action__plan__area"),
        area_path="action__plan__area",
        pk=pk,
        need=Can.RESPOND,
    )
    responses = list(update.forum_responses.select_related("reply").order_by("responded_at"))
    back = forum_url(area, update)
    if not forum.may_respond(update, request.user, kind, responses):
        already = (
            forum.ALREADY_ACKNOWLEDGED
            if kind == ForumResponse.Kind.ACKNOWLEDGE
            else forum.ALREADY_CHALLENGED
        )
        messages.info(request, already)
        return redirect(back)
    form = ForumResponseForm(request.POST or None, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            forum.respond(update, kind=kind, text=form.cleaned_data["text"], by=request.user)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, DONE[kind].format(ref=update.action.ref))
            return redirect(back)
    verb = "Acknowledge" if kind == ForumResponse.Kind.ACKNOWLEDGE else "Challenge"
    return render(
        request,
        "progress/forum_respond.html",
        {
            "area": area,
            "update": update,
            "responses": responses,
            "kind": kind,
            "form": form,
            "title": f"{verb} the update on action {update.action.ref}",
            "back_url": back,
        },
    )


@login_required
def forum_challenges(request, area_slug):
    """The board's list of the forum's challenges: those waiting for a reply, then answered ones."""
    area = get_area_for_user(request, area_slug)
    items = list(forum.challenges(area)[:200])
    return render(
        request,
        "progress/forum_challenges.html",
        {
            "area": area,
            "waiting": [c for c in items if c.answered_at is None],
            "answered": [c for c in items if c.answered_at is not None],
            "can_reply": user_can(request.user, area, Can.APPROVE),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def forum_reply(request, area_slug, pk):
    """An officer publishes the board's reply to one of the forum's challenges."""
    area = get_area_for_user(request, area_slug, Can.APPROVE)
    challenge = get_in_area(
        request,
        area,
        ForumResponse.objects.filter(kind=ForumResponse.Kind.CHALLENGE).select_related(
            "update__action", "reply__replied_by"
        ),
        area_path="update__action__plan__area",
        pk=pk,
        need=Can.APPROVE,
    )
    update = challenge.update
    if challenge.answered_at is not None and request.method == "GET":
        messages.info(request, forum.ALREADY_ANSWERED)
        return redirect(challenges_url(area))
    form = ForumReplyForm(request.POST or None, initial={"version": challenge.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            forum.reply(
                challenge,
                text=form.cleaned_data["text"],
                by=request.user,
                expected_version=form.cleaned_data["version"],
                confirmed_wording=form.wording_confirmed,
            )
        except EditConflict as error:
            conflict = error.current.reply
            form.add_error(
                None,
                "Someone else replied to this challenge while you were writing. Your reply has "
                "not been published: a challenge has one reply.",
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Reply published. It now shows under the forum’s challenge on the area’s public "
                f"page, and on action {update.action.ref}.",
            )
            return redirect(action_url(area, update.action) + f"#update-{update.pk}")
    return render(
        request,
        "progress/forum_reply.html",
        {
            "area": area,
            "challenge": challenge,
            "update": update,
            "form": form,
            "conflict_reply": conflict,
            "typed": request.POST.get("text", "") if conflict else "",
            "title": f"Reply to the forum’s challenge on action {update.action.ref}",
            "back_url": challenges_url(area),
        },
        status=409 if conflict else 200,
    )
