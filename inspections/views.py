"""The board's pages for an area's inspection records: inspections, findings,
verdicts and who has access."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from kit.editing import edit_record
from kit.history import person_name
from kit.links import records_url

from . import services
from .access import Can, get_area_for_user, get_in_area
from .forms import (
    FindingForm,
    InspectionForm,
    InterventionForm,
    JudgementForm,
    MemberAddForm,
    MembershipForm,
)
from .models import Finding, Inspection, Intervention, Judgement, Membership

# Board: records editing (inspections, findings, judgements, members)


@login_required
@require_http_methods(["GET", "POST"])
def inspection_create(request, area_slug):
    area = get_area_for_user(request, area_slug, Can.EDIT)
    return edit_record(
        request,
        area=area,
        form_class=InspectionForm,
        instance=Inspection(area=area),
        title="Add an inspection",
        back_url=records_url(area, "inspections"),
        success_url=lambda inspection: records_url(area, f"inspection-{inspection.pk}"),
        success_message="Inspection added.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspection_edit(request, area_slug, pk):
    area = get_area_for_user(request, area_slug, Can.EDIT)
    inspection = get_in_area(
        request, area, Inspection.objects.all(), area_path="area", pk=pk, need=Can.EDIT
    )
    return edit_record(
        request,
        area=area,
        form_class=InspectionForm,
        instance=inspection,
        title=f"Edit: {_inspection_name(inspection)}",
        back_url=records_url(area, f"inspection-{inspection.pk}"),
        success_url=records_url(area, f"inspection-{inspection.pk}"),
        success_message="Inspection saved.",
    )


def _inspection_name(inspection):
    return f"{inspection.title}, {inspection.start}" if inspection.start_date else inspection.title


def _inspection_in_area(request, area, pk):
    return get_in_area(
        request, area, Inspection.objects.all(), area_path="area", pk=pk, need=Can.EDIT
    )


@login_required
@require_http_methods(["GET", "POST"])
def finding_create(request, area_slug, inspection_pk):
    area = get_area_for_user(request, area_slug, Can.EDIT)
    inspection = _inspection_in_area(request, area, inspection_pk)
    if inspection.judges_findings:
        messages.error(
            request,
            f"A {inspection.get_kind_display().lower()} gives verdicts on earlier findings; "
            "add its verdicts instead of findings.",
        )
        return redirect(records_url(area, f"inspection-{inspection.pk}"))
    return edit_record(
        request,
        area=area,
        form_class=FindingForm,
        instance=Finding(inspection=inspection),
        form_kwargs={"inspection": inspection},
        title="Add a finding",
        back_url=records_url(area, f"inspection-{inspection.pk}"),
        success_url=lambda finding: records_url(area, f"finding-{finding.pk}"),
        success_message="Finding added.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def finding_edit(request, area_slug, pk):
    area = get_area_for_user(request, area_slug, Can.EDIT)
    finding = get_in_area(
        request,
        area,
        Finding.objects.select_related("inspection"),
        area_path="inspection__area",
        pk=pk,
        need=Can.EDIT,
    )
    return edit_record(
        request,
        area=area,
        form_class=FindingForm,
        instance=finding,
        form_kwargs={"inspection": finding.inspection},
        title=f"Edit {str(finding).lower()}",
        back_url=records_url(area, f"finding-{finding.pk}"),
        success_url=records_url(area, f"finding-{finding.pk}"),
        success_message="Finding saved.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def judgement_create(request, area_slug, inspection_pk):
    area = get_area_for_user(request, area_slug, Can.EDIT)
    inspection = _inspection_in_area(request, area, inspection_pk)
    if not inspection.can_judge_earlier_findings:
        messages.error(
            request,
            "Only a revisit, a monitoring inspection or a 2023 full inspection gives verdicts "
            "on earlier findings.",
        )
        return redirect(records_url(area, f"inspection-{inspection.pk}"))
    return edit_record(
        request,
        area=area,
        form_class=JudgementForm,
        instance=Judgement(inspection=inspection),
        form_kwargs={"inspection": inspection},
        title=f"Add a verdict from the {inspection.get_kind_display().lower()}",
        back_url=records_url(area, f"inspection-{inspection.pk}"),
        success_url=records_url(area, f"inspection-{inspection.pk}"),
        success_message="Verdict added.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def judgement_edit(request, area_slug, pk):
    area = get_area_for_user(request, area_slug, Can.EDIT)
    # Verdicts from DfE reviews are kept in the admin; only inspections' verdicts are edited here.
    judgement = get_in_area(
        request,
        area,
        Judgement.objects.filter(inspection__isnull=False).select_related("inspection", "finding"),
        area_path="inspection__area",
        pk=pk,
        need=Can.EDIT,
    )
    inspection = judgement.inspection
    return edit_record(
        request,
        area=area,
        form_class=JudgementForm,
        instance=judgement,
        form_kwargs={"inspection": inspection},
        title=f"Edit a verdict from the {inspection.get_kind_display().lower()}",
        back_url=records_url(area, f"inspection-{inspection.pk}"),
        success_url=records_url(area, f"inspection-{inspection.pk}"),
        success_message="Verdict saved.",
    )


def _save_intervention(request):
    def save(intervention, form):
        services.save_intervention(
            intervention,
            findings=form.cleaned_data.get("findings") or [],
            by=request.user,
            reason=form.reason("Created" if form.instance._state.adding else "Edited"),
            expected_version=None if intervention._state.adding else form.loaded_version,
        )

    return save


@login_required
@require_http_methods(["GET", "POST"])
def intervention_create(request, area_slug):
    area = get_area_for_user(request, area_slug, Can.EDIT)
    return edit_record(
        request,
        area=area,
        form_class=InterventionForm,
        instance=Intervention(area=area),
        title="Add an intervention",
        back_url=records_url(area, "interventions"),
        success_url=lambda intervention: records_url(area, f"intervention-{intervention.pk}"),
        success_message="Intervention added.",
        save=_save_intervention(request),
    )


@login_required
@require_http_methods(["GET", "POST"])
def intervention_edit(request, area_slug, pk):
    area = get_area_for_user(request, area_slug, Can.EDIT)
    intervention = get_in_area(
        request, area, Intervention.objects.all(), area_path="area", pk=pk, need=Can.EDIT
    )
    return edit_record(
        request,
        area=area,
        form_class=InterventionForm,
        instance=intervention,
        title=f"Edit: {intervention}",
        back_url=records_url(area, f"intervention-{intervention.pk}"),
        success_url=records_url(area, f"intervention-{intervention.pk}"),
        success_message="Intervention saved.",
        what="this intervention",
        save=_save_intervention(request),
    )


def members_url(area):
    return reverse("inspections:members", kwargs={"area_slug": area.slug})


@login_required
def members(request, area_slug):
    area = get_area_for_user(request, area_slug, Can.MANAGE_MEMBERS)
    return render(
        request,
        "inspections/members.html",
        {
            "area": area,
            "memberships": Membership.objects.filter(area=area)
            .select_related("user", "organisation")
            .order_by("user__last_name", "user__first_name", "user__username"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request, area_slug):
    area = get_area_for_user(request, area_slug, Can.MANAGE_MEMBERS)
    return edit_record(
        request,
        area=area,
        form_class=MemberAddForm,
        instance=Membership(area=area),
        form_kwargs={"editor": request.user},
        title="Add a person to the area",
        back_url=members_url(area),
        success_url=members_url(area),
        success_message="Person added.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request, area_slug, pk):
    area = get_area_for_user(request, area_slug, Can.MANAGE_MEMBERS)
    membership = get_in_area(
        request,
        area,
        Membership.objects.select_related("user"),
        area_path="area",
        pk=pk,
        need=Can.MANAGE_MEMBERS,
    )
    name = person_name(membership.user)
    return edit_record(
        request,
        area=area,
        form_class=MembershipForm,
        instance=membership,
        form_kwargs={"editor": request.user},
        title=f"Change {name}’s role",
        back_url=members_url(area),
        success_url=members_url(area),
        success_message=f"{name}’s role saved.",
    )
