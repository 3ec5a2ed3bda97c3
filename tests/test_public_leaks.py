"""Nothing internal reaches the public site, and everything published does.

Two areas are filled with content of every kind, each piece carrying its own
marker: ``LEAK-…`` for what must never be public (internal narratives,
reasons, return reasons, internal minutes and evidence, unpublished and withdrawn updates,
meetings and "You said, we did", non-public measures, draft plans, officers'
and the parent carer forum's names, uploaders' file names, the forum's
responses on updates the public cannot see), ``SHOW-…`` for what must be,
and ``SOON-…`` for an update published from tomorrow (and the forum's
challenge on it). Evidence files carry markers in their
bytes as well as their titles.

A crawler then visits the site as an anonymous visitor, starting from "/" and
following every same-origin link it finds (``href``, ``src``, ``action``):
pages and downloads alike, reading every byte and header it is given. Only
the board, the admin, sign-in and static files are left out. A public page
added later (a CSV or JSON download, a report) is crawled as soon as a public
page links to it, so it is checked without changing this file. Every body is
read as text whatever its content type, so the open data files (CSV and JSON,
linked from each area's page and the open data page) are checked like pages.
"""

import contextlib
import datetime
import gzip
import html
import io
import itertools
import re
import time
import zipfile
import zlib
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.core.cache import cache
from django.core.cache.backends import base as cache_base
from django.core.cache.backends import locmem
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from actions.models import Plan
from inspections.models import (
    Finding,
    Inspection,
    Intervention,
    Judgement,
    Membership,
    ProgressReview,
)
from progress.models import (
    BoardMeeting,
    Evidence,
    ForumReply,
    ForumResponse,
    Measure,
    MeasureValue,
    ProgressReport,
    ProgressUpdate,
    YouSaidWeDid,
)
from progress.report_services import publish_report
from progress.tasks import generate_report
from public.cache import clear_public_cache
from public.history import SECTIONS
from tests.cast import make_user
from tests.factories import (
    make_action,
    make_area,
    make_finding,
    make_inspection,
    make_organisation,
    make_partner,
    make_plan,
)

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"
NOT_PUBLIC = ("/board/", "/admin/", "/accounts/", "/static/")
CRAWL_LIMIT = 500
State = ProgressUpdate.State

# Figures that must never be published: withheld small numbers (3 of 40 meet
# the measure; 38 of 40, so only 2 do not) and a measure that is not public.
FORBIDDEN_FIGURES = {
    "3 of 40 (small numerator)": r"\b3\s*(?:of|/|out of)\s*40\b",
    "7.5% (3 of 40)": r"\b7\.5\s*%",
    "38 of 40 (small complement)": r"\b38\s*(?:of|/|out of)\s*40\b",
    "95% (38 of 40)": r"\b95(?:\.0+)?\s*%",
    "3,40 or 38,40 in a table or CSV": r"(?:^|[,;\t>])\s*(?:3|38)\s*[,;\t]\s*40\s*(?:$|[,;\t<])",
    "numerator 3 or 38 in JSON": r"\"numerator\"\s*:\s*(?:3|38)\b",
    "77 of 91 (a measure that is not public)": r"\b77\s*(?:of|/|out of)\s*91\b",
    "84.6% (a measure that is not public)": r"\b84\.6\s*%",
}


# The site, filled with markers


class Markers:
    """Unique marker strings, sorted by where they may appear.

    Each ends in a fixed-width number and a letter, so no marker is part of
    another.
    """

    def __init__(self):
        self._numbers = itertools.count(1)
        self.public, self.internal, self.scheduled = set(), set(), set()

    def _make(self, kind, what, into):
        marker = f"{kind}-{what}-{next(self._numbers):04d}Q"
        into.add(marker)
        return marker

    def show(self, what):
        """Must appear somewhere public."""
        return self._make("SHOW", what, self.public)

    def leak(self, what):
        """Must appear nowhere public."""
        return self._make("LEAK", what, self.internal)

    def soon(self, what):
        """Must appear only once its publication time has come."""
        return self._make("SOON", what, self.scheduled)


def evidence_file(update, markers, *, visibility, title, content_marker, by):
    content = b"%PDF-1.4\n% " + content_marker.encode() + b"\n%%EOF\n"
    return Evidence.objects.create(
        update=update,
        title=title,
        file=ContentFile(content, name="upload.pdf"),
        # The uploader's file name may carry anything (a child's name): never public.
        original_name=f"{markers.leak('ORIGINAL-FILE-NAME')}.pdf",
        content_type="application/pdf",
        size=len(content),
        visibility=visibility,
        uploaded_by=by,
    )


