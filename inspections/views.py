from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from progress.charts import measure_display
from progress.models import Evidence, ProgressReport
from send_portal.tabular import csv_response

from . import opendata, public, selectors
from .access import Can, areas_for, get_area_for_user, get_in_area, user_can
from .editing import edit_record
from .forms import FindingForm, InspectionForm, JudgementForm, MemberAddForm, MembershipForm
from .history import person_name
from .models import Finding, Inspection, Judgement, LocalArea, Membership
from .public_cache import cached_public_page


@cached_public_page
def home(request):
    return render(request, "inspections/home.html", {"areas": public.home_areas()})


def _public_area(slug):
    return get_object_or_404(LocalArea, slug=slug)


@cached_public_page
def area(request, slug):
    context = public.area_page(_public_area(slug))
    return render(request, "inspections/area.html", context)


@cached_public_page
def area_finding(request, slug, pk):
    area = _public_area(slug)
    finding = get_object_or_404(
        Finding.objects.select_related("inspection").prefetch_related(
            Prefetch(
                "judgements", queryset=Judgement.objects.select_related("inspection", "review")
            )
        ),
        pk=pk,
        inspection__area=area,
    )
    return render(request, "inspections/area_finding.html", public.finding_page(area, finding))


@cached_public_page
def area_measures(request, slug):
    area = _public_area(slug)
    displays = [
        measure_display(measure, list(measure.values.all()))
        for measure in public.public_measures(area)
    ]
    return render(request, "inspections/area_measures.html", {"area": area, "displays": displays})


@cached_public_page
def area_meetings(request, slug):
    area = _public_area(slug)
    return render(
        request,
        "inspections/area_meetings.html",
        {"area": area, "meetings": public.public_meetings(area)},
    )


@cached_public_page
def area_you_said(request, slug):
    area = _public_area(slug)
    return render(
        request,
        "inspections/area_you_said.html",
        {"area": area, "entries": public.public_you_said_we_did(area)},
    )


@cached_public_page
def accessibility(request):
    return render(
        request,
        "inspections/accessibility.html",
        {
            "portal_operator": settings.PORTAL_OPERATOR,
            "accessibility_email": settings.PORTAL_ACCESSIBILITY_EMAIL,
            "statement_prepared": "22 November 2026",
            "statement_reviewed": "22 November 2026",
        },
    )


def _open_data(response):
    # Open data: any website may read it from a browser script.
    response["Access-Control-Allow-Origin"] = "*"
    return response


@cached_public_page
def area_open_data_csv(request, slug):
    """The area's published progress as CSV (one row per action): see /open-data/."""
    area = _public_area(slug)
    records = opendata.progress_records(area, absolute=request.build_absolute_uri)
    return _open_data(
        csv_response(f"{area.slug}-progress.csv", opendata.COLUMN_NAMES, opendata.csv_rows(records))
    )


@cached_public_page
def area_open_data_json(request, slug):
    """The same rows as the CSV, as JSON, with the file's licence and date."""
    area = _public_area(slug)
    records = opendata.progress_records(area, absolute=request.build_absolute_uri)
    document = opendata.json_document(
        area,
        records,
        documentation=request.build_absolute_uri(reverse("inspections:open-data")),
        generated_at=timezone.now(),
    )
    return _open_data(
        JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    )


@cached_public_page
def open_data(request):
    """What the open data is, its licence, every column, and each area's files."""
    return render(
        request,
        "inspections/open_data.html",
        {
            "columns": opendata.COLUMNS,
            "json_fields": opendata.JSON_FIELDS,
            "licence": opendata.LICENCE,
            "licence_url": opendata.LICENCE_URL,
            "areas": LocalArea.objects.order_by("name"),
        },
    )


@login_required
def board_home(request):
    """The areas I belong to; straight to My area when there is only one."""
    memberships = list(areas_for(request.user))
    if len(memberships) == 1:
        return redirect("actions:my-area", area_slug=memberships[0].area.slug)
    return render(request, "inspections/board_home.html", {"memberships": memberships})


# Board: records editing (inspections, findings, judgements, members)


def records_url(area, anchor=""):
    url = reverse("inspections:records", kwargs={"area_slug": area.slug})
    return f"{url}#{anchor}" if anchor else url


@login_required
def records(request, area_slug):
    """The area's inspections and plans, with links to add and edit them."""
    area = get_area_for_user(request, area_slug, Can.EDIT)
    return render(
        request,
        "inspections/records.html",
        {
            "area": area,
            "can_manage_members": user_can(request.user, area, Can.MANAGE_MEMBERS),
            **selectors.records(area),
        },
    )


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
    if not inspection.judges_findings:
        messages.error(
            request, "Only a revisit or a monitoring inspection gives verdicts on findings."
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


def public_evidence(request, slug, uuid):
    """A public evidence file of a published update; anything else is not found."""
    area = _public_area(slug)
    evidence = get_object_or_404(
        Evidence,
        uuid=uuid,
        visibility=Evidence.Visibility.PUBLIC,
        update__action__plan__area=area,
        update__action__plan__in=public.public_plans(),
        update__in=public.published_updates(),
    )
    extension = evidence.file.name.rsplit(".", 1)[-1]
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=f"{slugify(evidence.title) or 'evidence'}.{extension}",
        content_type=evidence.content_type,
    )


def public_report(request, slug, uuid):
    """A published public report's frozen PDF; nothing else is found here."""
    area = _public_area(slug)
    report = get_object_or_404(
        ProgressReport.objects.select_related("plan__area"),
        uuid=uuid,
        plan__area=area,
        audience=ProgressReport.Audience.PUBLIC,
        state=ProgressReport.State.PUBLISHED,
    )
    return FileResponse(
        report.pdf.open("rb"),
        as_attachment=True,
        filename=f"{area.slug}-progress-report-{report.number}.pdf",
        content_type="application/pdf",
    )
