"""Open data: each area's published progress as CSV and JSON, and the page that explains it.

The files hold one row per action of the area's public plans, with what the
action's latest *published* update said; nothing internal, unpublished,
scheduled for later or on a plan still being written. CSV cells that a
spreadsheet would run as a formula begin with an apostrophe; the JSON keeps
the text as written. The documentation page describes every column, from
the same list the files are written from.
"""

import csv
import datetime
import io
import itertools
import json
import re
from html import unescape
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import Plan, PlanIntervention
from inspections.models import (
    Finding,
    Inspection,
    Intervention,
    InterventionFinding,
    Judgement,
    Organisation,
    ProgressReview,
)
from kit.dates import PartialDate
from kit.tabular import unescape_formula
from progress import workflow
from progress.models import Evidence, ProgressUpdate
from public import history as history_module
from public.cache import clear_public_cache
from public.history import SECTIONS
from public.opendata import (
    COLUMN_NAMES,
    COLUMNS,
    HISTORY_JSON_FIELDS,
    JSON_FIELDS,
    LICENCE,
    LICENCE_URL,
)
from tests.factories import (
    make_action,
    make_area,
    make_finding,
    make_inspection,
    make_organisation,
    make_partner,
    make_plan,
    make_review,
)
from tests.public.test_public_pages import main, text, texts

pytestmark = pytest.mark.django_db

State = ProgressUpdate.State
SUMMARY = "The new clinic has most of its staff."
# Text that must never be in either file: internal, unpublished, scheduled or on a draft plan.
SECRETS = {
    "narrative": "SECRET narrative of the published update",
    "reason": "SECRET reason the status changed",
    "approved summary": "SECRET summary approved but not yet published",
    "approved narrative": "SECRET narrative approved but not yet published",
    "scheduled summary": "SECRET summary published from tomorrow",
    "returned reason": "SECRET reason the update was returned",
    "description": "SECRET internal description of the action",
    "success criteria": "SECRET success criteria",
    "plan notes": "SECRET notes on the plan",
    "finding notes": "SECRET notes on the finding",
    "draft plan title": "SECRET title of a plan still being written",
    "draft action": "SECRET action on a plan still being written",
    "draft update": "SECRET update on a plan still being written",
    "internal evidence": "SECRET title of internal evidence",
    "lead officer": "Bilal",
    "approving officer": "Olivia",
}
FORMULA_TITLES = {
    "1.2": '=HYPERLINK("https://example.org/x","Click here")',
    "1.3": "+44 1234 567890 helpline",
    "1.4": "-fewer waits for families",
    "1.5": "@SUM(A1:A3)",
}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def csv_url(slug="testshire"):
    return reverse("public:area-open-data-csv", args=[slug])


def json_url(slug="testshire"):
    return reverse("public:area-open-data-json", args=[slug])


def step(update, slug, by, **kwargs):
    return workflow.apply_transition(update, slug, by=by, expected_version=update.version, **kwargs)


def stored_update(action, *, state, summary, period=2, publish_at=None, **fields):
    """An update written straight to the database, for states the workflow test does not need."""
    start = datetime.date(2025, 3 * period - 2, 1)
    end = (start + datetime.timedelta(days=92)).replace(day=1) - datetime.timedelta(days=1)
    return ProgressUpdate.objects.create(
        action=action,
        period_start=start,
        period_end=end,
        delivery_status=fields.pop("delivery_status", "on_track"),
        impact_status=fields.pop("impact_status", "some_evidence"),
        narrative=fields.pop("narrative", "Internal narrative."),
        public_summary=summary,
        state=state,
        publish_at=publish_at,
        **fields,
    )


@pytest.fixture
def world(cast):
    """Testshire's plan being delivered, with every kind of update; a plan still being written."""
    plan, action = cast.plan, cast.action
    plan.status = Plan.Status.PUBLISHED
    plan.notes = SECRETS["plan notes"]
    plan.save()
    finding = action.finding
    finding.notes = SECRETS["finding notes"]
    finding.save()
    action.description = SECRETS["description"]
    action.success_criteria = SECRETS["success criteria"]
    action.public_summary = "A clinic so that families are seen sooner."
    action.save()

    # 1.1: published through the workflow, then a later update approved and not published.
    values = {
        "period_start": datetime.date(2025, 4, 1),
        "period_end": datetime.date(2025, 6, 30),
        "delivery_status": "on_track",
        "impact_status": "some_evidence",
        "status_change_reason": SECRETS["reason"],
        "narrative": SECRETS["narrative"],
        "public_summary": SUMMARY,
    }
    published = workflow.create_update(
        ProgressUpdate(action=action, **values), by=cast.board_member
    )
    published = step(step(published, "submit", cast.board_member), "approve", cast.officer)
    published = step(published, "publish", cast.officer)
    Evidence.objects.create(
        update=published,
        title=SECRETS["internal evidence"],
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="evidence.pdf"),
        original_name="evidence.pdf",
        content_type="application/pdf",
        size=15,
        visibility=Evidence.Visibility.INTERNAL,
    )
    later = {
        **values,
        "period_start": datetime.date(2025, 7, 1),
        "period_end": datetime.date(2025, 9, 30),
        "delivery_status": "delivered",
        "impact_status": "clear_evidence",
        "narrative": SECRETS["approved narrative"],
        "public_summary": SECRETS["approved summary"],
    }
    approved = workflow.create_update(ProgressUpdate(action=action, **later), by=cast.board_member)
    approved = step(step(approved, "submit", cast.board_member), "approve", cast.officer)

    # 1.2 to 1.5: titles a spreadsheet would run as formulas; 1.2 has a published update too.
    actions = {"1.1": action}
    for ref, title in FORMULA_TITLES.items():
        made = make_action(plan=plan, finding=finding, lead=cast.council, ref=ref, due="2026-06-30")
        made.title = title
        made.save()
        actions[ref] = made
    stored_update(
        actions["1.2"],
        state=State.PUBLISHED,
        summary="=1+2 more staff",
        period=1,
        publish_at=timezone.now() - datetime.timedelta(days=3),
        delivery_status="at_risk",
        impact_status="no_evidence_yet",
    )
    stored_update(
        actions["1.2"],
        state=State.RETURNED,
        summary="A returned update",
        period=2,
        return_reason=SECRETS["returned reason"],
    )

    # 1.6: invented for the demo, with an update published from tomorrow only.
    scheduled_action = make_action(plan=plan, finding=finding, lead=cast.council, ref="1.6")
    scheduled_action.is_illustrative = True
    scheduled_action.save()
    scheduled = stored_update(
        scheduled_action,
        state=State.PUBLISHED,
        summary=SECRETS["scheduled summary"],
        publish_at=timezone.now() + datetime.timedelta(days=1),
    )
    actions["1.6"] = scheduled_action

    # A later inspection, and a plan still being written with a "published" update.
    full = make_inspection(
        area=cast.area,
        ref="2025-inspection",
        framework=Inspection.Framework.AREA_SEND_2023,
        start="2025-01-13",
        outcome=Inspection.Outcome.SYSTEMIC,
    )
    priority = make_finding(inspection=full, number=1, text="Waits are too long.")
    draft = make_plan(
        inspection=full, kind=Plan.Kind.PRIORITY_ACTION, findings=[priority], ref="pap-2025"
    )
    draft.title = SECRETS["draft plan title"]
    draft.save()
    draft_action = make_action(plan=draft, finding=priority, lead=cast.council, ref="1.1")
    draft_action.title = SECRETS["draft action"]
    draft_action.save()
    stored_update(
        draft_action,
        state=State.PUBLISHED,
        summary=SECRETS["draft update"],
        publish_at=timezone.now() - datetime.timedelta(days=1),
    )
    return SimpleNamespace(
        cast=cast,
        plan=plan,
        finding=finding,
        actions=actions,
        approved=approved,
        scheduled=scheduled,
    )


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def csv_rows(response):
    body = response.content.decode("utf-8")
    return list(csv.reader(io.StringIO(body, newline="")))


