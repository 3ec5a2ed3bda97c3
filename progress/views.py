import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.views.decorators.http import require_http_methods

from actions.models import ActionItem
from inspections.access import Can, get_area_for_user, get_in_area, user_can
from kit.editing import edit_record
from kit.links import action_url, records_url
from kit.versioning import EditConflict

from . import files, publishing, report_services, workflow
from .forms import (
    CHECK_WORDING,
    BoardMeetingForm,
    EvidenceForm,
    MeasureForm,
    MeasureValueForm,
    ReportRequestForm,
    TransitionForm,
    UpdateForm,
    YouSaidWeDidForm,
)
from .models import (
    BoardMeeting,
    Evidence,
    Measure,
    MeasureValue,
    ProgressReport,
    ProgressUpdate,
    YouSaidWeDid,
)


def _wording_guidance(request, form):
    """After a draft is saved: a note on the summary's wording, when there is something to say."""
    for item in form.wording_checks:
        check = item.check
        if check.above_level or check.things_to_look_at:
            messages.info(
                request,
                f"{check.summary(item.label)} Edit the draft and use “Check the wording” "
                "to see what to change.",
            )


def _update_page(request, area, form, *, action, title):
    return render(
        request,
        "progress/update_form.html",
        {
            "area": area,
            "action": action,
            "form": form,
            "title": title,
            "back_url": action_url(area, action),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def update_create(request, area_slug, action_pk):
    area = get_area_for_user(request, area_slug, Can.UPDATE)
    action = get_in_area(
        request,
        area,
        ActionItem.objects.select_related("plan"),
        area_path="plan__area",
        pk=action_pk,
    )
    title = f"New update on action {action.ref}"
    # "Check the wording" shows the same page with the check, and saves nothing.
    checking = request.method == "POST" and CHECK_WORDING in request.POST
    form = UpdateForm(request.POST or None, action=action, area=area, checking_wording=checking)
    if request.method == "POST" and not checking and form.is_valid():
        update = form.save(commit=False)
        update.action = action
        workflow.create_update(update, by=request.user)
        messages.success(request, "Draft update saved. Submit it for approval when it is ready.")
        _wording_guidance(request, form)
        return redirect(action_url(area, action) + f"#update-{update.pk}")
    return _update_page(request, area, form, action=action, title=title)


def _update_in_area(request, area, pk, need):
    return get_in_area(
        request,
        area,
        ProgressUpdate.objects.select_related("action__plan__area", "author"),
        area_path="action__plan__area",
        pk=pk,
        need=need,
    )


@login_required
@require_http_methods(["GET", "POST"])
def update_edit(request, area_slug, pk):
    area = get_area_for_user(request, area_slug, Can.UPDATE)
    update = _update_in_area(request, area, pk, Can.UPDATE)
    action = update.action
    try:
        workflow.check(update, request.user, "edit")
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(action_url(area, action) + f"#update-{update.pk}")
    title = f"Edit update on action {action.ref}"
    if request.method == "POST" and CHECK_WORDING in request.POST:
        # The same page with the check of what was typed; nothing is saved.
        form = UpdateForm(
            request.POST, instance=update, action=action, area=area, checking_wording=True
        )
        return _update_page(request, area, form, action=action, title=title)

    def save(obj, form):
        workflow.edit_update(
            obj,
            by=request.user,
            expected_version=form.loaded_version,
            reason=form.reason("Draft edited"),
        )
        _wording_guidance(request, form)

    return edit_record(
        request,
        area=area,
        form_class=UpdateForm,
        instance=update,
        form_kwargs={"action": action},
        title=title,
        back_url=action_url(area, action),
        success_url=action_url(area, action) + f"#update-{update.pk}",
        success_message="Draft update saved.",
        template="progress/update_form.html",
        extra_context={"action": action},
        what="this update",
        save=save,
    )


@login_required
@require_http_methods(["GET", "POST"])
def update_transition(request, area_slug, pk, transition):
    area = get_area_for_user(request, area_slug)
    step = workflow.TRANSITIONS.get(transition)
    if step is None:
        raise Http404("No such step")
    update = _update_in_area(request, area, pk, step.permission)
    action = update.action

    # The page shows the plain-English check of the summary for families; publishing
    # a summary above the reading-age limit needs "Publish anyway" ticked.
    # The approve page also offers "Approve and publish now" (both steps, or neither).
    def bound(data, update):
        return TransitionForm(
            data,
            transition=step,
            update=update,
            offer_publish=transition == "approve",
            initial={"version": update.version},
        )

    form = bound(request.POST or None, update)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["version"] != update.version:
                # Changed since the page was shown: say so, rather than what the
                # change (a return, say) now forbids.
                raise EditConflict(current=update, entries=[])
            if form.publishing_too:
                workflow.approve_and_publish(
                    update,
                    by=request.user,
                    expected_version=form.cleaned_data["version"],
                    reason=form.cleaned_data.get("reason", ""),
                )
            else:
                workflow.apply_transition(
                    update,
                    transition,
                    by=request.user,
                    expected_version=form.cleaned_data["version"],
                    reason=form.cleaned_data.get("reason", ""),
                    publish_at=form.cleaned_data.get("publish_at"),
                    history_note=form.wording_note,
                )
        except EditConflict:
            # Nothing was saved. The page shows the update as it is now, and deciding
            # again is taken on what it now shows (the form holds its current version).
            update = _update_in_area(request, area, pk, step.permission)
            data = request.POST.copy()
            data["version"] = str(update.version)
            form = bound(data, update)
            form.is_valid()
            form.add_error(
                None,
                "Someone else changed this update while you were looking at it. "
                "Nothing has been saved. Check the update again before you decide.",
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            update = _update_in_area(request, area, pk, step.permission)  # nothing was saved
        else:
            done = workflow.APPROVED_AND_PUBLISHED if form.publishing_too else step.done
            messages.success(request, done)
            return redirect(action_url(area, action) + f"#update-{update.pk}")
    return render(
        request,
        "progress/update_transition.html",
        {
            "area": area,
            "action": action,
            "update": update,
            "step": step,
            "form": form,
            "title": f"{step.label}: update on action {action.ref}",
            "back_url": action_url(area, action),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def evidence_upload(request, area_slug, pk):
    area = get_area_for_user(request, area_slug, Can.UPDATE)
    update = _update_in_area(request, area, pk, Can.UPDATE)
    action = update.action
    back = action_url(area, action) + f"#update-{update.pk}"
    try:
        workflow.check(update, request.user, "add_evidence")
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(back)
    form = EvidenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        evidence = form.save(commit=False)
        evidence.original_name = request.FILES["file"].name[:255]
        evidence.content_type = form.checked.content_type
        evidence.size = request.FILES["file"].size
        evidence.file.name = f"upload.{form.checked.extension}"
        try:
            workflow.add_evidence(update, evidence, by=request.user)
        except ValidationError as error:
            # The update was submitted while the file was on its way.
            messages.error(request, error.messages[0])
            return redirect(back)
        messages.success(request, f"Evidence “{evidence.title}” uploaded.")
        return redirect(back)
    return render(
        request,
        "progress/evidence_form.html",
        {
            "area": area,
            "action": action,
            "update": update,
            "form": form,
            "title": f"Add evidence to the update on action {action.ref}",
            "back_url": action_url(area, action),
        },
    )


@login_required
def evidence_download(request, area_slug, pk):
    area = get_area_for_user(request, area_slug)
    evidence = get_in_area(
        request,
        area,
        Evidence.objects.select_related("update__action__plan"),
        area_path="update__action__plan__area",
        pk=pk,
    )
    extension = evidence.file.name.rsplit(".", 1)[-1]
    safe_title = "".join(c if c.isalnum() or c in " -_" else "_" for c in evidence.title)[:80]
    try:
        stored = files.open_evidence(evidence)
    except files.StoredFileUnavailable as problem:
        return files.unavailable_response(request, what="this evidence file", problem=problem)
    return files.download(
        stored,
        filename=f"{safe_title.strip() or 'evidence'}.{extension}",
        content_type=evidence.content_type,
    )


# Board: records editing (measures, values, meetings)


@login_required
@require_http_methods(["GET", "POST"])
def measure_create(request, area_slug):
    area = get_area_for_user(request, area_slug, Can.EDIT)
    return edit_record(
        request,
        area=area,
        form_class=MeasureForm,
        instance=Measure(area=area),
        title="Add a measure",
        back_url=records_url(area, "measures"),
        success_url=lambda measure: records_url(area, f"measure-{measure.pk}"),
        success_message="Measure added.",
    )


def _measure_in_area(request, area, pk):
    return get_in_area(request, area, Measure.objects.all(), area_path="area", pk=pk, need=Can.EDIT)


@login_required
@require_http_methods(["GET", "POST"])
def measure_edit(request, area_slug, pk):
    area = get_area_for_user(request, area_slug, Can.EDIT)
    measure = _measure_in_area(request, area, pk)
    return edit_record(
        request,
        area=area,
        form_class=MeasureForm,
        instance=measure,
        title=f"Edit the measure: {measure.name}",
        back_url=records_url(area, f"measure-{measure.pk}"),
        success_url=records_url(area, f"measure-{measure.pk}"),
        success_message="Measure saved.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def value_create(request, area_slug, measure_pk):
    area = get_area_for_user(request, area_slug, Can.EDIT)
    measure = _measure_in_area(request, area, measure_pk)
    return edit_record(
        request,
        area=area,
        form_class=MeasureValueForm,
        instance=MeasureValue(measure=measure),
        form_kwargs={"measure": measure},
        title=f"Add a value: {measure.name}",
        back_url=records_url(area, f"measure-{measure.pk}"),
        success_url=records_url(area, f"measure-{measure.pk}"),
        success_message="Value added.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def value_edit(request, area_slug, pk):
    area = get_area_for_user(request, area_slug, Can.EDIT)
    value = get_in_area(
        request,
        area,
        MeasureValue.objects.select_related("measure"),
        area_path="measure__area",
        pk=pk,
        need=Can.EDIT,
    )
    measure = value.measure
    return edit_record(
        request,
        area=area,
        form_class=MeasureValueForm,
        instance=value,
        form_kwargs={"measure": measure},
        title=f"Edit a value: {measure.name}",
        back_url=records_url(area, f"measure-{measure.pk}"),
        success_url=records_url(area, f"measure-{measure.pk}"),
        success_message="Value saved.",
    )


def _second_person_publishes(request):
    """``edit_record``'s arguments for a record whose writer may not publish it (two-person rule)."""

    def save(record, form):
        creating = record.pk is None
        publishing.save_public_record(
            record,
            by=request.user,
            reason=form.reason("Created" if creating else "Edited"),
            expected_version=None if creating else form.loaded_version,
        )

    return {"form_kwargs": {"user": request.user}, "save": save}


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request, area_slug):
    area = get_area_for_user(request, area_slug, Can.EDIT)
    return edit_record(
        request,
        area=area,
        form_class=BoardMeetingForm,
        instance=BoardMeeting(area=area),
        **_second_person_publishes(request),
        title="Add a board meeting",
        back_url=records_url(area, "meetings"),
        success_url=lambda meeting: records_url(area, f"meeting-{meeting.pk}"),
        success_message="Board meeting added.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, area_slug, pk):
    area = get_area_for_user(request, area_slug, Can.EDIT)
    meeting = get_in_area(
        request, area, BoardMeeting.objects.all(), area_path="area", pk=pk, need=Can.EDIT
    )
    return edit_record(
        request,
        area=area,
        form_class=BoardMeetingForm,
        instance=meeting,
        **_second_person_publishes(request),
        title=f"Edit the board meeting of {meeting.held_on:%-d %B %Y}",
        back_url=records_url(area, f"meeting-{meeting.pk}"),
        success_url=records_url(area, f"meeting-{meeting.pk}"),
        success_message="Board meeting saved.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def you_said_create(request, area_slug):
    area = get_area_for_user(request, area_slug, Can.EDIT)
    return edit_record(
        request,
        area=area,
        form_class=YouSaidWeDidForm,
        instance=YouSaidWeDid(area=area),
        **_second_person_publishes(request),
        title="Add a “You said, we did” entry",
        back_url=records_url(area, "you-said"),
        success_url=lambda entry: records_url(area, f"you-said-{entry.pk}"),
        success_message="“You said, we did” entry added.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def you_said_edit(request, area_slug, pk):
    area = get_area_for_user(request, area_slug, Can.EDIT)
    entry = get_in_area(
        request, area, YouSaidWeDid.objects.all(), area_path="area", pk=pk, need=Can.EDIT
    )
    return edit_record(
        request,
        area=area,
        form_class=YouSaidWeDidForm,
        instance=entry,
        **_second_person_publishes(request),
        title="Edit a “You said, we did” entry",
        back_url=records_url(area, f"you-said-{entry.pk}"),
        success_url=records_url(area, f"you-said-{entry.pk}"),
        success_message="“You said, we did” entry saved.",
    )


# Board: progress reports


def _report_in_area(request, area, pk, need=Can.VIEW):
    return get_in_area(
        request,
        area,
        ProgressReport.objects.select_related("plan", "requested_by", "published_by"),
        area_path="plan__area",
        pk=pk,
        need=need,
    )


def _report_url(area, report):
    return reverse("progress:report", kwargs={"area_slug": area.slug, "pk": report.pk})


@login_required
@require_http_methods(["GET", "POST"])
def reports(request, area_slug):
    area = get_area_for_user(request, area_slug)
    can_generate = user_can(request.user, area, Can.APPROVE)
    form = ReportRequestForm(request.POST or None, area=area)
    if request.method == "POST":
        if not can_generate:
            raise PermissionDenied("Your role does not allow you to generate reports.")
        if form.is_valid():
            report = report_services.request_report(
                plan=form.cleaned_data["plan"],
                audience=form.cleaned_data["audience"],
                period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"],
                introduction=form.cleaned_data["introduction"],
                by=request.user,
                reason=form.reason("Report requested"),
            )
            for item in form.wording_checks:  # the introduction of a public report
                messages.info(request, item.check.summary(item.label))
            return redirect(_report_url(area, report))
    return render(
        request,
        "progress/reports.html",
        {
            "area": area,
            "form": form,
            "can_generate": can_generate,
            "reports": ProgressReport.objects.filter(plan__area=area)
            .select_related("plan")
            .order_by("-requested_at")[:100],
        },
    )


def _report_as_it_stands(request, area, pk):
    """The report, shown as failed (with "Try again") if its worker stopped mid-render or lost
    its task."""
    report = _report_in_area(request, area, pk)
    waiting = (ProgressReport.State.GENERATING, ProgressReport.State.QUEUED)
    if report.state in waiting and report_services.fail_stale_reports(
        timezone.now(), reports=ProgressReport.objects.filter(pk=report.pk)
    ):
        report = _report_in_area(request, area, pk)
    return report


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request, area_slug, pk):
    area = get_area_for_user(request, area_slug)
    report = _report_as_it_stands(request, area, pk)
    can_publish = user_can(request.user, area, Can.APPROVE)
    error = None
    if request.method == "POST":
        if not can_publish:
            raise PermissionDenied("Your role does not allow you to publish or retry reports.")
        try:
            if request.POST.get("action") == "retry":
                report_services.retry_report(report, by=request.user)
                messages.success(request, "The report is being generated again.")
            else:
                report = report_services.publish_report(report, by=request.user)
                messages.success(request, f"Published as report {report.number}.")
            return redirect(_report_url(area, report))
        except ValidationError as problem:
            error = " ".join(problem.messages)
    working = report.is_being_made
    response = render(
        request,
        "progress/report_detail.html",
        {
            "area": area,
            "report": report,
            "can_publish": can_publish,
            "error": error,
            "working": working,
        },
        status=200 if error is None else 409,
    )
    # No Refresh header: a reload moves a screen reader back to the top of the page.
    # static/portal/init.mjs asks report_status every few seconds and says the new
    # state in the page's live region; without JavaScript the page offers a link.
    return response


@login_required
def report_status(request, area_slug, pk):
    """A report's state as JSON, for the report page to follow while it is made."""
    area = get_area_for_user(request, area_slug)
    report = _report_as_it_stands(request, area, pk)
    response = JsonResponse(
        {
            "state": report.state,
            "label": report.get_state_display(),
            "working": report.is_being_made,
        }
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def report_preview(request, area_slug, pk):
    area = get_area_for_user(request, area_slug)
    report = _report_in_area(request, area, pk)
    if not report.html:
        raise Http404("This report has not been generated yet")
    back = reverse("progress:report", kwargs={"area_slug": area.slug, "pk": report.pk})
    return HttpResponse(preview_page(report.html, back=back))


def preview_page(html, *, back):
    """The stored report HTML as a page of the portal: styled, with a skip link, <main>
    and a way back to ``back``.

    The stored HTML links its stylesheet relative to the static folder (as WeasyPrint
    reads it); a <base> element would fix that but is refused by the site's content
    security policy (base-uri 'none') and would send the contents' #links to the static
    folder, so the links are rewritten instead.
    """
    html = html.replace('href="portal/report.css"', f'href="{static("portal/report.css")}"', 1)
    html = html.replace(
        "</head>",
        f'<link rel="stylesheet" href="{static("portal/report-preview.css")}"></head>',
        1,
    )
    bar = (
        '<a href="#main-content" class="preview-skip-link">Skip to the report</a>'
        '<nav class="preview-bar" aria-label="Preview">'
        f'<a href="{escape(back)}">Back to the report’s page</a>'
        "<p>A preview of the report as a web page. The PDF is the report itself.</p>"
        "</nav>"
        '<main id="main-content" tabindex="-1">'
    )
    html = re.sub(r"<body([^>]*)>", lambda m: f"<body{m.group(1)}>{bar}", html, count=1)
    return html.replace("</body>", "</main></body>", 1)


@login_required
def report_pdf(request, area_slug, pk):
    area = get_area_for_user(request, area_slug)
    report = _report_in_area(request, area, pk)
    if not report.pdf:
        raise Http404("This report has not been generated yet")
    try:
        stored = files.open_report_pdf(report)
    except files.StoredFileUnavailable as problem:
        return files.unavailable_response(request, what="this report", problem=problem)
    return files.download(stored, filename=report_filename(report), content_type="application/pdf")


def report_filename(report):
    kind = "board-pack" if report.audience == ProgressReport.Audience.BOARD else "progress-report"
    number = f"-{report.number}" if report.number else "-draft"
    return f"{report.plan.area.slug}-{kind}{number}.pdf"
