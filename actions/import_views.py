"""Board pages for moving a plan in from a spreadsheet and taking it out again.

Upload, then a preview of every change and problem, then (optionally) a
form to say how columns are read, then confirm. Officers only (Can.EDIT):
the import writes records and the export holds internal narratives.
"""

import datetime
import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from inspections.access import Can, get_area_for_user, get_in_area
from kit.tabular import download_response
from kit.versioning import save_with_history

from . import plan_export
from .import_forms import ColumnsForm, UploadForm
from .models import Plan, PlanImport
from .plan_import import PreviewOutOfDate, analyse, apply
from .spreadsheets import UnsafeFile, read_spreadsheet

KEEP_UNCONFIRMED = datetime.timedelta(days=7)


def plan_for_spreadsheets(request, area_slug, plan_pk):
    """The area and plan of a spreadsheet page, for officers (Can.EDIT) only."""
    area = get_area_for_user(request, area_slug, Can.EDIT)
    plan = get_in_area(
        request,
        area,
        Plan.objects.select_related("area", "responds_to"),
        area_path="area",
        pk=plan_pk,
        need=Can.EDIT,
    )
    return area, plan


def _import_url(plan, name="actions:plan-import", **kwargs):
    return reverse(name, kwargs={"area_slug": plan.area.slug, "plan_pk": plan.pk, **kwargs})


def _forget_old_uploads(plan):
    """Uploads never confirmed are dropped after a week; the log of them stays."""
    PlanImport.objects.filter(
        plan=plan,
        state=PlanImport.State.PREVIEWED,
        uploaded_at__lt=timezone.now() - KEEP_UNCONFIRMED,
    ).update(state=PlanImport.State.DISCARDED, content=b"")


@login_required
@require_http_methods(["GET", "POST"])
def plan_import(request, area_slug, plan_pk):
    area, plan = plan_for_spreadsheets(request, area_slug, plan_pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        _forget_old_uploads(plan)
        upload = save_with_history(
            PlanImport(
                plan=plan,
                uploaded_by=request.user,
                filename=form.filename,
                size=len(form.content),
                sha256=hashlib.sha256(form.content).hexdigest(),
                content=form.content,
            ),
            by=request.user,
            reason="Spreadsheet uploaded",
        )
        return redirect(_import_url(plan, "actions:plan-import-preview", uuid=upload.uuid))
    recent = (
        PlanImport.objects.filter(plan=plan)
        .filter(~Q(state=PlanImport.State.DISCARDED))
        .select_related("uploaded_by")[:10]
    )
    return render(
        request,
        "actions/plan_import.html",
        {
            "area": area,
            "plan": plan,
            "form": form,
            "recent": recent,
            "max_mb": settings.IMPORT_MAX_MB,
        },
    )


def _upload(plan, uuid):
    return get_object_or_404(PlanImport.objects.select_related("uploaded_by"), plan=plan, uuid=uuid)


def _read(upload):
    return read_spreadsheet(bytes(upload.content), upload.filename)


def _summary(analysis):
    return {
        "actions_added": len(analysis.new_actions),
        "actions_changed": len(analysis.changed_actions),
        "milestones_added": len(analysis.new_milestones),
        "milestones_changed": len(analysis.changed_milestones),
        "findings_linked": len(analysis.links),
        "unchanged": analysis.unchanged_actions + analysis.unchanged_milestones,
    }


def _describe(summary):
    parts = []
    for key, one, many in (
        ("actions_added", "action added", "actions added"),
        ("actions_changed", "action changed", "actions changed"),
        ("milestones_added", "milestone added", "milestones added"),
        ("milestones_changed", "milestone changed", "milestones changed"),
        ("findings_linked", "finding linked to the plan", "findings linked to the plan"),
    ):
        count = summary.get(key, 0)
        if count:
            parts.append(f"{count} {one if count == 1 else many}")
    return ", ".join(parts) or "nothing changed"


@login_required
@require_http_methods(["GET", "POST"])
def plan_import_preview(request, area_slug, plan_pk, uuid):
    area, plan = plan_for_spreadsheets(request, area_slug, plan_pk)
    upload = _upload(plan, uuid)
    context = {"area": area, "plan": plan, "upload": upload}
    if upload.state != PlanImport.State.PREVIEWED:
        context["done"] = _describe(upload.summary)
        return render(request, "actions/plan_import_preview.html", context)
    try:
        workbook = _read(upload)
    except UnsafeFile as error:  # the limits may have changed since the upload
        messages.error(request, error.message)
        return redirect(_import_url(plan))
    if request.method == "POST" and request.POST.get("action") == "discard":
        upload.state = PlanImport.State.DISCARDED
        upload.content = b""
        save_with_history(upload, by=request.user, reason="Import abandoned")
        messages.info(request, f"Nothing was imported from {upload.filename}.")
        return redirect(_import_url(plan))
    if request.method == "POST":
        try:
            analysis = apply(
                plan,
                workbook,
                upload.columns,
                by=request.user,
                filename=upload.filename,
                expected_digest=request.POST.get("digest", ""),
            )
        except PreviewOutOfDate:
            context["out_of_date"] = True
        else:
            upload.state = PlanImport.State.IMPORTED
            upload.imported_at = timezone.now()
            upload.summary = _summary(analysis)
            upload.content = b""
            save_with_history(upload, by=request.user, reason="Imported")
            messages.success(
                request, f"Imported from {upload.filename}: {_describe(upload.summary)}."
            )
            url = reverse("board:my-area", kwargs={"area_slug": area.slug})
            return redirect(f"{url}#plan-{plan.pk}")
    analysis = analyse(plan, workbook, upload.columns)
    context["analysis"] = analysis
    status = 409 if context.get("out_of_date") else 200
    return render(request, "actions/plan_import_preview.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def plan_import_columns(request, area_slug, plan_pk, uuid):
    area, plan = plan_for_spreadsheets(request, area_slug, plan_pk)
    upload = _upload(plan, uuid)
    preview_url = _import_url(plan, "actions:plan-import-preview", uuid=upload.uuid)
    if upload.state != PlanImport.State.PREVIEWED:
        return redirect(preview_url)
    try:
        workbook = _read(upload)
    except UnsafeFile as error:
        messages.error(request, error.message)
        return redirect(_import_url(plan))
    form = ColumnsForm(request.POST or None, workbook=workbook, mapping=upload.columns)
    if request.method == "POST" and form.is_valid():
        upload.columns = form.mapping
        save_with_history(upload, by=request.user, reason="Columns chosen")
        return redirect(preview_url)
    return render(
        request,
        "actions/plan_import_columns.html",
        {"area": area, "plan": plan, "upload": upload, "form": form, "back_url": preview_url},
    )


@login_required
def plan_import_template(request, area_slug, plan_pk):
    _area, plan = plan_for_spreadsheets(request, area_slug, plan_pk)
    return download_response(
        plan_export.template_workbook(plan),
        plan_export.filename(plan, "import-template", "xlsx"),
        plan_export.XLSX_TYPE,
    )