def make_update(action, markers, label, state, *, quarter, summary, author, **fields):
    """An update whose internal text all carries LEAK markers; ``summary`` is its public summary."""
    start = datetime.date(2025, 3 * quarter - 2, 1)
    end = (start + datetime.timedelta(days=92)).replace(day=1) - datetime.timedelta(days=1)
    if state == State.RETURNED:
        fields.setdefault("return_reason", markers.leak(f"RETURN-REASON-{label}"))
    return ProgressUpdate.objects.create(
        action=action,
        period_start=start,
        period_end=end,
        delivery_status="on_track",
        impact_status="some_evidence",
        narrative=markers.leak(f"NARRATIVE-{label}"),
        public_summary=summary,
        status_change_reason=markers.leak(f"STATUS-REASON-{label}"),
        state=state,
        author=author,
        **fields,
    )


def populate_area(slug, name, markers, *, now):
    """One area with content of every kind, public and not; returns what the tests look up."""
    area = make_area(slug=slug, name=name)
    area.summary = markers.show("AREA-SUMMARY")
    area.save()
    council = make_organisation(slug=f"{slug}-council", name=f"{name} Council")
    make_partner(area=area, organisation=council)
    officer = make_user(
        f"{slug}-officer",
        first_name=markers.leak("OFFICER-FIRST-NAME"),
        last_name=markers.leak("OFFICER-LAST-NAME"),
    )
    author = make_user(
        f"{slug}-author",
        first_name=markers.leak("AUTHOR-FIRST-NAME"),
        last_name=markers.leak("AUTHOR-LAST-NAME"),
    )
    Membership.objects.create(user=officer, area=area, role=Membership.Role.OFFICER)
    Membership.objects.create(user=author, area=area, role=Membership.Role.BOARD_MEMBER)

    # A 2018 inspection, a revisit, and the written statement of action being delivered.
    inspection = make_inspection(
        area=area,
        ref="2018-inspection",
        start="2018-03",
        received="2018-05-14",
        published="2018-05-16",
        outcome=Inspection.Outcome.WSOA_REQUIRED,
    )
    inspection.outcome_text = markers.show("OUTCOME-2018")
    inspection.public_summary = markers.show("INSPECTION-SUMMARY-2018")
    inspection.notes = markers.leak("INSPECTION-NOTES-2018")
    inspection.save()
    findings = []
    for number in (1, 2):
        finding = make_finding(
            inspection=inspection, number=number, text=markers.show(f"FINDING-{number}")
        )
        finding.families_summary = markers.show(f"FAMILIES-{number}")
        finding.save()
        findings.append(finding)
    revisit = make_inspection(
        area=area,
        ref="2019-revisit",
        kind=Inspection.Kind.REVISIT,
        start="2019-11-04",
        outcome=Inspection.Outcome.REVISIT_REPORTED,
    )
    Judgement.objects.create(
        finding=findings[0],
        inspection=revisit,
        verdict=Judgement.Verdict.SUFFICIENT,
        commentary=markers.leak("VERDICT-COMMENTARY"),
    )
    # A government intervention and a review of it: their notes and result are internal.
    notice = Intervention.objects.create(
        area=area,
        ref="improvement-notice",
        kind=Intervention.Kind.IMPROVEMENT_NOTICE,
        covers=markers.show("INTERVENTION-COVERS"),
        public_summary=markers.show("INTERVENTION-SUMMARY"),
        commissioner=markers.show("INTERVENTION-COMMISSIONER"),
        notes=markers.leak("INTERVENTION-NOTES"),
    )
    ProgressReview.objects.create(
        area=area,
        ref="notice-review",
        kind=ProgressReview.Kind.INTERVENTION_REVIEW,
        intervention=notice,
        public_summary=markers.show("REVIEW-SUMMARY"),
        result=markers.leak("REVIEW-RESULT"),
    )
    plan = make_plan(
        inspection=inspection,
        status=Plan.Status.PUBLISHED,
        findings=findings,
        submitted="2018-08-20",
        published="2018-10",
    )
    plan.title = markers.show("PLAN-TITLE")
    plan.public_summary = markers.show("PLAN-SUMMARY")
    plan.save()
    evidence = SimpleNamespace(public=[], scheduled=[], hidden=[], on_draft_plan=[])

    def attach(update, label, *, public_as, internal=True):
        """Public evidence whose markers are ``public_as`` (show, soon or leak), and internal."""
        made = evidence_file(
            update,
            markers,
            visibility=Evidence.Visibility.PUBLIC,
            title=public_as(f"EVIDENCE-TITLE-PUBLIC-{label}"),
            content_marker=public_as(f"EVIDENCE-BYTES-PUBLIC-{label}"),
            by=author,
        )
        if internal:
            evidence.hidden.append(
                evidence_file(
                    update,
                    markers,
                    visibility=Evidence.Visibility.INTERNAL,
                    title=markers.leak(f"EVIDENCE-TITLE-INTERNAL-{label}"),
                    content_marker=markers.leak(f"EVIDENCE-BYTES-INTERNAL-{label}"),
                    by=author,
                )
            )
        return made

    def action_for(finding, ref):
        action = make_action(plan=plan, finding=finding, lead=council, ref=ref)
        action.title = markers.show(f"ACTION-TITLE-{ref}")
        action.public_summary = markers.show(f"ACTION-SUMMARY-{ref}")
        action.lead_officer = officer
        action.save()
        return action

    # For each unpublished state, an action whose newest update is in that
    # state, after a published one: only the published one may show, with
    # its public evidence.
    unpublished_states = [
        ("DRAFT", State.DRAFT, {}),
        ("SUBMITTED", State.SUBMITTED, {"submitted_at": now}),
        ("RETURNED", State.RETURNED, {"submitted_at": now}),
        # Approved, with a publication time already past: approval alone must not publish.
        (
            "APPROVED",
            State.APPROVED,
            {
                "approved_by": officer,
                "approved_at": now,
                "publish_at": now - datetime.timedelta(hours=2),
            },
        ),
        # Published, then withdrawn: only "Withdrawn on DATE: reason" may show in its place.
        (
            "WITHDRAWN",
            State.WITHDRAWN,
            {
                "approved_by": officer,
                "approved_at": now - datetime.timedelta(days=1),
                "publish_at": now - datetime.timedelta(hours=3),
                "withdrawn_at": now - datetime.timedelta(hours=2),
                "withdrawn_by": officer,
                "withdraw_reason": markers.show("WITHDRAW-REASON"),
            },
        ),
    ]
    for number, (label, state, fields) in enumerate(unpublished_states, start=1):
        action = action_for(findings[0], f"1.{number}")
        published = make_update(
            action,
            markers,
            f"PUBLISHED-BEFORE-{label}",
            State.PUBLISHED,
            quarter=1,
            summary=markers.show(f"UPDATE-SUMMARY-PUBLISHED-BEFORE-{label}"),
            author=author,
            approved_by=officer,
            approved_at=now - datetime.timedelta(days=2),
            publish_at=now - datetime.timedelta(hours=1),
        )
        evidence.public.append(
            attach(published, f"PUBLISHED-BEFORE-{label}", public_as=markers.show)
        )
        later = make_update(
            action,
            markers,
            label,
            state,
            quarter=2,
            summary=markers.leak(f"UPDATE-SUMMARY-{label}"),
            author=author,
            **fields,
        )
        evidence.hidden.append(attach(later, label, public_as=markers.leak))
        # The action's own current status follows approval, not publication: internal.
        action.delivery_status = "delivered"
        action.save()

    # Action 2.1: an update published from tomorrow.
    scheduled = make_update(
        action_for(findings[1], "2.1"),
        markers,
        "SCHEDULED",
        State.PUBLISHED,
        quarter=1,
        summary=markers.soon("UPDATE-SUMMARY-SCHEDULED"),
        author=author,
        approved_by=officer,
        approved_at=now,
        publish_at=now + datetime.timedelta(days=1),
    )
    evidence.scheduled.append(attach(scheduled, "SCHEDULED", public_as=markers.soon))

    # A 2025 inspection, and the priority action plan still being written.
    full = make_inspection(
        area=area,
        ref="2025-inspection",
        framework=Inspection.Framework.AREA_SEND_2023,
        start="2025-01-13",
        received="2025-03-03",
        published="2025-03-10",
        outcome=Inspection.Outcome.SYSTEMIC,
    )
    full.outcome_text = markers.show("OUTCOME-2025")
    full.save()
    priority = make_finding(inspection=full, number=1, text=markers.show("FINDING-2025"))
    draft_plan = make_plan(
        inspection=full,
        kind=Plan.Kind.PRIORITY_ACTION,
        status=Plan.Status.DRAFT,
        findings=[priority],
    )
    draft_plan.title = markers.leak("DRAFT-PLAN-TITLE")
    draft_plan.local_name = markers.leak("DRAFT-PLAN-LOCAL-NAME")
    draft_plan.public_summary = markers.leak("DRAFT-PLAN-SUMMARY")
    draft_plan.save()
    draft_action = make_action(plan=draft_plan, finding=priority, lead=council, ref="1.1")
    draft_action.title = markers.leak("DRAFT-PLAN-ACTION-TITLE")
    draft_action.public_summary = markers.leak("DRAFT-PLAN-ACTION-SUMMARY")
    draft_action.save()
    # Even a published update on a plan still being written stays internal.
    draft_plan_update = make_update(
        draft_action,
        markers,
        "ON-DRAFT-PLAN",
        State.PUBLISHED,
        quarter=1,
        summary=markers.leak("UPDATE-SUMMARY-ON-DRAFT-PLAN"),
        author=author,
        approved_by=officer,
        publish_at=now - datetime.timedelta(days=1),
    )
    draft_plan_evidence = evidence_file(
        draft_plan_update,
        markers,
        visibility=Evidence.Visibility.PUBLIC,
        title=markers.leak("EVIDENCE-TITLE-ON-DRAFT-PLAN"),
        content_marker=markers.leak("EVIDENCE-BYTES-ON-DRAFT-PLAN"),
        by=author,
    )

    # Measures: public, with figures to show and figures to withhold; and one not public.
    rate = Measure.objects.create(
        area=area,
        plan=plan,
        slug="timely-plans",
        name=markers.show("MEASURE-NAME-PUBLIC"),
        definition=markers.show("MEASURE-DEFINITION-PUBLIC"),
        source="Council case management system",
        unit=Measure.Unit.PERCENT,
        target=60,
        national_comparator=50,
    )
    for period_end, numerator, denominator in [
        (datetime.date(2025, 3, 31), 31, 67),  # 46.3%: shown
        (datetime.date(2025, 6, 30), 3, 40),  # a small numerator: withheld
        (datetime.date(2025, 9, 30), 38, 40),  # a small complement: withheld
        (datetime.date(2025, 12, 31), 45, 60),  # 75.0%: shown
    ]:
        MeasureValue.objects.create(
            measure=rate, period_end=period_end, numerator=numerator, denominator=denominator
        )
    count = Measure.objects.create(
        area=area,
        slug="tribunal-appeals",
        name=markers.show("MEASURE-NAME-COUNT"),
        definition="Appeals registered in the quarter.",
        source="Tribunal statistics",
        unit=Measure.Unit.COUNT,
        higher_is_better=False,
    )
    MeasureValue.objects.create(measure=count, period_end=datetime.date(2025, 3, 31), value=12)
    MeasureValue.objects.create(measure=count, period_end=datetime.date(2025, 6, 30), value=2)
    hidden_measure = Measure.objects.create(
        area=area,
        slug="internal-only",
        name=markers.leak("MEASURE-NAME-NOT-PUBLIC"),
        definition=markers.leak("MEASURE-DEFINITION-NOT-PUBLIC"),
        source=markers.leak("MEASURE-SOURCE-NOT-PUBLIC"),
        unit=Measure.Unit.PERCENT,
        is_public=False,
    )
    MeasureValue.objects.create(
        measure=hidden_measure,
        period_end=datetime.date(2025, 3, 31),
        numerator=77,
        denominator=91,
        period_label=markers.leak("MEASURE-PERIOD-NOT-PUBLIC"),
    )

    # Board meetings: one published (with internal minutes), one not.
    BoardMeeting.objects.create(
        area=area,
        held_on=datetime.date(2025, 5, 14),
        title=markers.show("MEETING-TITLE-PUBLISHED"),
        what_was_said=markers.show("MEETING-SAID-PUBLISHED"),
        what_we_will_do=markers.show("MEETING-WILL-DO-PUBLISHED"),
        internal_minutes=markers.leak("MEETING-MINUTES-PUBLISHED"),
        is_published=True,
    )
    BoardMeeting.objects.create(
        area=area,
        held_on=datetime.date(2025, 7, 9),
        title=markers.leak("MEETING-TITLE-UNPUBLISHED"),
        what_was_said=markers.leak("MEETING-SAID-UNPUBLISHED"),
        what_we_will_do=markers.leak("MEETING-WILL-DO-UNPUBLISHED"),
        internal_minutes=markers.leak("MEETING-MINUTES-UNPUBLISHED"),
        is_published=False,
    )

    # You said, we did: one published, one not.
    YouSaidWeDid.objects.create(
        area=area,
        heard_on=datetime.date(2025, 2, 1),
        you_said=markers.show("YOU-SAID-PUBLISHED"),
        we_did=markers.show("WE-DID-PUBLISHED"),
        source=markers.show("YOU-SAID-SOURCE-PUBLISHED"),
        is_published=True,
    )
    YouSaidWeDid.objects.create(
        area=area,
        heard_on=datetime.date(2025, 3, 1),
        you_said=markers.leak("YOU-SAID-UNPUBLISHED"),
        we_did=markers.leak("WE-DID-UNPUBLISHED"),
        source=markers.leak("YOU-SAID-SOURCE-UNPUBLISHED"),
        is_published=False,
    )

    # The parent carer forum: what it said and the board's replies are public with the
    # update they answer, never who wrote them; on an update the public cannot see
    # (yet), nothing shows.
    forum = make_user(
        f"{slug}-forum",
        first_name=markers.leak("FORUM-FIRST-NAME"),
        last_name=markers.leak("FORUM-LAST-NAME"),
    )
    Membership.objects.create(user=forum, area=area, role=Membership.Role.FORUM)

    def forum_says(update, kind, text, *, reply=None):
        response = ForumResponse.objects.create(
            update=update,
            kind=kind,
            text=text,
            responded_by=forum,
            answered_at=now if reply else None,
        )
        if reply:
            ForumReply.objects.create(challenge=response, text=reply, replied_by=officer)

    def published_update(ref):
        return ProgressUpdate.objects.get(action__plan=plan, action__ref=ref, state=State.PUBLISHED)

    forum_says(
        published_update("1.1"),
        "challenge",
        markers.show("FORUM-CHALLENGE"),
        reply=markers.show("BOARD-REPLY"),
    )
    forum_says(published_update("1.2"), "acknowledge", markers.show("FORUM-NOTE"))
    forum_says(published_update("1.3"), "challenge", markers.show("FORUM-CHALLENGE-WAITING"))
    forum_says(scheduled, "challenge", markers.soon("FORUM-CHALLENGE-SCHEDULED"))
    forum_says(
        draft_plan_update,
        "challenge",
        markers.leak("FORUM-CHALLENGE-ON-DRAFT-PLAN"),
        reply=markers.leak("BOARD-REPLY-ON-DRAFT-PLAN"),
    )
    for state in (State.DRAFT, State.APPROVED):
        unpublished = ProgressUpdate.objects.get(action__plan=plan, state=state)
        forum_says(unpublished, "challenge", markers.leak(f"FORUM-CHALLENGE-{state.upper()}"))

    evidence.on_draft_plan = [draft_plan_evidence]
    reports = publish_reports(plan, now=now)
    return SimpleNamespace(
        area=area,
        evidence=evidence,
        scheduled_update=scheduled,
        plan_findings=findings,
        reports=reports,
    )


