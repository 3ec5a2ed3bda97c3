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
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import Plan
from inspections.models import Inspection, Judgement
from kit.tabular import unescape_formula
from progress import workflow
from progress.models import Evidence, ProgressUpdate
from public.cache import clear_public_cache
from public.opendata import COLUMN_NAMES, COLUMNS, JSON_FIELDS, LICENCE, LICENCE_URL
from tests.factories import (
    make_action,
    make_area,
    make_finding,
    make_inspection,
    make_organisation,
    make_plan,
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


def test_the_documentation_page_describes_every_column(client, world):
    page = download(client, reverse("public:open-data"))

    assert unescape(text(page, tag="title")) == "Open data – SEND Improvement Portal"
    assert texts(page, tag="h1") == ["Open data"]
    rows = {row.split(" ", 1)[0]: row for row in texts(page, tag="tr")}
    for column in COLUMNS:
        assert column.name in rows, column.name
        assert column.meaning in rows[column.name], column.name
        assert column.example in rows[column.name], column.name
    # The documented columns are exactly the file's, in the file's order.
    documented = [name for name in rows if name in COLUMN_NAMES]
    header = csv_rows(download(client, csv_url()))[0]
    assert documented == header
    # And the JSON file's own keys.
    for name, _ in JSON_FIELDS:
        assert f"<code>{name}</code>" in page.content.decode(), name


def test_the_documentation_page_explains_the_data_and_links_to_every_file(client, world):
    page = download(client, reverse("public:open-data"))
    body = main(page)
    content = page.content.decode()

    for slug in ("testshire", "otherton"):
        assert f'href="{csv_url(slug)}"' in content, slug
        assert f'href="{json_url(slug)}"' in content, slug
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
