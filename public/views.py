"""The visitors' site: each area's public pages, open data and downloads.

Every view reads through ``public.selectors``, which decides what a visitor
may see, or, for the open data's whole history, through ``public.history``,
which builds each row from public fields only; no view here filters a model
itself. Pages are cached whole for visitors who are not signed in
(``public.cache``).
"""

from django import forms
from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.csrf import csrf_exempt

from inspections.models import LocalArea
from kit.forms import PortalFormMixin, gov_errors
from kit.tabular import csv_response
from progress import files
from progress.charts import measure_display

from . import accessibility as statement_facts
from . import follow, history, opendata, selectors
from . import glossary as glossary_entries
from .cache import cached_public_page


@cached_public_page
def home(request):
    return render(request, "public/home.html", {"areas": selectors.home_rows()})


@cached_public_page
def area(request, slug):
    context = selectors.area_page(selectors.public_area_with_inspections(slug))
    return render(request, "public/area.html", context)


@cached_public_page
def area_finding(request, slug, pk):
    area = selectors.public_area(slug)
    finding = get_object_or_404(selectors.public_findings(area), pk=pk)
    return render(request, "public/area_finding.html", selectors.finding_page(area, finding))


@cached_public_page
def area_measures(request, slug):
    area = selectors.public_area(slug)
    displays = [
        measure_display(measure, list(measure.values.all()))
        for measure in selectors.public_measures(area)
    ]
    return render(request, "public/area_measures.html", {"area": area, "displays": displays})


@cached_public_page
def area_meetings(request, slug):
    area = selectors.public_area(slug)
    return render(
        request,
        "public/area_meetings.html",
        {"area": area, "meetings": selectors.public_meetings(area)},
    )


@cached_public_page
def area_you_said(request, slug):
    area = selectors.public_area(slug)
    return render(
        request,
        "public/area_you_said.html",
        {
            "area": area,
            "entries": selectors.public_you_said_we_did(area),
            "forum_entries": selectors.forum_you_said_we_did(area),
        },
    )


@cached_public_page
def accessibility(request):
    return render(
        request,
        "public/accessibility.html",
        {
            "portal_operator": settings.PORTAL_OPERATOR,
            "accessibility_email": settings.PORTAL_ACCESSIBILITY_EMAIL,
            "statement_prepared": statement_facts.PREPARED,
            "statement_reviewed": statement_facts.REVIEWED,
            "statement_tested": statement_facts.TESTED,
            "pdf_problems": statement_facts.PDF_PROBLEMS,
            "pdf_fix_by": statement_facts.PDF_FIX_BY,
        },
    )


@cached_public_page
def help_page(request):
    """Where to get help: about a child's support, about this website, about signing in."""
    return render(
        request,
        "public/help.html",
        {
            "portal_operator": settings.PORTAL_OPERATOR,
            "contact_email": settings.PORTAL_CONTACT_EMAIL,
            "accessibility_email": settings.PORTAL_ACCESSIBILITY_EMAIL,
            "areas": LocalArea.objects.exclude(local_offer_url="").only(
                "slug", "name", "local_offer_url"
            ),
            "lockout_minutes": round(settings.AXES_COOLOFF_TIME * 60),
        },
    )


@cached_public_page
def glossary(request):
    """What the words on the public pages mean, each with an anchor pages link to."""
    return render(request, "public/glossary.html", {"entries": glossary_entries.ENTRIES})


def _open_data(response):
    # Open data: any website may read it from a browser script.
    response["Access-Control-Allow-Origin"] = "*"
    return response


@cached_public_page
def area_open_data_csv(request, slug):
    """The area's published progress as CSV (one row per action): see /open-data/."""
    area = selectors.public_area(slug)
    records = opendata.progress_records(area, absolute=request.build_absolute_uri)
    return _open_data(
        csv_response(f"{area.slug}-progress.csv", opendata.COLUMN_NAMES, opendata.csv_rows(records))
    )


@cached_public_page
def area_open_data_json(request, slug):
    """The same rows as the CSV, as JSON, with the file's licence and date."""
    area = selectors.public_area(slug)
    records = opendata.progress_records(area, absolute=request.build_absolute_uri)
    document = opendata.json_document(
        area,
        records,
        documentation=request.build_absolute_uri(reverse("public:open-data")),
        generated_at=timezone.now(),
    )
    return _open_data(
        JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    )


@cached_public_page
def area_history_json(request, slug):
    """The area's whole public history as one JSON file, a list for each section."""
    area = selectors.public_area(slug)
    document = opendata.history_document(
        area,
        absolute=request.build_absolute_uri,
        documentation=request.build_absolute_uri(reverse("public:open-data")),
        generated_at=timezone.now(),
    )
    return _open_data(
        JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    )