def publish_reports(plan, *, now):
    """A published public report and a published board pack of the plan (the pack is internal)."""
    published = {}
    for audience in (ProgressReport.Audience.PUBLIC, ProgressReport.Audience.BOARD):
        report = ProgressReport.objects.create(
            plan=plan,
            audience=audience,
            period_start=datetime.date(2018, 1, 1),
            period_end=timezone.localdate(now),
        )
        generate_report.call(report.pk)
        report.refresh_from_db()
        assert report.state == ProgressReport.State.READY, report.error
        published[audience] = publish_report(report, by=None)
    return SimpleNamespace(**published)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site():
    """Two areas, each with content of every kind; markers say what may be seen."""
    markers = Markers()
    now = timezone.now()
    areas = [
        populate_area("testshire", "Testshire", markers, now=now),
        populate_area("otherton", "Otherton", markers, now=now),
    ]
    return SimpleNamespace(markers=markers, areas=areas)


class _Time:
    """The ``time`` module with its clock moved on by ``offset`` seconds."""

    def __init__(self, clock):
        self._clock = clock

    def time(self):
        return time.time() + self._clock.offset.total_seconds()

    def __getattr__(self, name):
        return getattr(time, name)


class Clock:
    """Moves the portal's clock (``timezone.now``) and the page cache's clock forward together."""

    def __init__(self, monkeypatch):
        self.offset = datetime.timedelta(0)
        real_now = timezone.now
        monkeypatch.setattr(timezone, "now", lambda: real_now() + self.offset)
        fake_time = _Time(self)
        monkeypatch.setattr(locmem, "time", fake_time)
        monkeypatch.setattr(cache_base, "time", fake_time)

    def advance(self, **kwargs):
        self.offset += datetime.timedelta(**kwargs)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