def csv_records(response):
    header, *rows = csv_rows(response)
    return {row[header.index("action_ref")]: dict(zip(header, row, strict=True)) for row in rows}


def json_document(response):
    return json.loads(response.content.decode("utf-8"))


def json_records(response):
    return {record["action_ref"]: record for record in json_document(response)["actions"]}


# The CSV file


def test_the_csv_has_a_header_and_one_row_per_action_with_its_published_status(client, world):
    response = download(client, csv_url())

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="testshire-progress.csv"'
    assert response["Access-Control-Allow-Origin"] == "*"
    assert not response.content.startswith(b"\xef\xbb\xbf"), "No byte-order mark"
    assert response.content.count(b"\r\n") == len(csv_rows(response))  # RFC 4180 line ends
    header, *rows = csv_rows(response)
    assert tuple(header) == COLUMN_NAMES
    assert all(len(row) == len(header) for row in rows)
    records = csv_records(response)
    assert sorted(records) == ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6"]
    finding_url = reverse("public:area-finding", args=["testshire", world.finding.pk])
    assert records["1.1"] == {
        "area": "Testshire",
        "area_slug": "testshire",
        "plan_ref": world.plan.ref,
        "plan_title": "Written statement of action for Testshire",
        "plan_kind": "Written statement of action",
        "plan_status": "Published and being delivered",
        "finding": "Area of significant weakness 1",
        "finding_text": "Testshire weakness one",
        "finding_wording": "The inspectors' exact words",
        "action_ref": "1.1",
        "action_title": "Action 1.1",
        "action_public_summary": "A clinic so that families are seen sooner.",
        "lead_organisation": "Testshire Council",
        "due_date": "2026-03-31",
        "delivery_status": "On track",
        "impact_status": "Some evidence of impact",
        "latest_update_summary": SUMMARY,
        "latest_update_period_end": "2025-06-30",
        "latest_update_published_on": timezone.localdate().isoformat(),
        "action_url": f"http://testserver{finding_url}#action-{world.actions['1.1'].pk}",
        "is_illustrative": "false",
    }
    # No published update yet (only one scheduled for tomorrow): the status cells are empty.
    assert records["1.6"]["delivery_status"] == ""
    assert records["1.6"]["impact_status"] == ""
    assert records["1.6"]["latest_update_summary"] == ""
    assert records["1.6"]["latest_update_published_on"] == ""
    assert records["1.6"]["is_illustrative"] == "true"
    assert records["1.3"]["action_public_summary"] == ""


def test_csv_cells_a_spreadsheet_would_run_begin_with_an_apostrophe(client, world):
    records = csv_records(download(client, csv_url()))

    for ref, title in FORMULA_TITLES.items():
        cell = records[ref]["action_title"]
        assert cell == "'" + title, ref
        assert unescape_formula(cell) == title
    assert records["1.2"]["latest_update_summary"] == "'=1+2 more staff"
    assert records["1.2"]["delivery_status"] == "At risk"
    # Nothing else gains an apostrophe.
    assert records["1.1"]["action_title"] == "Action 1.1"
    assert not [
        (ref, name)
        for ref, record in records.items()
        for name, cell in record.items()
        if cell.startswith("'") and name not in ("action_title", "latest_update_summary")
    ]


# The JSON file


def test_the_json_has_metadata_and_the_same_records_unescaped(client, world):
    response = download(client, json_url())

    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    document = json_document(response)
    assert list(document) == [name for name, _ in JSON_FIELDS]
    assert document["area"] == "Testshire"
    assert document["area_slug"] == "testshire"
    assert document["licence"] == LICENCE == "Open Government Licence v3.0"
    assert document["licence_url"] == LICENCE_URL
    assert document["documentation"] == "http://testserver" + reverse("public:open-data")
    generated = datetime.datetime.fromisoformat(document["generated_at"])
    assert generated.tzinfo is not None
    assert abs(generated - timezone.now()) < datetime.timedelta(minutes=5)

    records = json_records(response)
    assert all(tuple(record) == COLUMN_NAMES for record in records.values())
    csv_version = csv_records(download(client, csv_url()))
    assert sorted(records) == sorted(csv_version)
    first = records["1.1"]
    assert first["latest_update_summary"] == SUMMARY
    assert first["due_date"] == "2026-03-31"
    assert first["latest_update_period_end"] == "2025-06-30"
    assert first["latest_update_published_on"] == timezone.localdate().isoformat()
    assert first["is_illustrative"] is False
    assert first["action_url"] == csv_version["1.1"]["action_url"]
    # Missing values are null; booleans are real; text is as written, not formula-escaped.
    assert records["1.6"]["delivery_status"] is None
    assert records["1.6"]["latest_update_summary"] is None
    assert records["1.6"]["latest_update_period_end"] is None
    assert records["1.6"]["is_illustrative"] is True
    assert records["1.3"]["action_public_summary"] is None
    for ref, title in FORMULA_TITLES.items():
        assert records[ref]["action_title"] == title
    assert records["1.2"]["latest_update_summary"] == "=1+2 more staff"
    # Every other value is the CSV's, unescaped.
    for ref, record in records.items():
        for name, value in record.items():
            cell = csv_version[ref][name]
            if value is None:
                assert cell == "", (ref, name)
            elif isinstance(value, bool):
                assert cell == str(value).lower(), (ref, name)
            else:
                assert unescape_formula(cell) == value, (ref, name)


# Only published content


