"""The board's own pages: the areas I belong to, My area, My to-do, an action's
page, the area's records and a plan's exports.

Each brings together an area's inspections, plans and progress, so this app
sits above every domain app (see docs/architecture.md); the pages that edit
one kind of record stay in the app that owns it.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from actions import plan_export
from actions.deadlines import portal_today
from actions.forms import ActionFilterForm, AsAtForm
from actions.import_views import plan_for_spreadsheets
from actions.models import ActionItem
from actions.selectors import is_overdue
from inspections.access import (
    ROLE_PERMISSIONS,
    Can,
    areas_for,
    get_area_for_user,
    get_in_area,
    user_can,
)
from kit.tabular import csv_response, download_response
from progress.forum import responses_by_update
from progress.selectors import latest_reported_updates
from progress.workflow import allowed_steps, may, read_text_writers

from . import selectors


def _area_home(membership):
    """My area for the board; the forum's page for the parent carer forum's representative."""
    if Can.VIEW in ROLE_PERMISSIONS.get(membership.role, ()):
        return reverse("board:my-area", kwargs={"area_slug": membership.area.slug})
    return reverse("progress:forum", kwargs={"area_slug": membership.area.slug})


@login_required
def board_home(request):
    """The areas I belong to; straight to the area's first page when there is only one."""
    memberships = list(areas_for(request.user))
    for membership in memberships:
        membership.home_url = _area_home(membership)
    if len(memberships) == 1:
        return redirect(memberships[0].home_url)
    return render(request, "board/home.html", {"memberships": memberships})


@login_required
def records(request, area_slug):
    """The area's inspections and plans, with links to add and edit them."""
    area = get_area_for_user(request, area_slug, Can.EDIT)
    return render(
        request,
        "board/records.html",
        {
            "area": area,
            "can_manage_members": user_can(request.user, area, Can.MANAGE_MEMBERS),
            **selectors.records(area),
        },
    )


@login_required
def my_area(request, area_slug):
    area = get_area_for_user(request, area_slug)
    findings, organisations = selectors.plan_filters_choices(area)
    form = ActionFilterForm(request.GET or None, findings=findings, organisations=organisations)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    today = portal_today()
    return render(
        request,
        "board/my_area.html",
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
    return render(request, "board/todo.html", {"area": area, **context})


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
    forum_responses = responses_by_update(context["updates"])
    read_text_writers(context["updates"])  # maker-checker: who wrote each, in one query
    for update in context["updates"]:
        update.forum = forum_responses.get(update.pk, [])
        update.transitions = allowed_steps(update, request.user)
        update.can_edit = may(update, request.user, "edit")
        update.can_add_evidence = may(update, request.user, "add_evidence")
        update.can_delete = may(update, request.user, "delete")
    return render(
        request,
        "board/action_detail.html",
        {
            "area": area,
            "action": action,
            "as_at_form": as_at_form,
            "as_at": as_at,
            "today": portal_today(),
            "overdue": is_overdue(action, portal_today()),
            "can_update": user_can(request.user, area, Can.UPDATE),
            "can_edit": user_can(request.user, area, Can.EDIT),
            "can_reply_to_forum": user_can(request.user, area, Can.APPROVE),
            **context,
        },
    )


@login_required
def plan_export_xlsx(request, area_slug, plan_pk):
    _area, plan = plan_for_spreadsheets(request, area_slug, plan_pk)
    return download_response(
        plan_export.export_workbook(plan, by=request.user, updates=latest_reported_updates(plan)),
        plan_export.filename(plan, "plan", "xlsx"),
        plan_export.XLSX_TYPE,
    )


CSV_EXPORTS = {
    "actions": plan_export.actions_csv_rows,
    "milestones": plan_export.milestones_csv_rows,
}


@login_required
def plan_export_csv(request, area_slug, plan_pk, what):
    """The plan's actions or milestones as CSV, with a byte-order mark so Excel reads UTF-8."""
    _area, plan = plan_for_spreadsheets(request, area_slug, plan_pk)
    header, rows = CSV_EXPORTS[what](plan, latest_reported_updates(plan))
    return csv_response(plan_export.filename(plan, what, "csv"), header, rows, byte_order_mark=True)