# The crawler


class _Links(HTMLParser):
    ATTRIBUTES = frozenset({"href", "src", "action", "data", "formaction"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []

    def handle_starttag(self, tag, attrs):
        self.links.extend(value for name, value in attrs if name in self.ATTRIBUTES and value)


def public_path(base, link):
    """The same-origin path (and query) ``link`` on page ``base`` points to, or None."""
    absolute, _ = urldefrag(urljoin(ORIGIN + base, link.strip()))
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or parts.netloc != urlsplit(ORIGIN).netloc:
        return None
    path = parts.path or "/"
    if path.startswith(NOT_PUBLIC):
        return None
    return f"{path}?{parts.query}" if parts.query else path


def _expanded(body):
    """The body's bytes plus whatever is packed inside them (zip members, deflated streams)."""
    pieces = [body]
    if body.startswith(b"\x1f\x8b"):
        with contextlib.suppress(OSError, EOFError):
            pieces.append(gzip.decompress(body))
    if body.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                pieces.extend(archive.read(member) for member in archive.namelist())
        except zipfile.BadZipFile:
            pass
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", body, re.DOTALL):
        with contextlib.suppress(zlib.error):
            pieces.append(zlib.decompress(stream))
    return pieces


@dataclass
class Fetched:
    path: str
    status: int
    content_type: str
    body: bytes
    text: str = field(repr=False)  # headers and body, decoded, entities resolved

    def has(self, marker):
        return marker.lower() in self.text.lower()


def fetch(client, path):
    response = client.get(path)
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    headers = "\n".join(f"{name}: {value}" for name, value in response.items())
    decoded = "\n".join(piece.decode("utf-8", errors="replace") for piece in _expanded(body))
    if body.startswith(b"%PDF"):
        # WeasyPrint re-encodes fonts, so read a PDF's words the way a person's reader does.
        # (Evidence files in these tests only start like PDFs; their bytes are read above.)
        with contextlib.suppress(PyPdfError, ValueError):
            decoded += "\n" + "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    text = html.unescape(f"{headers}\n{decoded}").replace("\xa0", " ").replace("\u202f", " ")
    return Fetched(path, response.status_code, response.get("Content-Type", ""), body, text)


def crawl(client, start="/"):
    """Every public page and file reachable from ``start``, by path."""
    found = {}
    queue = deque([start])
    while queue:
        path = queue.popleft()
        if path in found:
            continue
        assert len(found) < CRAWL_LIMIT, f"More than {CRAWL_LIMIT} public addresses: a loop?"
        page = found[path] = fetch(client, path)
        if "html" not in page.content_type:
            continue
        parser = _Links()
        parser.feed(page.body.decode("utf-8", errors="replace"))
        for link in parser.links:
            target = public_path(path, link)
            if target and target not in found:
                queue.append(target)
    return found


def where(pages, marker):
    return sorted(path for path, page in pages.items() if page.has(marker))


def leaks(pages, markers):
    found = {marker: where(pages, marker) for marker in sorted(markers)}
    return {marker: paths for marker, paths in found.items() if paths}


def missing(pages, markers):
    return sorted(marker for marker in markers if not where(pages, marker))


def forbidden_figures(pages):
    found = {}
    for label, pattern in FORBIDDEN_FIGURES.items():
        paths = sorted(p for p, page in pages.items() if re.search(pattern, page.text, re.M))
        if paths:
            found[label] = paths
    return found


def not_ok(pages):
    return {path: page.status for path, page in pages.items() if page.status != 200}


def evidence_path(area, evidence):
    return reverse("public:public-evidence", args=[area.slug, evidence.uuid])


# The tests


def test_the_crawl_reaches_every_public_page_and_download(client, site):
    pages = crawl(client)

    assert not not_ok(pages), f"Public addresses that did not answer 200: {not_ok(pages)}"
    expected = {
        "/",
        reverse("public:accessibility"),
        reverse("public:help"),
        reverse("public:open-data"),
    }
    for built in site.areas:
        slug = built.area.slug
        expected |= {
            reverse("public:area", args=[slug]),
            reverse("public:area-measures", args=[slug]),
            reverse("public:area-meetings", args=[slug]),
            reverse("public:area-you-said", args=[slug]),
            reverse("public:area-open-data-csv", args=[slug]),
            reverse("public:area-open-data-json", args=[slug]),
            reverse("public:area-open-data-history-json", args=[slug]),
            *(
                reverse("public:area-open-data-history-csv", args=[slug, section.name])
                for section in SECTIONS
            ),
        }
        expected |= {evidence_path(built.area, e) for e in built.evidence.public}
        expected.add(reverse("public:public-report", args=[slug, built.reports.public.uuid]))
        expected |= {
            reverse("public:area-finding", args=[slug, finding.pk])
            for finding in built.plan_findings
        }
    assert expected <= set(pages), f"Never reached: {sorted(expected - set(pages))}"
    downloads = [pages[evidence_path(b.area, e)] for b in site.areas for e in b.evidence.public]
    assert all(page.body.startswith(b"%PDF-") for page in downloads)


def test_no_internal_content_reaches_any_public_page_or_download(client, site):
    pages = crawl(client)

    assert not not_ok(pages), f"Public addresses that did not answer 200: {not_ok(pages)}"
    leaked = leaks(pages, site.markers.internal | site.markers.scheduled)
    assert not leaked, "Internal or not-yet-published content is public:\n" + "\n".join(
        f"  {marker} on {paths}" for marker, paths in leaked.items()
    )
    assert not forbidden_figures(pages), (
        f"Withheld or non-public figures are published: {forbidden_figures(pages)}"
    )


def test_everything_published_appears_somewhere(client, site):
    pages = crawl(client)

    assert not missing(pages, site.markers.public), (
        f"Published content missing from every public page: {missing(pages, site.markers.public)}"
    )
    # The public figures of the rate measure, and the words that replace the withheld ones.
    measures = "".join(
        pages[reverse("public:area-measures", args=[b.area.slug])].text for b in site.areas
    )
    assert "46.3%" in measures
    assert "75.0%" in measures
    assert "fewer than 5" in measures


def test_an_update_scheduled_for_tomorrow_appears_tomorrow_and_not_before(client, site, clock):
    before = crawl(client)
    assert not leaks(before, site.markers.scheduled)
    for built in site.areas:
        for evidence in built.evidence.scheduled:
            assert evidence_path(built.area, evidence) not in before
            assert client.get(evidence_path(built.area, evidence)).status_code == 404

    # A day and a bit later, with nothing saved in between: the pages cached
    # before must not outlive the publication.
    clock.advance(days=1, minutes=1)
    after = crawl(client)

    assert not not_ok(after), f"Public addresses that did not answer 200: {not_ok(after)}"
    assert not missing(after, site.markers.scheduled), (
        f"Scheduled content still missing after its time: {missing(after, site.markers.scheduled)}"
    )
    for built in site.areas:
        for evidence in built.evidence.scheduled:
            assert evidence_path(built.area, evidence) in after
    leaked = leaks(after, site.markers.internal)
    assert not leaked, f"Internal content is public: {leaked}"


def test_a_scheduled_update_moved_into_the_past_shows_once_the_cache_is_cleared(client, site):
    before = crawl(client)
    assert not leaks(before, site.markers.scheduled)

    updates = [built.scheduled_update.pk for built in site.areas]
    # A bulk update sends no signal, so the cache is cleared by hand, as a deploy would.
    ProgressUpdate.objects.filter(pk__in=updates).update(
        publish_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    clear_public_cache()
    after = crawl(client)

    assert not missing(after, site.markers.scheduled)
    assert not leaks(after, site.markers.internal)


def open_data_files(pages):
    """The crawled open data files, as (CSV pages, JSON pages)."""
    csvs = [page for page in pages.values() if page.content_type.startswith("text/csv")]
    jsons = [page for page in pages.values() if page.content_type.startswith("application/json")]
    return csvs, jsons


def test_the_open_data_files_are_crawled_and_hold_published_content_only(client, site, clock):
    pages = crawl(client)

    csvs, jsons = open_data_files(pages)
    assert len(csvs) >= 1 and len(jsons) >= 1, "The crawler reached no open data file"
    for built in site.areas:
        slug = built.area.slug
        assert reverse("public:area-open-data-csv", args=[slug]) in [p.path for p in csvs]
        assert reverse("public:area-open-data-json", args=[slug]) in [p.path for p in jsons]
    files = {page.path: page for page in csvs + jsons}
    leaked = leaks(files, site.markers.internal | site.markers.scheduled)
    assert not leaked, f"Internal or not-yet-published content in open data: {leaked}"
    assert not forbidden_figures(files)
    # Each progress file carries the published plan's actions and their published summaries.
    published = {
        marker
        for marker in site.markers.public
        if "-ACTION-TITLE-" in marker or "-UPDATE-SUMMARY-PUBLISHED-BEFORE-" in marker
    }
    assert published
    progress = {path: page for path, page in files.items() if "/open-data/progress." in path}
    assert len(progress) == 2 * len(site.areas)
    for page in progress.values():
        assert any(page.has(marker) for marker in published), page.path
    assert not missing({page.path: page for page in csvs if page.path in progress}, published)
    assert not missing({page.path: page for page in jsons if page.path in progress}, published)
    # The history files carry the inspections, findings and interventions.
    history = {path: page for path, page in files.items() if path not in progress}
    assert len(history) == (len(SECTIONS) + 1) * len(site.areas)
    told = {m for m in site.markers.public if "-INTERVENTION-" in m or "-OUTCOME-" in m}
    assert not missing(history, told)

    # Tomorrow, the scheduled update is in the files too, and still nothing internal.
    clock.advance(days=1, minutes=1)
    later = {path: fetch(client, path) for path in files}
    scheduled = {m for m in site.markers.scheduled if "-UPDATE-SUMMARY-SCHEDULED-" in m}
    assert scheduled
    assert not missing(later, scheduled)
    assert not leaks(later, site.markers.internal)


def not_found(client, area, evidence):
    response = client.get(evidence_path(area, evidence))
    assert response.status_code == 404, (
        f"{evidence.title} ({evidence.visibility}, update {evidence.update.state}, "
        f"plan {evidence.update.action.plan.status}) answered {response.status_code}"
    )


def test_evidence_that_is_not_public_cannot_be_fetched_by_its_address(client, site):
    """The crawler only follows links; a known or guessed address must not work either."""
    for built in site.areas:
        for evidence in built.evidence.hidden + built.evidence.scheduled:
            not_found(client, built.area, evidence)
        for evidence in built.evidence.public:
            assert client.get(evidence_path(built.area, evidence)).status_code == 200
    # Another area's evidence is not found under this area's address.
    first, second = site.areas
    for evidence in first.evidence.public:
        not_found(client, second.area, evidence)


def test_evidence_of_a_plan_still_being_written_cannot_be_fetched(client, site):
    for built in site.areas:
        for evidence in built.evidence.on_draft_plan:
            not_found(client, built.area, evidence)


def test_pages_reached_by_their_address_alone_show_nothing_internal(client, site):
    """Addresses with guessable numbers (every finding's page, under every area) leak nothing."""
    paths = [
        reverse("public:area-finding", args=[built.area.slug, finding.pk])
        for built in site.areas
        for finding in Finding.objects.all()
    ]
    pages = {path: fetch(client, path) for path in paths}
    assert {page.status for page in pages.values()} == {200, 404}
    leaked = leaks(pages, site.markers.internal | site.markers.scheduled)
    assert not leaked, f"Internal content is public: {leaked}"


def test_the_crawler_follows_same_origin_links_only():
    assert public_path("/areas/a/", "measures/") == "/areas/a/measures/"
    assert public_path("/areas/a/", "/areas/a/data.csv?period=2025#top") == (
        "/areas/a/data.csv?period=2025"
    )
    assert public_path("/", "http://testserver/accessibility/") == "/accessibility/"
    assert public_path("/", "#main-content") == "/"
    for link in (
        "https://www.gov.uk/",
        "//example.org/x",
        "mailto:someone@example.org",
        "javascript:void(0)",
        "/board/",
        "/admin/",
        "/accounts/login/",
        "/static/govuk/govuk-frontend.min.css",
    ):
        assert public_path("/", link) is None, link


def test_a_published_board_pack_is_never_served_and_the_public_report_reads_clean(client, site):
    for built in site.areas:
        pack = reverse(
            "public:public-report", args=[built.area.slug, built.reports.board_pack.uuid]
        )
        assert client.get(pack).status_code == 404
        public = fetch(
            client,
            reverse("public:public-report", args=[built.area.slug, built.reports.public.uuid]),
        )
        # The report's own words are readable, and carry no internal marker.
        assert built.area.name in public.text
        assert not [m for m in site.markers.internal | site.markers.scheduled if public.has(m)]