@pytest.mark.parametrize("url", [csv_url, json_url])
def test_nothing_internal_unpublished_or_scheduled_is_in_the_files(client, world, url):
    body = download(client, url()).content.decode("utf-8")
    data = json.dumps(json.loads(body), ensure_ascii=False) if url is json_url else body

    found = [what for what, secret in SECRETS.items() if secret.lower() in data.lower()]
    assert not found, f"Not public, yet in the file: {found}"
    assert "SECRET" not in body
    assert "Delivered" not in body  # the approved, unpublished update's status
    assert "Clear evidence of impact" not in body
    assert "pap-2025" not in body  # the plan still being written
    assert "Waits are too long." not in body  # a finding answered only by that plan


def test_approval_alone_changes_nothing_and_publication_shows_at_once(client, world):
    before = csv_records(download(client, csv_url()))["1.1"]
    assert before["delivery_status"] == "On track"

    step(world.approved, "publish", world.cast.officer)

    after = csv_records(download(client, csv_url()))["1.1"]
    assert after["delivery_status"] == "Delivered"
    assert after["impact_status"] == "Clear evidence of impact"
    assert after["latest_update_summary"] == SECRETS["approved summary"]
    assert after["latest_update_period_end"] == "2025-09-30"
    assert json_records(download(client, json_url()))["1.1"]["delivery_status"] == "Delivered"