@cached_public_page
def area_history_csv(request, slug, section):
    """One section of the area's public history (inspections, findings, …) as CSV."""
    found = history.SECTIONS_BY_NAME.get(section)
    if found is None:
        raise Http404("No such open data file.")
    area = selectors.public_area(slug)
    records = history.section_records(
        found, area, absolute=request.build_absolute_uri, today=timezone.localdate()
    )
    return _open_data(
        csv_response(
            f"{area.slug}-{found.file_name}",
            found.column_names,
            opendata.section_csv_rows(found, records),
        )
    )


@cached_public_page
def open_data(request):
    """What the open data is, its licence, every column, and each area's files."""
    return render(
        request,
        "public/open_data.html",
        {
            "columns": opendata.COLUMNS,
            "json_fields": opendata.JSON_FIELDS,
            "history_sections": history.SECTIONS,
            "history_json_fields": opendata.HISTORY_JSON_FIELDS,
            "licence": opendata.LICENCE,
            "licence_url": opendata.LICENCE_URL,
            "areas": selectors.all_areas(),
        },
    )


def public_evidence(request, slug, uuid):
    """A public evidence file of a published update; anything else is not found."""
    area = selectors.public_area(slug)
    evidence = get_object_or_404(selectors.public_evidence(area), uuid=uuid)
    extension = evidence.file.name.rsplit(".", 1)[-1]
    try:
        stored = files.open_evidence(evidence)
    except files.StoredFileUnavailable as problem:
        return files.unavailable_response(request, what="this evidence file", problem=problem)
    return files.download(
        stored,
        filename=f"{slugify(evidence.title) or 'evidence'}.{extension}",
        content_type=evidence.content_type,
        private=False,
    )


def public_report(request, slug, uuid):
    """A published public report's frozen PDF; a withdrawn one is gone (410), saying why."""
    area = selectors.public_area(slug)
    withdrawn = selectors.withdrawn_reports(area).filter(uuid=uuid).first()
    if withdrawn is not None:
        context = {"area": area, "report": withdrawn}
        return render(request, "public/report_withdrawn.html", context, status=410)
    report = get_object_or_404(selectors.published_reports(area), uuid=uuid)
    try:
        stored = files.open_report_pdf(report)
    except files.StoredFileUnavailable as problem:
        return files.unavailable_response(request, what="this report", problem=problem)
    return files.download(
        stored,
        filename=f"{area.slug}-progress-report-{report.number}.pdf",
        content_type="application/pdf",
        private=False,
    )


# Follow an area by email (public.follow): never cached, since each page carries a form.


class FollowForm(PortalFormMixin, forms.Form):
    submit_label = "Send me a link to confirm"

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We will only use it to send you news about this area.",
        error_messages=gov_errors(
            "your email address",
            invalid="Enter an email address in the right format, like name@example.com",
            max_length="The email address must be 254 characters or fewer",
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


def area_follow(request, slug):
    """Ask for email about an area; the next page is the same whoever already follows it."""
    area = selectors.public_area(slug)
    form = FollowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        follow.ask_to_follow(area, form.cleaned_data["email"], now=timezone.now())
        return render(request, "public/follow_check_email.html", {"area": area})
    return render(request, "public/follow.html", {"area": area, "form": form})


def follow_confirm(request, token):
    """The link in the confirmation mail: a button to confirm (a mail scanner's GET changes nothing)."""
    try:
        subscription = follow.pending_for(token)
    except follow.BadLink:
        return render(request, "public/follow_bad_link.html", {"what": "confirm"}, status=404)
    if request.method == "POST":
        subscription = follow.confirm(token, now=timezone.now())
        return render(request, "public/follow_done.html", {"area": subscription.area})
    if subscription.is_confirmed:
        return render(request, "public/follow_done.html", {"area": subscription.area})
    return render(request, "public/follow_confirm.html", {"area": subscription.area})


@csrf_exempt  # one click from a mail client (RFC 8058) carries no CSRF token, and needs none
def follow_stop(request, token):
    """Stop email about an area: a button on the page, or one-click from the mail client."""
    if request.method == "POST":
        stopped = follow.stop(token)
        return render(request, "public/follow_stopped.html", {"stopped": stopped})
    try:
        subscription = follow.subscription_for_stop(token)
    except follow.BadLink:
        return render(request, "public/follow_stopped.html", {"stopped": False})
    return render(request, "public/follow_stop.html", {"area": subscription.area})
