from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from inspections.access import Can, get_area_for_user, get_in_area
from kit.editing import edit_record
from kit.links import action_url, records_url

from . import services
from .forms import ActionForm, MilestoneForm, PlanCreateForm, PlanForm
from .models import ActionItem, Milestone, Plan

# Board: records editing (plans, actions, milestones)


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request, area_slug):
    """A new plan, with the findings it must address brought in (each link in history)."""
    area = get_area_for_user(request, area_slug, Can.EDIT)
    form = PlanCreateForm(request.POST or None, instance=Plan(area=area), area=area)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.create_plan(
                **form.plan_fields(form.save(commit=False)),
                by=request.user,
                reason=form.reason("Created"),
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            count = plan.plan_findings.count()
            messages.success(
                request,
                f"Plan added. It addresses {count} finding{'' if count == 1 else 's'}.",
            )
            if plan.summary_held:
                messages.info(request, _waiting_message(area, plan))
            return redirect(records_url(area, f"plan-{plan.pk}"))
    return render(
        request,
        "board/edit.html",
        {
            "area": area,
            "form": form,
            "title": "Add a plan",
            "back_url": records_url(area, "plans"),
            "conflict": None,
        },
    )


def _waiting_message(area, plan):
    return (
        f"{services.SUMMARY_WRITTEN} The new summary is waiting to be published; until then the "
        "public page shows the summary it showed before."
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, area_slug, pk):
    area = get_area_for_user(request, area_slug, Can.EDIT)
    plan = get_in_area(request, area, Plan.objects.all(), area_path="area", pk=pk, need=Can.EDIT)

    def save(edited, form):
        held = services.save_plan(
            edited,
            by=request.user,
            reason=form.reason("Edited"),
            expected_version=form.loaded_version,
        )
        if held:
            messages.info(request, _waiting_message(area, edited))

    return edit_record(
        request,
        save=save,
        area=area,
        form_class=PlanForm,
        instance=plan,
        title=f"Edit: {plan.title}",
        back_url=records_url(area, f"plan-{plan.pk}"),
        success_url=records_url(area, f"plan-{plan.pk}"),
        success_message="Plan saved.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_summary_publish(request, area_slug, pk):
    """A plan's summary for families waiting to be published: a second officer publishes it."""
    area = get_area_for_user(request, area_slug, Can.EDIT)
    plan = get_in_area(request, area, Plan.objects.all(), area_path="area", pk=pk, need=Can.EDIT)
    back = records_url(area, f"plan-{plan.pk}")
    if request.method == "POST":
        try:
            services.publish_summary(plan, by=request.user)  # PermissionDenied: its writer
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, "Summary for families published.")
        return redirect(back)
    return render(
        request,
        "actions/plan_summary_publish.html",
        {
            "area": area,
            "plan": plan,
            "problem": services.summary_publish_problem(plan, request.user),
            "title": f"Publish the summary for families: {plan.title}",
            "back_url": back,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request, area_slug, plan_pk):
    area = get_area_for_user(request, area_slug, Can.EDIT)
    plan = get_in_area(
        request, area, Plan.objects.all(), area_path="area", pk=plan_pk, need=Can.EDIT
    )
    return edit_record(
        request,
        area=area,
        form_class=ActionForm,
        instance=ActionItem(plan=plan),
        form_kwargs={"plan": plan},
        title=f"Add an action to {plan.title}",
        back_url=reverse("board:my-area", kwargs={"area_slug": area.slug}),
        success_url=lambda action: action_url(area, action),
        success_message="Action added.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request, area_slug, pk):
    area = get_area_for_user(request, area_slug, Can.EDIT)
    action = get_in_area(
        request,
        area,
        ActionItem.objects.select_related("plan"),
        area_path="plan__area",
        pk=pk,
        need=Can.EDIT,
    )
    return edit_record(
        request,
        area=area,
        form_class=ActionForm,
        instance=action,
        form_kwargs={"plan": action.plan},
        title=f"Edit action {action.ref}",
        back_url=action_url(area, action),
        success_url=action_url(area, action),
        success_message="Action saved.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_create(request, area_slug, action_pk):
    area = get_area_for_user(request, area_slug, Can.EDIT)
    action = get_in_area(
        request,
        area,
        ActionItem.objects.select_related("plan"),
        area_path="plan__area",
        pk=action_pk,
        need=Can.EDIT,
    )
    return edit_record(
        request,
        area=area,
        form_class=MilestoneForm,
        instance=Milestone(action=action),
        form_kwargs={"action": action},
        title=f"Add a milestone to action {action.ref}",
        back_url=action_url(area, action, "milestones"),
        success_url=action_url(area, action, "milestones"),
        success_message="Milestone added.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_edit(request, area_slug, pk):
    area = get_area_for_user(request, area_slug, Can.EDIT)
    milestone = get_in_area(
        request,
        area,
        Milestone.objects.select_related("action__plan"),
        area_path="action__plan__area",
        pk=pk,
        need=Can.EDIT,
    )
    action = milestone.action
    return edit_record(
        request,
        area=area,
        form_class=MilestoneForm,
        instance=milestone,
        form_kwargs={"action": action},
        title=f"Edit a milestone of action {action.ref}",
        back_url=action_url(area, action, "milestones"),
        success_url=action_url(area, action, "milestones"),
        success_message="Milestone saved.",
    )