def test_an_update_scheduled_for_later_appears_once_its_time_has_come(client, world):
    assert csv_records(download(client, csv_url()))["1.6"]["latest_update_summary"] == ""

    ProgressUpdate.objects.filter(pk=world.scheduled.pk).update(
        publish_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    clear_public_cache()  # a bulk update sends no signal

    record = csv_records(download(client, csv_url()))["1.6"]
    assert record["latest_update_summary"] == SECRETS["scheduled summary"]
    assert record["delivery_status"] == "On track"


def test_another_areas_actions_are_not_in_the_file(client, world):
    world.cast.other_plan.status = Plan.Status.PUBLISHED
    world.cast.other_plan.save()
    testshire = download(client, csv_url()).content.decode()
    otherton = csv_records(download(client, csv_url("otherton")))

    assert "Otherton" not in testshire
    assert list(otherton) == ["1.1"]
    assert otherton["1.1"]["area"] == "Otherton"
    assert otherton["1.1"]["finding_text"] == "Otherton weakness one"


def test_an_area_with_no_public_plan_has_a_header_and_no_rows(client, cast):
    (header,) = csv_rows(download(client, csv_url()))
    assert tuple(header) == COLUMN_NAMES
    assert json_document(download(client, json_url()))["actions"] == []


@pytest.mark.parametrize("url", [csv_url, json_url])
def test_an_unknown_area_is_not_found(client, cast, url):
    assert client.get(url("nowhere")).status_code == 404


def accelerated_area():
    """A closed WSOA and the accelerated plan that carried one weakness on after the revisit."""
    area = make_area()
    council = make_organisation()
    inspection = make_inspection(
        area=area, start="2018-03", outcome=Inspection.Outcome.WSOA_REQUIRED
    )
    finding = make_finding(inspection=inspection, number=1)
    wsoa = make_plan(inspection=inspection, status=Plan.Status.CLOSED, findings=[finding])
    old = make_action(plan=wsoa, finding=finding, lead=council, ref="1.1")
    revisit = make_inspection(
        area=area,
        ref="2019-revisit",
        kind=Inspection.Kind.REVISIT,
        start="2019-11",
        outcome=Inspection.Outcome.REVISIT_REPORTED,
    )
    Judgement.objects.create(
        finding=finding, inspection=revisit, verdict=Judgement.Verdict.INSUFFICIENT
    )
    accelerated = make_plan(
        inspection=revisit,
        kind=Plan.Kind.ACCELERATED,
        status=Plan.Status.PUBLISHED,
        findings=[finding],
    )
    new = make_action(plan=accelerated, finding=finding, lead=council, ref="1.1", due="2020-12-31")
    return SimpleNamespace(finding=finding, old=old, new=new)


def test_every_public_plan_is_included_and_links_go_where_the_action_is_shown(client):
    built = accelerated_area()
    rows = json_document(download(client, json_url()))["actions"]

    assert [(row["plan_kind"], row["plan_status"]) for row in rows] == [
        ("Written statement of action", "Closed"),
        ("Accelerated progress plan", "Published and being delivered"),
    ]
    finding_url = "http://testserver" + reverse(
        "public:area-finding", args=["testshire", built.finding.pk]
    )
    # The finding's page shows the accelerated plan's actions: only they get an anchor.
    assert rows[0]["action_url"] == finding_url
    assert rows[1]["action_url"] == f"{finding_url}#action-{built.new.pk}"
    page = client.get(finding_url).content.decode()
    assert f'id="action-{built.new.pk}"' in page
    assert f'id="action-{built.old.pk}"' not in page


# Queries and the cache


def area_with_actions(slug, actions):
    area = make_area(slug=slug)
    council = make_organisation(slug=f"{slug}-council")
    inspection = make_inspection(area=area, start="2018-03")
    findings = [make_finding(inspection=inspection, number=n) for n in (1, 2)]
    plan = make_plan(inspection=inspection, status=Plan.Status.PUBLISHED, findings=findings)
    for number in range(1, actions + 1):
        finding = findings[number % 2]
        action = make_action(plan=plan, finding=finding, lead=council, ref=f"1.{number}")
        for period in (1, 2):
            stored_update(
                action,
                state=State.PUBLISHED,
                summary=f"Update {period} on 1.{number}",
                period=period,
                publish_at=timezone.now() - datetime.timedelta(days=1),
            )
        stored_update(action, state=State.APPROVED, summary="Approved", period=3)


def count_queries(client, url):
    clear_public_cache()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize("url", [csv_url, json_url])
def test_queries_do_not_grow_with_the_actions(client, url):
    area_with_actions("small", 1)
    area_with_actions("large", 25)

    small, _ = count_queries(client, url("small"))
    large, response = count_queries(client, url("large"))

    assert small == large
    assert small <= 8
    if url is json_url:
        actions = json_document(response)["actions"]
        assert len(actions) == 25
        assert {a["latest_update_summary"] for a in actions} == {
            f"Update 2 on 1.{n}" for n in range(1, 26)
        }


def test_the_documentation_page_queries_do_not_grow_with_the_areas(client):
    area_with_actions("one", 1)
    first, _ = count_queries(client, reverse("public:open-data"))
    for n in range(2, 6):
        area_with_actions(f"area-{n}", 1)
    more, response = count_queries(client, reverse("public:open-data"))
    assert first == more
    assert response.content.decode().count('/open-data/progress.csv"') == 5


@pytest.mark.parametrize("url", [csv_url, json_url])
def test_a_second_download_is_served_from_the_cache_with_no_queries(
    client, world, url, django_assert_num_queries
):
    first = download(client, url())
    with django_assert_num_queries(0):
        second = download(client, url())
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert second["Access-Control-Allow-Origin"] == "*"
    if url is csv_url:
        assert second["Content-Disposition"] == first["Content-Disposition"]


# The documentation page and the links to it


def documented_rows(page, table_id):
    """{column name: the row's text} of one table of columns on the documentation page."""
    (table,) = re.findall(rf'<table[^>]*id="{table_id}".*?</table>', page.content.decode(), re.S)
    rows = texts(table, tag="tr")[1:]  # after the heading row
    return {row.split(" ", 1)[0]: row for row in rows}


def test_the_documentation_page_describes_every_column(client, world):
    page = download(client, reverse("public:open-data"))

    assert unescape(text(page, tag="title")) == "Open data – SEND Improvement Portal"
    assert texts(page, tag="h1") == ["Open data"]
    rows = documented_rows(page, "progress-columns")
    for column in COLUMNS:
        assert column.name in rows, column.name
        assert column.meaning in rows[column.name], column.name
        assert column.example in rows[column.name], column.name
    # The documented columns are exactly the file's, in the file's order.
    header = csv_rows(download(client, csv_url()))[0]
    assert list(rows) == header
    # And the JSON file's own keys.
    for name, _ in JSON_FIELDS:
        assert f"<code>{name}</code>" in page.content.decode(), name


def test_the_documentation_page_describes_every_column_of_every_history_file(client, story):
    page = download(client, reverse("public:open-data"))
    content = page.content.decode()

    for section in SECTIONS:
        rows = documented_rows(page, f"columns-{section.name}")
        header = csv_rows(download(client, section_url(section.name)))[0]
        assert list(rows) == header, section.name
        for column in section.columns:
            assert unescape(column.meaning) in rows[column.name], (section.name, column.name)
            assert column.example in rows[column.name], (section.name, column.name)
        assert f'id="history-{section.name}"' in content
        assert f"<code>{section.file_name}</code>" in content
    for name, meaning in HISTORY_JSON_FIELDS:
        assert f"<code>{name}</code>" in content, name
        assert meaning in unescape(content), name
    body = main(page)
    assert "2023-03" in body and "<code>_precision</code>" in content
    assert "Care Quality Commission (CQC)" in body
    assert "Department for Education (DfE)" in body


def test_the_documentation_page_explains_the_data_and_links_to_every_file(client, world):
    page = download(client, reverse("public:open-data"))
    body = main(page)
    content = page.content.decode()

    for slug in ("testshire", "otherton"):
        assert f'href="{csv_url(slug)}"' in content, slug
        assert f'href="{json_url(slug)}"' in content, slug
        assert f'href="{history_url(slug)}"' in content, slug
        for section in SECTIONS:
            assert f'href="{section_url(section.name, slug)}"' in content, (slug, section)
    assert f'href="{LICENCE_URL}"' in content
    assert "Open Government Licence v3.0" in body
    assert "whenever a progress update is published" in body
    assert "apostrophe" in body
    for trigger in ("=", "+", "-", "@"):
        assert f"<code>{trigger}</code>" in content, trigger
    assert "UTF-8" in body
    # Headings start at one h1 and never skip a level.
    levels = [int(level) for level in re.findall(r"<h([1-6])[ >]", content)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(after <= before + 1 for before, after in itertools.pairwise(levels))
    (crumbs,) = re.findall(r'<nav class="govuk-breadcrumbs".*?</nav>', content, re.S)
    assert 'href="/"' in crumbs
    assert 'aria-current="page">Open data' in crumbs


def test_the_area_page_links_to_its_open_data(client, world):
    content = download(client, reverse("public:area", args=["testshire"])).content.decode()
    (section,) = re.findall(r'id="open-data">.*?</p>', content, re.S)
    assert f'href="{csv_url()}"' in section
    assert f'href="{json_url()}"' in section
    assert f'href="{reverse("public:open-data")}"' in section
    assert "Download this area’s progress as open data" in section


def test_every_public_page_links_to_the_open_data_in_its_footer(client, world):
    urls = [
        "/",
        reverse("public:area", args=["testshire"]),
        reverse("public:area-finding", args=["testshire", world.finding.pk]),
        reverse("public:accessibility"),
        reverse("public:open-data"),
    ]
    for url in urls:
        content = download(client, url).content.decode()
        (footer,) = re.findall(r"<footer.*?</footer>", content, re.S)
        assert f'href="{reverse("public:open-data")}"' in footer, url
        assert ">Open data</a>" in footer, url
        assert 'href="/accessibility/"' in footer, url


# The whole public history


HISTORY_SECRETS = {
    "inspection notes": "SECRET notes on the 2017 inspection",
    "finding notes": "SECRET notes on a weakness",
    "plan notes": "SECRET notes on the written statement of action",
    "notice notes": "SECRET notes on the Improvement Notice",
    "direction notes": "SECRET notes on the statutory direction",
    "review result": "SECRET result the review gave the partners",
    "verdict commentary": "SECRET commentary on a verdict",
    "draft plan title": "SECRET priority action plan still being written",
    "draft plan name": "SECRET local name of the draft plan",
    "draft plan summary": "SECRET summary of the draft plan",
    "draft plan judgement": "SECRET judgement of the draft plan",
}
NOTICE_COVERS = "Assessments on time; joint commissioning of therapies."
DIRECTION_BASIS = "Section 497A(4B) Education Act 1996"
COMMISSIONER = "Jane Example, SEND Commissioner"


def history_url(slug="storyshire"):
    return reverse("public:area-open-data-history-json", args=[slug])


def section_url(section, slug="storyshire"):
    return reverse("public:area-open-data-history-csv", args=[slug, section])


def story_area(slug="storyshire", *, extra=0):
    """A real area's kind of story, with ``extra`` more of every record for query counts.

    A 2017 inspection needing a written statement of action (WSOA), judged fit;
    a 2019 revisit known only by its counts (1 of 3) and the accelerated plan
    after it; a DfE Improvement Notice (issued, reviewed and lifted) replaced
    by a statutory direction with a commissioner; a 2023 full inspection with
    outcome 3 and no wording recorded, which judged two of the 2017 findings;
    a strategic plan after it and a priority action plan still being written.
    """
    area = make_area(slug=slug)
    area.summary = "The council and the NHS work together for children with SEND."
    area.sources = "https://example.org/ofsted-letter\n\n https://example.org/dfe-notice "
    area.save()
    council = make_organisation(slug=f"{slug}-council", name=f"{area.name} Council")
    icb = make_organisation(
        slug=f"{slug}-icb", name=f"NHS {area.name} ICB", kind=Organisation.Kind.ICB
    )
    make_partner(area=area, organisation=icb, order=2)
    make_partner(area=area, organisation=council, order=1)

    first = make_inspection(
        area=area,
        ref="2017-inspection",
        start="2017-03",
        received="2017-05-10",
        published="2017-05-12",
        outcome=Inspection.Outcome.WSOA_REQUIRED,
    )
    first.notes = HISTORY_SECRETS["inspection notes"]
    first.sources = "https://example.org/ofsted-letter\nhttps://example.org/news"
    first.report_url = "https://example.org/ofsted-letter"
    first.save()
    weaknesses = [make_finding(inspection=first, number=n) for n in (1, 2, 3)]
    weaknesses[1].lead_organisation = icb
    weaknesses[1].wording = Finding.Wording.PARAPHRASE
    weaknesses[1].notes = HISTORY_SECRETS["finding notes"]
    weaknesses[1].families_summary = "Families wait too long for therapy."
    weaknesses[1].save()
    wsoa = make_plan(
        inspection=first,
        status=Plan.Status.FIT,
        submitted="2017-08-01",
        judged="2017-09",
        findings=weaknesses,
    )
    wsoa.judgement = "Fit for purpose"
    wsoa.judged_by = "Ofsted and CQC"
    wsoa.notes = HISTORY_SECRETS["plan notes"]
    wsoa.save()

    revisit = make_inspection(
        area=area,
        ref="2019-revisit",
        kind=Inspection.Kind.REVISIT,
        start="2019-11",
        outcome=Inspection.Outcome.REVISIT_REPORTED,
    )
    revisit.findings_judged, revisit.findings_resolved = 3, 1
    revisit.public_summary = "Inspectors found enough progress on one weakness of three."
    revisit.save()
    accelerated = make_plan(
        inspection=revisit,
        kind=Plan.Kind.ACCELERATED,
        status=Plan.Status.SUPERSEDED,
        published="2020-03",
    )
    wsoa.superseded_by = accelerated
    wsoa.save()

    notice = Intervention.objects.create(
        area=area,
        ref="improvement-notice-2020",
        kind=Intervention.Kind.IMPROVEMENT_NOTICE,
        covers=NOTICE_COVERS,
        review_every_months=6,
        public_summary="The government told the partners what they must improve.",
        notes=HISTORY_SECRETS["notice notes"],
        sources="https://example.org/dfe-notice",
    )
    notice.issued = PartialDate.parse("2020-06-15")
    notice.lifted = PartialDate.parse("2022-03")
    notice.save()
    for finding in (weaknesses[0], weaknesses[2]):
        InterventionFinding.objects.create(intervention=notice, finding=finding)
    direction = Intervention.objects.create(
        area=area,
        ref="direction-2022",
        kind=Intervention.Kind.STATUTORY_DIRECTION,
        title="Statutory direction on SEND services",
        issued_by="Secretary of State for Education",
        legal_basis=DIRECTION_BASIS,
        commissioner=COMMISSIONER,
        notes=HISTORY_SECRETS["direction notes"],
    )
    direction.issued = PartialDate.parse("2022-03-14")
    direction.save()
    notice.replaced_by = direction
    notice.save()

    notice_review = ProgressReview.objects.create(
        area=area,
        ref="notice-review-1",
        kind=ProgressReview.Kind.INTERVENTION_REVIEW,
        label="Six-month review",
        intervention=notice,
        result=HISTORY_SECRETS["review result"],
        public_summary="Advisers saw shorter waits for assessments.",
    )
    notice_review.held = PartialDate.parse("2020-12")
    notice_review.save()
    # An engagement meeting whose date is not known, and a review that closed a weakness.
    ProgressReview.objects.create(
        area=area, ref="engagement", kind=ProgressReview.Kind.ENGAGEMENT_MEETING
    )
    closing = make_review(area=area, ref="dfe-2021", held="2021-06-10", label="")
    Judgement.objects.create(
        finding=weaknesses[2],
        review=closing,
        verdict=Judgement.Verdict.CLOSED,
        commentary=HISTORY_SECRETS["verdict commentary"],
    )

    full = make_inspection(
        area=area,
        ref="2023-inspection",
        framework=Inspection.Framework.AREA_SEND_2023,
        start="2023-03-06",
        end="2023-03-10",
        received="2023-04-20",
        published="2023-04-25",
        outcome=Inspection.Outcome.SYSTEMIC,
    )
    for finding, verdict in (
        (weaknesses[0], Judgement.Verdict.NO_LONGER_PRIORITY),
        (weaknesses[1], Judgement.Verdict.STILL_PRIORITY),
    ):
        Judgement.objects.create(finding=finding, inspection=full, verdict=verdict)
    improvement = make_finding(inspection=full, number=1, kind=Finding.Kind.IMPROVEMENT)
    priorities = [make_finding(inspection=full, number=n) for n in (2, 1)]
    strategic = make_plan(
        inspection=full,
        kind=Plan.Kind.STRATEGIC,
        status=Plan.Status.PUBLISHED,
        published="2023-09-01",
        findings=[improvement],
    )
    strategic.public_summary = "How the partners will improve, for every family."
    strategic.save()
    draft = make_plan(
        inspection=full, kind=Plan.Kind.PRIORITY_ACTION, findings=priorities, ref="pap-2023"
    )
    draft.title = HISTORY_SECRETS["draft plan title"]
    draft.local_name = HISTORY_SECRETS["draft plan name"]
    draft.public_summary = HISTORY_SECRETS["draft plan summary"]
    draft.judgement = HISTORY_SECRETS["draft plan judgement"]
    draft.save()
    # The accelerated plan was replaced by the draft: the link is not public yet.
    accelerated.superseded_by = draft
    accelerated.save()

    for n in range(extra):
        more = make_inspection(area=area, ref=f"extra-{n}", start=f"2018-0{1 + n % 9}")
        extra_finding = make_finding(inspection=more, number=1)
        made = make_plan(
            inspection=more, status=Plan.Status.PUBLISHED, ref=f"extra-plan-{n}",
            findings=[extra_finding], submitted="2018-12-03",
        )  # fmt: skip
        made.superseded_by = wsoa
        made.save()
        Judgement.objects.create(
            finding=extra_finding, review=closing, verdict=Judgement.Verdict.STILL_MONITORED
        )
        other = Intervention.objects.create(
            area=area, ref=f"extra-intervention-{n}", kind=Intervention.Kind.OTHER,
            replaced_by=direction,
        )  # fmt: skip
        InterventionFinding.objects.create(intervention=other, finding=extra_finding)
        ProgressReview.objects.create(
            area=area, ref=f"extra-review-{n}", intervention=other,
            kind=ProgressReview.Kind.STOCKTAKE,
        )  # fmt: skip
        make_partner(area=area, organisation=make_organisation(slug=f"{slug}-partner-{n}"))
    return SimpleNamespace(
        area=area,
        first=first,
        weaknesses=weaknesses,
        revisit=revisit,
        full=full,
        improvement=improvement,
        priorities=priorities,
        notice=notice,
        direction=direction,
        wsoa=wsoa,
        accelerated=accelerated,
        strategic=strategic,
        draft=draft,
    )


@pytest.fixture
def story(db):
    return story_area()


def section_csv(client, section, slug="storyshire"):
    """The section's CSV as (header, rows as dicts)."""
    response = download(client, section_url(section, slug))
    header, *rows = csv_rows(response)
    return header, [dict(zip(header, row, strict=True)) for row in rows]


def by(rows, key):
    return {row[key]: row for row in rows}


def test_every_history_file_has_its_sections_columns_in_order(client, story):
    for section in SECTIONS:
        response = download(client, section_url(section.name))
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == (
            f'attachment; filename="storyshire-{section.name}.csv"'
        )
        assert response["Access-Control-Allow-Origin"] == "*"
        header, *rows = csv_rows(response)
        assert tuple(header) == section.column_names, section.name
        assert all(len(row) == len(header) for row in rows), section.name
        assert rows, f"{section.name} has no rows"
        # Every column is documented once, with a meaning and an example.
        assert len(set(section.column_names)) == len(section.columns), section.name
        assert all(column.meaning and column.example for column in section.columns)
    document = json_document(download(client, history_url()))
    assert list(document) == [name for name, _ in HISTORY_JSON_FIELDS]
    for section in SECTIONS:
        assert all(tuple(row) == section.column_names for row in document[section.name])


def test_the_partnership_file_names_the_partners_in_order_and_the_sources(client, story):
    _, (row,) = section_csv(client, "partnership")
    assert row == {
        "area": "Storyshire",
        "area_slug": "storyshire",
        "summary": "The council and the NHS work together for children with SEND.",
        "local_offer_url": "",
        "partners": "Storyshire Council; NHS Storyshire ICB",
        "sources": "https://example.org/ofsted-letter\nhttps://example.org/dfe-notice",
        "page_url": "http://testserver/areas/storyshire/",
    }


def test_inspections_give_the_outcome_in_the_frameworks_words_and_dates_at_their_precision(
    client, story
):
    _, rows = section_csv(client, "inspections")
    assert [row["inspection_ref"] for row in rows] == [
        "2017-inspection",
        "2019-revisit",
        "2023-inspection",
    ]
    first, revisit, full = rows
    assert first == {
        "area": "Storyshire",
        "area_slug": "storyshire",
        "inspection_ref": "2017-inspection",
        "title": "Joint local area SEND inspection",
        "framework": "2016",
        "kind": "Inspection",
        "start_date": "2017-03",
        "start_date_precision": "month",
        "end_date": "",
        "end_date_precision": "",
        "report_received": "2017-05-10",
        "report_received_precision": "day",
        "report_published": "2017-05-12",
        "report_published_precision": "day",
        "outcome": "wsoa_required",
        "outcome_label": "Written statement of action required",
        "outcome_statement": Inspection.OUTCOME_STATEMENTS[Inspection.Outcome.WSOA_REQUIRED],
        "outcome_text": "",
        "findings_judged": "",
        "findings_resolved": "",
        "verdict_counts": "",
        "public_summary": "",
        "report_url": "https://example.org/ofsted-letter",
        "sources": "https://example.org/ofsted-letter\nhttps://example.org/news",
    }
    # A revisit known only by its counts.
    assert (revisit["kind"], revisit["outcome"]) == ("Revisit", "revisit_reported")
    assert (revisit["findings_judged"], revisit["findings_resolved"]) == ("3", "1")
    assert revisit["verdict_counts"] == "Sufficient progress on 1 of 3 findings"
    assert revisit["public_summary"] == (
        "Inspectors found enough progress on one weakness of three."
    )
    # Outcome 3 with no wording recorded still says what outcome 3 means.
    assert full["framework"] == "2023"
    assert full["kind"] == "Full inspection"
    assert (full["start_date"], full["end_date"]) == ("2023-03-06", "2023-03-10")
    assert full["outcome"] == "3"
    assert full["outcome_label"] == "Outcome 3: widespread and/or systemic failings"
    assert full["outcome_statement"].startswith(
        "There are widespread and/or systemic failings leading to significant concerns"
    )
    assert full["outcome_text"] == ""


def test_an_inspection_with_no_outcome_yet_and_no_dates_comes_last_with_empty_cells(client, story):
    make_inspection(
        area=story.area,
        ref="2026-inspection",
        framework=Inspection.Framework.AREA_SEND_2023,
    )
    _, rows = section_csv(client, "inspections")
    last = rows[-1]
    assert last["inspection_ref"] == "2026-inspection"
    for name in ("start_date", "start_date_precision", "outcome", "outcome_statement"):
        assert last[name] == "", name
    assert json_document(download(client, history_url()))["inspections"][-1]["outcome"] is None


def test_findings_come_by_inspection_in_the_frameworks_order(client, story):
    _, rows = section_csv(client, "findings")
    assert [(row["inspection_ref"], row["finding"]) for row in rows] == [
        ("2017-inspection", "Area of significant weakness 1"),
        ("2017-inspection", "Area of significant weakness 2"),
        ("2017-inspection", "Area of significant weakness 3"),
        ("2023-inspection", "Area for priority action 1"),
        ("2023-inspection", "Area for priority action 2"),
        ("2023-inspection", "Area for improvement 1"),
    ]
    second = rows[1]
    assert second["finding_id"] == str(story.weaknesses[1].pk)
    assert second["kind"] == "Area of significant weakness"
    assert second["number"] == "2"
    assert second["wording"] == "A paraphrase of the inspectors' words"
    assert second["lead_partner"] == "NHS Storyshire ICB"
    assert second["families_summary"] == "Families wait too long for therapy."
    assert second["finding_url"] == (
        f"http://testserver/areas/storyshire/findings/{story.weaknesses[1].pk}/"
    )
    assert client.get(second["finding_url"]).status_code == 200
    assert rows[0]["lead_partner"] == ""


def test_verdicts_name_their_finding_and_source_including_a_later_full_inspection(client, story):
    _, rows = section_csv(client, "verdicts")
    found = [
        (row["finding"], row["judged_at"], row["judged_at_ref"], row["verdict"], row["resolved"])
        for row in rows
    ]
    assert found == [
        ("Area of significant weakness 1", "inspection", "2023-inspection",
         "No longer needs priority action", "true"),
        ("Area of significant weakness 2", "inspection", "2023-inspection",
         "Still needs priority action", "false"),
        ("Area of significant weakness 3", "review", "dfe-2021", "Closed by DfE review", "true"),
    ]  # fmt: skip
    full, _, review = rows
    assert (full["judged_on"], full["judged_on_precision"]) == ("2023-03-06", "day")
    assert full["judged_at_name"] == "Area SEND inspection"
    assert full["verdict_code"] == "no_longer_priority"
    assert full["finding_id"] == str(story.weaknesses[0].pk)
    assert full["inspection_ref"] == "2017-inspection"
    assert (review["judged_on"], review["judged_at_name"]) == ("2021-06-10", "Progress review")


def test_every_review_is_an_event_with_its_summary_and_never_its_result(client, story):
    _, rows = section_csv(client, "reviews")
    assert [row["review_ref"] for row in rows] == ["notice-review-1", "dfe-2021", "engagement"]
    notice_review, closing, meeting = rows
    assert notice_review == {
        "area": "Storyshire",
        "area_slug": "storyshire",
        "review_ref": "notice-review-1",
        "kind": "Review of an intervention",
        "name": "Six-month review",
        "held_on": "2020-12",
        "held_on_precision": "month",
        "label": "Six-month review",
        "conducted_by": "DfE and NHS England",
        "intervention_ref": "improvement-notice-2020",
        "public_summary": "Advisers saw shorter waits for assessments.",
    }
    assert "result" not in notice_review
    assert (closing["kind"], closing["name"], closing["intervention_ref"]) == (
        "Progress review",
        "Progress review",
        "",
    )
    assert (meeting["kind"], meeting["held_on"], meeting["held_on_precision"]) == (
        "Engagement meeting",
        "",
        "",
    )


def test_interventions_say_what_who_when_and_what_they_cover(client, story, monkeypatch):
    _, rows = section_csv(client, "interventions")
    notice, direction = rows
    assert notice == {
        "area": "Storyshire",
        "area_slug": "storyshire",
        "intervention_ref": "improvement-notice-2020",
        "kind": "Improvement Notice",
        "name": "Improvement Notice",
        "issued_on": "2020-06-15",
        "issued_on_precision": "day",
        "issued_by": "Department for Education",
        "legal_basis": "",
        "covers": NOTICE_COVERS,
        "commissioner": "",
        "review_every_months": "6",
        "lifted_on": "2022-03",
        "lifted_on_precision": "month",
        "in_force": "false",
        "replaced_by": "direction-2022",
        "findings_covered": (
            "2017-inspection: Area of significant weakness 1; "
            "2017-inspection: Area of significant weakness 3"
        ),
        "public_summary": "The government told the partners what they must improve.",
        "sources": "https://example.org/dfe-notice",
    }
    assert direction["kind"] == "Statutory direction"
    assert direction["name"] == "Statutory direction on SEND services"
    assert direction["issued_by"] == "Secretary of State for Education"
    assert direction["legal_basis"] == DIRECTION_BASIS
    assert direction["commissioner"] == COMMISSIONER
    assert (direction["lifted_on"], direction["in_force"]) == ("", "true")
    assert direction["findings_covered"] == ""
    # In the JSON the same facts, with real numbers, booleans and nulls.
    records = by(
        json_document(download(client, history_url()))["interventions"], "intervention_ref"
    )
    assert records["improvement-notice-2020"]["review_every_months"] == 6
    assert records["improvement-notice-2020"]["in_force"] is False
    assert records["direction-2022"]["in_force"] is True
    assert records["direction-2022"]["lifted_on"] is None


def test_an_intervention_is_in_force_only_from_its_issue_until_it_is_lifted(client, story):
    story.direction.issued = PartialDate.parse(str(timezone.localdate().year + 1))
    story.direction.save()
    rows = by(section_csv(client, "interventions")[1], "intervention_ref")
    assert rows["direction-2022"]["in_force"] == "false"
    assert rows["direction-2022"]["issued_on"] == str(timezone.localdate().year + 1)
    assert rows["direction-2022"]["issued_on_precision"] == "year"


def test_plans_are_those_the_public_may_see_with_their_dates_and_judgement(client, story):
    _, rows = section_csv(client, "plans")
    plans = by(rows, "plan_ref")
    assert list(plans) == [story.wsoa.ref, story.accelerated.ref, story.strategic.ref]
    wsoa = plans[story.wsoa.ref]
    assert wsoa["kind"] == "Written statement of action"
    assert wsoa["status"] == "Judged fit for purpose"
    assert wsoa["responds_to"] == "2017-inspection"
    assert (wsoa["submitted_on"], wsoa["submitted_on_precision"]) == ("2017-08-01", "day")
    assert (wsoa["judged_on"], wsoa["judged_on_precision"]) == ("2017-09", "month")
    assert (wsoa["judgement"], wsoa["judged_by"]) == ("Fit for purpose", "Ofsted and CQC")
    assert wsoa["superseded_by"] == story.accelerated.ref
    assert wsoa["findings_addressed"] == "; ".join(
        f"2017-inspection: Area of significant weakness {n}" for n in (1, 2, 3)
    )
    assert wsoa["is_illustrative"] == "false"
    accelerated = plans[story.accelerated.ref]
    assert accelerated["status"] == "Replaced by a later plan"
    assert accelerated["responds_to"] == "2019-revisit"
    # Replaced by a plan still being written: the link is not public.
    assert accelerated["superseded_by"] == ""
    assert accelerated["findings_addressed"] == ""
    strategic = plans[story.strategic.ref]
    assert strategic["public_summary"] == "How the partners will improve, for every family."
    assert strategic["findings_addressed"] == "2023-inspection: Area for improvement 1"


def test_the_plans_due_dates_are_those_of_public_plans_only(client, story):
    _, rows = section_csv(client, "deadlines")
    assert rows
    assert {row["plan_ref"] for row in rows} <= {
        "",  # a date about an inspection itself
        story.wsoa.ref,
        story.accelerated.ref,
        story.strategic.ref,
    }
    wsoa = [row for row in rows if row["plan_ref"] == story.wsoa.ref]
    assert wsoa, "The written statement of action has its statutory deadline"
    submitted = wsoa[0]
    # 70 working days after the report was received on 10 May 2017 (29 May was a bank
    # holiday); met on 1 August 2017.
    assert (submitted["due_date"], submitted["due_date_precision"]) == ("2017-08-17", "day")
    assert submitted["status"] == "met"
    assert (submitted["met_on"], submitted["met_on_precision"]) == ("2017-08-01", "day")
    assert "10 May 2017" in submitted["counted_from"]
    assert submitted["approximate"] == "false"
    assert submitted["inspection_ref"] == "2017-inspection"
    assert submitted["description"] == "Due 17 August 2017 – met on 1 August 2017"
    assert submitted["rule_source"]
    statuses = ("met", "due", "overdue", "unknown", "ended", "no_date")
    assert all(row["status"] in statuses for row in rows)
    # The 2023 inspection's own dates (such as the next inspection) have no plan.
    own = [row for row in rows if row["plan_ref"] == ""]
    assert {row["inspection_ref"] for row in own} <= {"2017-inspection", "2023-inspection"}


@pytest.mark.parametrize("url", [lambda: history_url(), *(
    (lambda name=section.name: section_url(name)) for section in SECTIONS
)])  # fmt: skip
def test_nothing_internal_or_unpublished_is_in_the_history_files(client, story, url):
    body = download(client, url()).content.decode("utf-8")
    found = [what for what, secret in HISTORY_SECRETS.items() if secret.lower() in body.lower()]
    assert not found, f"Not public, yet in the file: {found}"
    assert "SECRET" not in body
    assert "pap-2023" not in body  # the plan still being written
    assert "Priority action plan" not in body


def test_the_history_json_has_every_section_and_its_text_unescaped(client, story):
    story.notice.covers = '=HYPERLINK("https://example.org")'
    story.notice.save()
    document = json_document(download(client, history_url()))
    assert document["area"] == "Storyshire"
    assert document["licence"] == LICENCE
    assert document["documentation"] == "http://testserver" + reverse("public:open-data")
    generated = datetime.datetime.fromisoformat(document["generated_at"])
    assert abs(generated - timezone.now()) < datetime.timedelta(minutes=5)
    assert [row["inspection_ref"] for row in document["inspections"]] == [
        "2017-inspection",
        "2019-revisit",
        "2023-inspection",
    ]
    revisit = document["inspections"][1]
    assert (revisit["findings_judged"], revisit["findings_resolved"]) == (3, 1)
    assert document["findings"][0]["finding_id"] == story.weaknesses[0].pk
    notice = document["interventions"][0]
    assert notice["covers"] == '=HYPERLINK("https://example.org")'
    # The CSV makes the same text inert for spreadsheets.
    csv_notice = section_csv(client, "interventions")[1][0]
    assert csv_notice["covers"] == "'" + notice["covers"]
    # Every section's CSV is the JSON's list, unescaped.
    for section in SECTIONS:
        _, rows = section_csv(client, section.name)
        assert len(rows) == len(document[section.name]), section.name
        for row, record in zip(rows, document[section.name], strict=True):
            for name, value in record.items():
                if value is None:
                    assert row[name] == "", (section.name, name)
                elif isinstance(value, bool):
                    assert row[name] == str(value).lower(), (section.name, name)
                else:
                    assert unescape_formula(row[name]) == str(value), (section.name, name)


def test_an_area_with_no_history_has_headers_and_empty_lists(client, db):
    make_area(slug="newshire")
    document = json_document(download(client, history_url("newshire")))
    for section in SECTIONS:
        header, rows = section_csv(client, section.name, "newshire")
        assert tuple(header) == section.column_names
        expected = 1 if section.name == "partnership" else 0  # the area itself
        assert len(rows) == len(document[section.name]) == expected, section.name
    (partnership,) = document["partnership"]
    assert partnership["partners"] is None
    assert partnership["summary"] is None


def test_another_areas_history_is_not_in_the_files(client, story):
    story_area("otherton")
    body = download(client, history_url()).content.decode()
    assert "otherton" not in body.lower()
    other = json_document(download(client, history_url("otherton")))
    assert {row["area_slug"] for row in other["inspections"]} == {"otherton"}


@pytest.mark.parametrize(
    "url",
    [
        lambda: history_url("nowhere"),
        lambda: section_url("inspections", "nowhere"),
        lambda: section_url("notes"),
        lambda: section_url("history"),
        lambda: "/areas/storyshire/open-data/inspections.json",
    ],
)
def test_an_unknown_area_or_file_is_not_found(client, story, url):
    assert client.get(url()).status_code == 404


def count_history_queries(client, url):
    clear_public_cache()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_history_queries_do_not_grow_with_the_history(client):
    story_area("small")
    story_area("large", extra=8)
    urls = [history_url] + [
        (lambda slug, name=section.name: section_url(name, slug)) for section in SECTIONS
    ]
    for url in urls:
        small = count_history_queries(client, url("small"))
        large = count_history_queries(client, url("large"))
        assert small == large, url("large")
    # The whole history: the area, one or two queries for each section but the due dates,
    # and at most twelve for those (see the next test), and the cache's look at the clock.
    assert count_history_queries(client, history_url("large")) <= 24
    large = json_document(download(client, history_url("large")))
    assert len(large["interventions"]) == 10
    assert len(large["plans"]) == 11


def test_each_history_section_function_takes_a_fixed_number_of_queries(
    story, django_assert_num_queries, django_assert_max_num_queries
):
    expected = {
        "partnership": 1,
        "inspections": 1,
        "findings": 1,
        "verdicts": 1,
        "reviews": 1,
        "interventions": 2,
        "plans": 3,  # the plans, the findings they address and the interventions they answer
    }
    today = timezone.localdate()
    for name, queries in expected.items():
        with django_assert_num_queries(queries):
            history_module.section_records(
                history_module.SECTIONS_BY_NAME[name], story.area, absolute=str, today=today
            )
    # The plans and inspections, and at most five each for their rules, the records the rules
    # are worked out against and the dates stated in letters (actions.deadlines).
    with django_assert_max_num_queries(12):
        history_module.section_records(
            history_module.SECTIONS_BY_NAME["deadlines"], story.area, absolute=str, today=today
        )


def test_a_second_history_download_is_served_from_the_cache(
    client, story, django_assert_num_queries
):
    first = download(client, section_url("interventions"))
    with django_assert_num_queries(0):
        second = download(client, section_url("interventions"))
    assert second.content == first.content
    story.notice.public_summary = "Changed."
    story.notice.save()  # any save clears the cache
    assert b"Changed." in download(client, section_url("interventions")).content


def test_the_guide_for_developers_documents_every_history_column_as_the_page_does():
    """docs/plan-spreadsheets.md has each section's table, word for word from public/history.py."""
    guide = (Path(settings.BASE_DIR) / "docs" / "plan-spreadsheets.md").read_text()
    for section in SECTIONS:
        assert f"#### {section.title}: `{section.file_name}`" in guide, section.name
        for column in section.columns:
            meaning, example = (
                text.replace("|", "\\|") for text in (column.meaning, column.example)
            )
            row = f"| `{column.name}` | {meaning} | {example} |"
            assert row in guide, f"{section.file_name}: {column.name} is not documented as {row}"


def test_a_plan_names_the_interventions_it_answers(db):
    area = make_area(slug="noticeshire")
    inspection = make_inspection(area=area, outcome="wsoa_required", start="2019-05-13")
    plan = make_plan(inspection=inspection, findings=[make_finding(inspection=inspection)])
    plan.status = "published"
    plan.save()
    notice = Intervention.objects.create(
        area=area, ref="improvement-notice-2023", kind="improvement_notice"
    )
    PlanIntervention.objects.create(plan=plan, intervention=notice)
    [row] = history_module.plan_rows(area, absolute=str)
    assert row["interventions_answered"] == "improvement-notice-2023"
