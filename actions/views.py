from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from inspections.access import Can, get_area_for_user, get_in_area, user_can
from progress.services import allowed_transitions

from . import selectors
from .deadlines import portal_today
from .forms import ActionFilterForm, AsAtForm
from .models import ActionItem


@login_required
def my_area(request, area_slug):
    area = get_area_for_user(request, area_slug)
    findings, organisations = selectors.plan_filters_choices(area)
    form = ActionFilterForm(request.GET or None, findings=findings, organisations=organisations)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    today = portal_today()
    return render(
        request,
        "actions/my_area.html",
        {
            "area": area,
            "form": form,
            "filtered": any(filters.values()) if filters else False,
            "plan_groups": selectors.my_area(area, today=today, filters=filters),
            "today": today,
            "can_edit": user_can(request.user, area, Can.EDIT),
        },
    )


@login_required
def todo(request, area_slug):
    area = get_area_for_user(request, area_slug)
    context = selectors.todo(area, request.user, today=portal_today())
    return render(request, "actions/todo.html", {"area": area, **context})


@login_required
def action_detail(request, area_slug, pk):
    area = get_area_for_user(request, area_slug)
    action = get_in_area(
        request,
        area,
        ActionItem.objects.select_related(
            "plan__area", "finding__inspection", "lead_organisation", "lead_officer"
        ),
        area_path="plan__area",
        pk=pk,
    )
    as_at_form = AsAtForm(request.GET or None)
    as_at = (
        as_at_form.cleaned_data.get("as_at")
        if as_at_form.is_bound and as_at_form.is_valid()
        else None
    )
    context = selectors.action_page(action, as_at=as_at)
    for update in context["updates"]:
        update.transitions = allowed_transitions(update, request.user)
        update.can_edit = update.state in update.EDITABLE_STATES and (
            update.author_id == request.user.pk or user_can(request.user, area, Can.APPROVE)
        )
    return render(
        request,
        "actions/action_detail.html",
        {
            "area": area,
            "action": action,
            "as_at_form": as_at_form,
            "as_at": as_at,
            "today": portal_today(),
            "overdue": selectors.is_overdue(action, portal_today()),
            "can_update": user_can(request.user, area, Can.UPDATE),
            "can_edit": user_can(request.user, area, Can.EDIT),
            **context,
        },
    )
