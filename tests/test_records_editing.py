"""The board's pages for adding and editing an area's records.

Inspections, findings, verdicts, plans, actions, milestones, measures, their
values and board meetings: only officers and area administrators (Can.EDIT)
may add or change them. Every record type is put through the same checks
(the CASES table): it is created and edited with history, missing and
impossible values show GOV.UK messages on the page and save nothing,
duplicates show on the field, board members get 403, members of another
area 404, visitors are sent to sign in, and a stale form gets the 409
conflict page while the first person's change stays.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from actions.models import ActionItem, Milestone, Plan, PlanFinding
from inspections.models import Finding, Inspection, Judgement, Membership, Organisation
from kit.dates import Precision
from progress.models import BoardMeeting, Measure, MeasureValue, YouSaidWeDid
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
from tests.html_forms import form_values

pytestmark = pytest.mark.django_db

User = get_user_model()
Role = Membership.Role
D = datetime.date


def person(username, first, last):
    return User.objects.create_user(username=username, first_name=first, last_name=last)


def member(user, area, role, organisation=None):
    Membership.objects.create(user=user, area=area, role=role, organisation=organisation)
    return user


@pytest.fixture
def w(db):
    """Testshire with an inspection, its revisit, a plan and one of everything; and Otherton."""
    return make_world()


def make_world():
    area = make_area(slug="testshire")
    council = make_organisation(slug="testshire-council")
    make_partner(area=area, organisation=council)
    icb = make_organisation(slug="testshire-icb", kind=Organisation.Kind.ICB)
    make_partner(area=area, organisation=icb, order=1)
    inspection = make_inspection(
        area=area,
        start="2018-03-12",
        end="2018-03-16",
        received="2018-05-16",
        published="2018-05-24",
        outcome=Inspection.Outcome.WSOA_REQUIRED,
    )
    finding1 = make_finding(inspection=inspection, number=1)
    finding2 = make_finding(inspection=inspection, number=2)
    revisit = make_inspection(
        area=area, ref="2021-revisit", kind=Inspection.Kind.REVISIT, start="2021-11"
    )
    judgement = Judgement.objects.create(
        finding=finding1, inspection=revisit, verdict=Judgement.Verdict.INSUFFICIENT
    )
    plan = make_plan(inspection=inspection, ref="wsoa-2018", findings=[finding1, finding2])
    action = make_action(plan=plan, finding=finding1, lead=council, ref="1.1")
    milestone = Milestone.objects.create(
        action=action, title="Staff trained", due_date=D(2019, 1, 31)
    )
    measure = Measure.objects.create(
        area=area,
        slug="ehcp-20-weeks",
        name="EHC plans issued within 20 weeks",
        definition="New EHC plans issued within 20 weeks, excluding exceptions, per quarter.",
        source="SEN2",
        unit=Measure.Unit.PERCENT,
    )
    value = MeasureValue.objects.create(
        measure=measure, period_end=D(2019, 3, 31), value=Decimal("40.00")
    )
    meeting = BoardMeeting.objects.create(area=area, held_on=D(2019, 2, 1))
    you_said = YouSaidWeDid.objects.create(
        area=area, heard_on=D(2019, 3, 1), you_said="Waits are too long.", we_did="More clinics."
    )

    officer = member(person("olive", "Olive", "Officer"), area, Role.OFFICER, council)
    admin = member(person("ada", "Ada", "Admin"), area, Role.AREA_ADMIN)
    board_member = member(person("bob", "Bob", "Board"), area, Role.BOARD_MEMBER)

    other = make_area(slug="otherton")
    other_council = make_organisation(slug="otherton-council")
    make_partner(area=other, organisation=other_council)
    other_inspection = make_inspection(area=other)
    other_finding = make_finding(inspection=other_inspection, number=1)
    other_plan = make_plan(inspection=other_inspection, ref="wsoa-2018", findings=[other_finding])
    other_action = make_action(plan=other_plan, finding=other_finding, lead=other_council)
    outsider = member(person("otto", "Otto", "Outsider"), other, Role.AREA_ADMIN)

    return SimpleNamespace(**locals())


def url(name, w, *args):
    return reverse(name, args=[w.area.slug, *args])


def date_parts(name, day, month, year):
    return {f"{name}_0": str(day), f"{name}_1": str(month), f"{name}_2": str(year)}


def history_of(obj):
    return list(type(obj).history.filter(id=obj.pk).order_by("history_date", "history_id"))


def errors_on(response, name):
    return [str(message) for message in response.context["form"].errors.get(name, [])]


@dataclass
class Case:
    """One record type and how to drive its pages."""

    key: str
    model: Any
    create_url: Any  # (w) -> url
    edit_url: Any  # (w) -> url of the existing record
    existing: Any  # (w) -> the existing record
    create_data: Any  # (w) -> a valid POST for a new record
    created: Any  # (w) -> the new record, found by what create_data sent
    edit: dict  # form field -> typed value for an edit
    edited: Any  # (obj) -> the value that should now be stored
    expected: Any  # the stored value after the edit
    required: tuple  # (field to leave out, message)
    bad_date: tuple | None = None  # (POST changes, field, message)
    duplicate: Any = None  # (w) -> (POST changes, field, message)


CASES = [
    Case(
        key="inspection",
        model=Inspection,
        create_url=lambda w: url("inspections:inspection-create", w),
        edit_url=lambda w: url("inspections:inspection-edit", w, w.inspection.pk),
        existing=lambda w: w.inspection,
        create_data=lambda w: {
            "ref": "2026-full",
            "framework": "2023",
            "kind": "full",
            "start_date": "2026-01",
            "end_date": "",
            "report_received": "",
            "report_published": "2026",
            "outcome": "",
            "outcome_text": "",
            "report_url": "",
            "notes": "",
            "sources": "",
        },
        created=lambda w: Inspection.objects.get(area=w.area, ref="2026-full"),
        edit={"report_url": "https://reports.ofsted.gov.uk/provider/44/80567"},
        edited=lambda obj: obj.report_url,
        expected="https://reports.ofsted.gov.uk/provider/44/80567",
        required=("ref", "Enter the inspection reference"),
        bad_date=(
            {"start_date": "2018-02-30"},
            "start_date",
            "The start date is not a real date: February 2018 has 28 days",
        ),
        duplicate=lambda w: (
            {"ref": "2018-inspection"},
            "ref",
            "Another inspection in this area already has this reference.",
        ),
    ),
    Case(
        key="finding",
        model=Finding,
        create_url=lambda w: url("inspections:finding-create", w, w.inspection.pk),
        edit_url=lambda w: url("inspections:finding-edit", w, w.finding2.pk),
        existing=lambda w: w.finding2,
        create_data=lambda w: {
            "kind": "significant_weakness",
            "number": "3",
            "text": "Weak co-production with families.",
            "wording": "verbatim",
            "lead_organisation": str(w.icb.pk),
            "notes": "",
        },
        created=lambda w: Finding.objects.get(inspection=w.inspection, number=3),
        edit={"text": "Weak joint commissioning."},
        edited=lambda obj: obj.text,
        expected="Weak joint commissioning.",
        required=("text", "Enter what the inspectors found"),
        duplicate=lambda w: (
            {"number": "1"},
            "number",
            "Another finding of this kind in this inspection already has this number.",
        ),
    ),
    Case(
        key="judgement",
        model=Judgement,
        create_url=lambda w: url("inspections:judgement-create", w, w.revisit.pk),
        edit_url=lambda w: url("inspections:judgement-edit", w, w.judgement.pk),
        existing=lambda w: w.judgement,
        create_data=lambda w: {
            "finding": str(w.finding2.pk),
            "verdict": "sufficient_progress",
            "commentary": "Families notice the difference.",
        },
        created=lambda w: Judgement.objects.get(finding=w.finding2, inspection=w.revisit),
        edit={"verdict": "sufficient_progress"},
        edited=lambda obj: obj.verdict,
        expected="sufficient_progress",
        required=("verdict", "Select the verdict"),
        duplicate=lambda w: (
            {"finding": str(w.finding1.pk)},
            "finding",
            "This inspection has already given a verdict on this finding.",
        ),
    ),
    Case(
        key="plan",
        model=Plan,
        create_url=lambda w: url("actions:plan-create", w),
        edit_url=lambda w: url("actions:plan-edit", w, w.plan.pk),
        existing=lambda w: w.plan,
        create_data=lambda w: {
            "ref": "app-2022",
            "kind": "accelerated_progress_plan",
            "responds_to": str(w.revisit.pk),
            "title": "Accelerated progress plan for Testshire",
            "local_name": "",
            "status": "draft",
            "submitted_on": "2022-02",
            "judged_on": "",
            "judgement": "",
            "judged_by": "",
            "published_on": "",
            "closed_on": "",
            "superseded_by": "",
            "public_summary": "",
            "notes": "",
            "sources": "",
        },
        created=lambda w: Plan.objects.get(area=w.area, ref="app-2022"),
        edit={"status": "submitted", "submitted_on": "2018-08"},
        edited=lambda obj: (obj.status, obj.submitted_on, obj.submitted_on_precision),
        expected=("submitted", D(2018, 8, 1), Precision.MONTH),
        required=("title", "Enter the plan title"),
        bad_date=(
            {"submitted_on": "2019-13"},
            "submitted_on",
            "The date submitted is not a real date: there is no month 13",
        ),
        duplicate=lambda w: (
            {"ref": "wsoa-2018"},
            "ref",
            "Another plan in this area already has this reference.",
        ),
    ),
    Case(
        key="action",
        model=ActionItem,
        create_url=lambda w: url("actions:action-create", w, w.plan.pk),
        edit_url=lambda w: url("actions:action-edit", w, w.action.pk),
        existing=lambda w: w.action,
        create_data=lambda w: {
            "ref": "2.1",
            "finding": str(w.finding2.pk),
            "title": "Publish a new Local Offer",
            "description": "",
            "lead_organisation": str(w.icb.pk),
            "lead_officer": str(w.officer.pk),
            **date_parts("start_date", "", "", ""),
            **date_parts("due_date", 31, 3, 2027),
            "success_criteria": "Families can find what they need.",
            "public_summary": "",
        },
        created=lambda w: ActionItem.objects.get(plan=w.plan, ref="2.1"),
        edit={"title": "Train every SENCO"},
        edited=lambda obj: obj.title,
        expected="Train every SENCO",
        required=("title", "Enter the action title"),
        bad_date=(
            date_parts("due_date", 31, 2, 2027),
            "due_date",
            "The due date must be a real date",
        ),
        duplicate=lambda w: (
            {"ref": "1.1"},
            "ref",
            "Another action in this plan already has this reference.",
        ),
    ),
    Case(
        key="milestone",
        model=Milestone,
        create_url=lambda w: url("actions:milestone-create", w, w.action.pk),
        edit_url=lambda w: url("actions:milestone-edit", w, w.milestone.pk),
        existing=lambda w: w.milestone,
        create_data=lambda w: {
            "title": "Half of schools visited",
            **date_parts("due_date", 30, 6, 2019),
            **date_parts("completed_on", "", "", ""),
            "notes": "",
        },
        created=lambda w: Milestone.objects.get(title="Half of schools visited"),
        edit={"title": "All staff trained"},
        edited=lambda obj: obj.title,
        expected="All staff trained",
        required=("title", "Enter the milestone"),
        bad_date=(
            date_parts("due_date", 30, 6, ""),
            "due_date",
            "The due date must include a year",
        ),
    ),
    Case(
        key="measure",
        model=Measure,
        create_url=lambda w: url("progress:measure-create", w),
        edit_url=lambda w: url("progress:measure-edit", w, w.measure.pk),
        existing=lambda w: w.measure,
        create_data=lambda w: {
            "name": "Families who feel listened to",
            "slug": "families-listened-to",
            "definition": "Share of survey answers agreeing, each spring.",
            "source": "Parent carer forum survey",
            "unit": "percent",
            "higher_is_better": "on",
            "baseline": "31.5",
            **date_parts("baseline_date", 1, 4, 2019),
            "target": "60",
            **date_parts("target_date", 1, 4, 2021),
            "national_comparator": "",
            "national_comparator_label": "",
            "plan": str(w.plan.pk),
            "finding": str(w.finding1.pk),
            "is_public": "on",
        },
        created=lambda w: Measure.objects.get(area=w.area, slug="families-listened-to"),
        edit={"target": "75.5"},
        edited=lambda obj: obj.target,
        expected=Decimal("75.50"),
        required=("name", "Enter the name of the measure"),
        bad_date=(
            date_parts("target_date", 31, 4, 2021),
            "target_date",
            "The target date must be a real date",
        ),
        duplicate=lambda w: (
            {"slug": "ehcp-20-weeks"},
            "slug",
            "Another measure in this area already has this short name.",
        ),
    ),
    Case(
        key="value",
        model=MeasureValue,
        create_url=lambda w: url("progress:value-create", w, w.measure.pk),
        edit_url=lambda w: url("progress:value-edit", w, w.value.pk),
        existing=lambda w: w.value,
        create_data=lambda w: {
            **date_parts("period_end", 30, 6, 2019),
            "period_label": "Q1 2019-20",
            "value": "",
            "numerator": "45",
            "denominator": "60",
            "note": "",
        },
        created=lambda w: MeasureValue.objects.get(measure=w.measure, period_end=D(2019, 6, 30)),
        edit={"value": "42.5"},
        edited=lambda obj: obj.value,
        expected=Decimal("42.50"),
        required=("numerator", "Enter the number meeting the measure"),
        bad_date=(
            date_parts("period_end", 0, 6, 2019),
            "period_end",
            "The end of the period must be a real date",
        ),
        duplicate=lambda w: (
            date_parts("period_end", 31, 3, 2019),
            "period_end",
            "This measure already has a value for this period.",
        ),
    ),
    Case(
        key="meeting",
        model=BoardMeeting,
        create_url=lambda w: url("progress:meeting-create", w),
        edit_url=lambda w: url("progress:meeting-edit", w, w.meeting.pk),
        existing=lambda w: w.meeting,
        create_data=lambda w: {
            **date_parts("held_on", 14, 5, 2019),
            "title": "SEND improvement board",
            "what_was_said": "Waiting times are falling.",
            "what_we_will_do": "",
            "internal_minutes": "",
            # Not published: another officer publishes what this one wrote (two-person rule).
        },
        created=lambda w: BoardMeeting.objects.get(area=w.area, held_on=D(2019, 5, 14)),
        edit={"internal_minutes": "Agreed the new dates."},
        edited=lambda obj: obj.internal_minutes,
        expected="Agreed the new dates.",
        required=("held_on_0", "Enter the date of the meeting"),
        bad_date=(
            date_parts("held_on", 14, 5, 19),
            "held_on",
            "The date of the meeting must have a 4-digit year, like 2026",
        ),
        duplicate=lambda w: (
            date_parts("held_on", 1, 2, 2019),
            "held_on",
            "This board already has a meeting on this date.",
        ),
    ),
    Case(
        key="you-said",
        model=YouSaidWeDid,
        create_url=lambda w: url("progress:you-said-create", w),
        edit_url=lambda w: url("progress:you-said-edit", w, w.you_said.pk),
        existing=lambda w: w.you_said,
        create_data=lambda w: {
            **date_parts("heard_on", 10, 6, 2019),
            "source": "Parent carer forum survey",
            "you_said": "Nobody explained the wait.",
            "we_did": "We now write to every family on the list.",
        },
        created=lambda w: YouSaidWeDid.objects.get(area=w.area, heard_on=D(2019, 6, 10)),
        edit={"we_did": "We now phone every family on the list."},
        edited=lambda obj: obj.we_did,
        expected="We now phone every family on the list.",
        required=("you_said", "Enter what families said"),
        bad_date=(
            date_parts("heard_on", 31, 2, 2019),
            "heard_on",
            "The date families raised it must be a real date",
        ),
        duplicate=None,
    ),
]

by_key = pytest.mark.parametrize("case", CASES, ids=[case.key for case in CASES])
DATED = [case for case in CASES if case.bad_date]
UNIQUE = [case for case in CASES if case.duplicate]


def without(data, name):
    data = dict(data)
    if name.endswith("_0"):
        stem = name[:-2]
        for part in ("_0", "_1", "_2"):
            data[stem + part] = ""
    else:
        data[name] = ""
    return data


def snapshot(case, w):
    """Everything a failed or refused request must leave alone."""
    obj = case.existing(w)
    obj.refresh_from_db()
    return case.model.objects.count(), case.model.history.count(), obj.version


# Creating


@by_key
def test_an_officer_creates_the_record_with_history(client, w, case):
    client.force_login(w.officer)
    page = client.get(case.create_url(w))
    assert page.status_code == 200
    assert "Reason for this change" in page.text

    response = client.post(case.create_url(w), case.create_data(w))

    assert response.status_code == 302, response.context["form"].errors
    created = case.created(w)
    assert created.version == 1
    first = history_of(created)[0]
    assert first.history_type == "+"
    assert first.history_user == w.officer
    # Public text published as it is created carries its reading age (plain-English check).
    # A "You said, we did" entry is created unpublished here (another officer publishes it:
    # the two-person rule); tests/progress/test_plain_english.py publishes one.
    assert first.history_change_reason in ("Created", "Created; reading age 6")


@by_key
def test_missing_required_values_show_the_gov_uk_message_and_save_nothing(client, w, case):
    client.force_login(w.officer)
    before = snapshot(case, w)
    name, message = case.required

    response = client.post(case.create_url(w), without(case.create_data(w), name))

    assert response.status_code == 200
    assert message in response.text
    assert "There is a problem" in response.text
    assert response.context["form"].errors
    assert snapshot(case, w) == before


@pytest.mark.parametrize("case", DATED, ids=[case.key for case in DATED])
def test_impossible_dates_are_explained(client, w, case):
    client.force_login(w.officer)
    before = snapshot(case, w)
    changes, name, message = case.bad_date

    response = client.post(case.create_url(w), {**case.create_data(w), **changes})

    assert response.status_code == 200
    assert message in errors_on(response, name)
    assert message in response.text
    assert snapshot(case, w) == before


@pytest.mark.parametrize("case", UNIQUE, ids=[case.key for case in UNIQUE])
def test_a_duplicate_shows_on_its_field_not_as_an_error_page(client, w, case):
    client.force_login(w.officer)
    before = snapshot(case, w)
    changes, name, message = case.duplicate(w)

    response = client.post(case.create_url(w), {**case.create_data(w), **changes})

    assert response.status_code == 200
    assert errors_on(response, name) == [message]
    assert snapshot(case, w) == before


@pytest.mark.parametrize("case", UNIQUE, ids=[case.key for case in UNIQUE])
def test_editing_a_record_to_duplicate_another_is_refused_on_the_field(client, w, case):
    """The duplicate check must also hold when an existing record is changed."""
    client.force_login(w.officer)
    assert client.post(case.create_url(w), case.create_data(w)).status_code == 302
    created = case.created(w)
    edit_url = case.edit_url(w).replace(f"/{case.existing(w).pk}/", f"/{created.pk}/")
    changes, name, message = case.duplicate(w)
    data = {**form_values(client.get(edit_url).text), **changes, "change_reason": "Try"}

    response = client.post(edit_url, data)

    assert response.status_code == 200
    assert errors_on(response, name) == [message]
    created.refresh_from_db()
    assert created.version == 1


# Editing


@by_key
def test_an_officer_edits_the_record_with_a_reason(client, w, case):
    client.force_login(w.officer)
    obj = case.existing(w)
    page = client.get(case.edit_url(w))
    assert page.status_code == 200
    data = {**form_values(page.text), **case.edit, "change_reason": "Agreed at the board"}
    assert data["version"] == str(obj.version)

    response = client.post(case.edit_url(w), data)

    assert response.status_code == 302, response.context["form"].errors
    obj.refresh_from_db()
    assert case.edited(obj) == case.expected
    assert obj.version == 2
    latest = history_of(obj)[-1]
    assert latest.history_user == w.officer
    assert latest.history_change_reason == "Agreed at the board"


@by_key
def test_an_edit_needs_a_reason(client, w, case):
    client.force_login(w.officer)
    before = snapshot(case, w)
    data = {**form_values(client.get(case.edit_url(w)).text), **case.edit, "change_reason": ""}

    response = client.post(case.edit_url(w), data)

    assert response.status_code == 200
    assert errors_on(response, "change_reason") == ["Enter the reason for this change"]
    assert snapshot(case, w) == before


@by_key
def test_a_stale_form_gets_the_conflict_page_and_the_first_change_stays(client, w, case):
    client.force_login(w.officer)
    stale = form_values(client.get(case.edit_url(w)).text)
    # Ada saves the page she loaded at the same time, with a different change.
    client.force_login(w.admin)
    ada = {**form_values(client.get(case.edit_url(w)).text), **case.edit, "change_reason": "Ada"}
    assert client.post(case.edit_url(w), ada).status_code == 302
    obj = case.existing(w)
    obj.refresh_from_db()
    first = case.edited(obj)

    client.force_login(w.officer)
    typed = {**stale, "change_reason": "Olive's correction"}
    typed_field, typed_value = next(
        (name, value) for name, value in ADA_CHANGE_TYPED[case.key].items()
    )
    typed[typed_field] = typed_value
    response = client.post(case.edit_url(w), typed)

    assert response.status_code == 409
    assert "Ada Admin changed this while you were editing it" in response.text
    assert "What changed while you were editing" in response.text
    assert typed_value in response.text  # what Olive typed is still there
    assert "Olive&#x27;s correction" in response.text or "Olive's correction" in response.text
    assert response.context["form"]["version"].value() == str(obj.version)
    obj.refresh_from_db()
    assert case.edited(obj) == first
    assert history_of(obj)[-1].history_user == w.admin


# What the second person types on a stale form: a value that Ada's edit did not touch.
ADA_CHANGE_TYPED = {
    "inspection": {"notes": "Olive typed these notes"},
    "finding": {"notes": "Olive typed these notes"},
    "judgement": {"commentary": "Olive typed this commentary"},
    "plan": {"notes": "Olive typed these notes"},
    "action": {"description": "Olive typed this description"},
    "milestone": {"notes": "Olive typed these notes"},
    "measure": {"national_comparator_label": "Olive typed this label"},
    "value": {"note": "Olive typed this note"},
    "meeting": {"what_we_will_do": "Olive typed this plan"},
    "you-said": {"source": "Olive typed this source"},
}


# Who may


@by_key
def test_a_board_member_is_refused_and_nothing_changes(client, w, case):
    client.force_login(w.board_member)
    before = snapshot(case, w)
    obj = case.existing(w)

    assert client.get(case.create_url(w)).status_code == 403
    assert client.post(case.create_url(w), case.create_data(w)).status_code == 403
    assert client.get(case.edit_url(w)).status_code == 403
    data = {**case.create_data(w), **case.edit, "version": obj.version, "change_reason": "Mine"}
    assert client.post(case.edit_url(w), data).status_code == 403
    assert snapshot(case, w) == before


@by_key
def test_a_member_of_another_area_gets_not_found(client, w, case):
    client.force_login(w.outsider)
    before = snapshot(case, w)
    obj = case.existing(w)

    assert client.get(case.create_url(w)).status_code == 404
    assert client.post(case.create_url(w), case.create_data(w)).status_code == 404
    assert client.get(case.edit_url(w)).status_code == 404
    data = {**case.create_data(w), **case.edit, "version": obj.version, "change_reason": "Mine"}
    assert client.post(case.edit_url(w), data).status_code == 404
    assert snapshot(case, w) == before


@by_key
def test_a_visitor_is_sent_to_sign_in(client, w, case):
    before = snapshot(case, w)
    for target in (case.create_url(w), case.edit_url(w)):
        response = client.get(target)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert client.post(target, case.create_data(w)).status_code == 302
    assert snapshot(case, w) == before


def test_an_area_administrator_may_edit_records_too(client, w):
    client.force_login(w.admin)
    data = {**form_values(client.get(url("actions:action-edit", w, w.action.pk)).text)}
    data.update(title="Renamed by Ada", change_reason="Tidy")
    assert client.post(url("actions:action-edit", w, w.action.pk), data).status_code == 302
    w.action.refresh_from_db()
    assert w.action.title == "Renamed by Ada"


@pytest.mark.parametrize(
    "name, obj",
    [
        ("inspections:inspection-edit", "other_inspection"),
        ("inspections:finding-edit", "other_finding"),
        ("inspections:finding-create", "other_inspection"),
        ("actions:plan-edit", "other_plan"),
        ("actions:action-create", "other_plan"),
        ("actions:action-edit", "other_action"),
        ("actions:milestone-create", "other_action"),
    ],
)
def test_another_areas_records_are_not_found_through_this_areas_pages(client, w, name, obj):
    client.force_login(w.officer)
    target = reverse(name, args=[w.area.slug, getattr(w, obj).pk])
    assert client.get(target).status_code == 404
    assert client.post(target, {"title": "x", "change_reason": "x"}).status_code == 404


# Choices limited to the area: ids from elsewhere are refused on the field


def post_action(client, w, **changes):
    client.force_login(w.officer)
    data = {**CASES[4].create_data(w), **changes}
    return client.post(url("actions:action-create", w, w.plan.pk), data)


@pytest.mark.parametrize(
    "changes, name, message",
    [
        (
            lambda w: {"finding": str(w.other_finding.pk)},
            "finding",
            "Select one of the findings this plan addresses",
        ),
        (
            lambda w: {"lead_organisation": str(w.other_council.pk)},
            "lead_organisation",
            "Select one of the area’s partners as the lead organisation",
        ),
        (
            lambda w: {"lead_officer": str(w.outsider.pk)},
            "lead_officer",
            "Select someone with a role in this area as the lead officer",
        ),
        (lambda w: {"lead_organisation": ""}, "lead_organisation", "Select the lead organisation"),
        (lambda w: {"finding": ""}, "finding", "Select the finding the action serves"),
        (lambda w: date_parts("due_date", "", "", ""), "due_date", "Enter the due date"),
        (
            lambda w: {
                **date_parts("start_date", 1, 4, 2027),
                **date_parts("due_date", 1, 3, 2027),
            },
            "due_date",
            "The due date must be the same as or after the start date",
        ),
    ],
    ids=[
        "foreign-finding",
        "foreign-lead",
        "foreign-officer",
        "no-lead",
        "no-finding",
        "no-due",
        "due-before-start",
    ],
)
def test_an_actions_choices_are_limited_to_the_plan_and_area(client, w, changes, name, message):
    before = ActionItem.objects.count()
    response = post_action(client, w, **changes(w))
    assert response.status_code == 200
    assert errors_on(response, name) == [message]
    assert ActionItem.objects.count() == before


def test_an_action_cannot_serve_a_finding_its_plan_does_not_address(client, w):
    later = make_finding(inspection=w.inspection, number=3)  # in the area, not in the plan
    response = post_action(client, w, finding=str(later.pk))
    assert errors_on(response, "finding") == ["Select one of the findings this plan addresses"]


def test_an_action_page_offers_only_the_areas_people_and_partners(client, w):
    client.force_login(w.officer)
    form = client.get(url("actions:action-create", w, w.plan.pk)).context["form"]
    assert set(form.fields["lead_organisation"].queryset) == {w.council, w.icb}
    assert set(form.fields["lead_officer"].queryset) == {w.officer, w.admin, w.board_member}
    assert set(form.fields["finding"].queryset) == {w.finding1, w.finding2}


def test_a_findings_lead_partner_must_be_the_areas(client, w):
    client.force_login(w.officer)
    data = {**CASES[1].create_data(w), "lead_organisation": str(w.other_council.pk)}
    response = client.post(CASES[1].create_url(w), data)
    assert errors_on(response, "lead_organisation") == [
        "Select one of the area’s partners as the lead partner"
    ]
    assert not Finding.objects.filter(inspection=w.inspection, number=3).exists()


def test_a_verdict_is_only_on_this_areas_findings(client, w):
    client.force_login(w.officer)
    data = {**CASES[2].create_data(w), "finding": str(w.other_finding.pk)}
    response = client.post(CASES[2].create_url(w), data)
    assert errors_on(response, "finding") == ["Select one of this area’s findings from the list"]
    assert not Judgement.objects.filter(finding=w.other_finding).exists()


def test_a_revisit_can_only_give_a_revisits_verdicts(client, w):
    client.force_login(w.officer)
    data = {**CASES[2].create_data(w), "verdict": "effective_action"}
    response = client.post(CASES[2].create_url(w), data)
    assert errors_on(response, "verdict") == ["Select the verdict"]
    assert Judgement.objects.count() == 1


def test_verdicts_are_added_from_a_revisit_and_findings_to_the_inspection_that_made_them(client, w):
    client.force_login(w.officer)
    response = client.get(url("inspections:judgement-create", w, w.inspection.pk), follow=True)
    assert (
        "Only a revisit, a monitoring inspection or a 2023 full inspection gives verdicts "
        "on earlier findings." in response.text
    )
    response = client.get(url("inspections:finding-create", w, w.revisit.pk), follow=True)
    assert "add its verdicts instead of findings" in response.text


def test_a_dfe_reviews_verdict_is_not_edited_here(client, w):
    review = make_review(area=w.area, ref="review-2022", held="2022-06")
    verdict = Judgement.objects.create(
        finding=w.finding2, review=review, verdict=Judgement.Verdict.STILL_MONITORED
    )
    client.force_login(w.officer)
    assert client.get(url("inspections:judgement-edit", w, verdict.pk)).status_code == 404


@pytest.mark.parametrize(
    "changes, name, message",
    [
        (
            lambda w: {"responds_to": str(w.other_inspection.pk)},
            "responds_to",
            "Select one of this area’s inspections",
        ),
        (
            lambda w: {"superseded_by": str(w.other_plan.pk)},
            "superseded_by",
            "Select one of this area’s plans as the plan that replaced this one",
        ),
        (
            lambda w: {"responds_to": str(w.inspection.pk)},
            "responds_to",
            "An accelerated progress plan answers a revisit.",
        ),
        (lambda w: {"kind": ""}, "kind", "Select the kind of plan"),
        (
            lambda w: {"ref": "APP 2022"},
            "ref",
            "The reference must only include lower-case letters, numbers and hyphens, like wsoa-2018",
        ),
        (
            lambda w: {"submitted_on": "2022-03-01", "judged_on": "2022-02"},
            "judged_on",
            "A plan cannot be judged before it is submitted.",
        ),
    ],
    ids=[
        "foreign-inspection",
        "foreign-plan",
        "wrong-inspection",
        "no-kind",
        "bad-ref",
        "judged-early",
    ],
)
def test_a_plans_choices_and_rules_show_on_the_page(client, w, changes, name, message):
    client.force_login(w.officer)
    before = (Plan.objects.count(), PlanFinding.objects.count())
    response = client.post(url("actions:plan-create", w), {**CASES[3].create_data(w), **changes(w)})
    assert response.status_code == 200
    assert errors_on(response, name) == [message]
    assert (Plan.objects.count(), PlanFinding.objects.count()) == before


@pytest.mark.parametrize(
    "changes, name, message",
    [
        (lambda w: {"plan": str(w.other_plan.pk)}, "plan", "Select one of this area’s plans"),
        (
            lambda w: {"finding": str(w.other_finding.pk)},
            "finding",
            "Select one of this area’s findings",
        ),
        (
            lambda w: date_parts("target_date", 1, 4, 2018),
            "target_date",
            "The target date must be after the baseline date",
        ),
        (
            lambda w: {"baseline": "about 30"},
            "baseline",
            "The baseline must be a number, like 42.5",
        ),
        (lambda w: {"unit": ""}, "unit", "Select the unit"),
    ],
    ids=["foreign-plan", "foreign-finding", "target-before-baseline", "bad-number", "no-unit"],
)
def test_a_measures_choices_and_rules_show_on_the_page(client, w, changes, name, message):
    client.force_login(w.officer)
    response = client.post(
        url("progress:measure-create", w), {**CASES[6].create_data(w), **changes(w)}
    )
    assert response.status_code == 200
    assert errors_on(response, name) == [message]
    assert not Measure.objects.filter(slug="families-listened-to").exists()


@pytest.mark.parametrize(
    "changes, name, message",
    [
        (
            {"numerator": "61"},
            "numerator",
            "The number meeting the measure cannot be more than the total",
        ),
        ({"denominator": ""}, "denominator", "Enter the total"),
        ({"denominator": "0"}, "denominator", "The total must be 1 or more"),
        (
            {"numerator": "", "denominator": ""},
            "value",
            "Enter a value, or the counts it is worked out from",
        ),
        ({"value": "12.345"}, "value", "The value can have no more than 2 decimal places"),
    ],
    ids=["more-than-total", "no-total", "zero-total", "no-figure", "too-precise"],
)
def test_a_values_figures_must_add_up(client, w, changes, name, message):
    client.force_login(w.officer)
    before = MeasureValue.objects.count()
    response = client.post(
        url("progress:value-create", w, w.measure.pk), {**CASES[7].create_data(w), **changes}
    )
    assert response.status_code == 200
    assert errors_on(response, name) == [message]
    assert MeasureValue.objects.count() == before


def test_a_value_may_be_given_without_counts(client, w):
    client.force_login(w.officer)
    data = {**CASES[7].create_data(w), "value": "47.5", "numerator": "", "denominator": ""}
    assert client.post(url("progress:value-create", w, w.measure.pk), data).status_code == 302
    assert MeasureValue.objects.get(period_end=D(2019, 6, 30)).value == Decimal("47.50")


# Inspections: frameworks, kinds, outcomes and dates known only to the month or year


@pytest.mark.parametrize(
    "changes, name, message",
    [
        (
            {"framework": "2016", "kind": "full"},
            "kind",
            "Under the 2016 framework, choose inspection or revisit.",
        ),
        (
            {"outcome": "wsoa_required"},
            "outcome",
            "“Written statement of action required” is not an outcome of a full inspection.",
        ),
        (
            {"start_date": "2026-02-10", "end_date": "2026-02-03"},
            "end_date",
            "The inspection cannot end before it starts.",
        ),
        (
            {"start_date": "2026-02"},
            None,
            None,
        ),
        (
            {"report_published": "26-02-2026"},
            "report_published",
            "The date the report was published must be a date written as YYYY-MM-DD, YYYY-MM or YYYY",
        ),
        (
            {"report_url": "reports dot ofsted"},
            "report_url",
            "Enter the link to the report in the correct format, like "
            "https://reports.ofsted.gov.uk/provider/44/80567",
        ),
        ({"framework": ""}, "framework", "Select the inspection framework"),
    ],
    ids=["kind", "outcome", "end-before-start", "ok", "bad-format", "bad-url", "no-framework"],
)
def test_an_inspections_rules_show_on_the_page(client, w, changes, name, message):
    client.force_login(w.officer)
    response = client.post(
        url("inspections:inspection-create", w), {**CASES[0].create_data(w), **changes}
    )
    if name is None:
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert errors_on(response, name) == [message]
    assert not Inspection.objects.filter(ref="2026-full").exists()


def test_partial_dates_are_stored_with_their_precision_and_shown_as_typed(client, w):
    client.force_login(w.officer)
    assert (
        client.post(url("inspections:inspection-create", w), CASES[0].create_data(w)).status_code
        == 302
    )
    inspection = Inspection.objects.get(ref="2026-full")
    assert (inspection.start_date, inspection.start_date_precision) == (D(2026, 1, 1), "month")
    assert (inspection.report_published, inspection.report_published_precision) == (
        D(2026, 1, 1),
        "year",
    )
    assert (inspection.end_date, inspection.report_received) == (None, None)

    page = client.get(url("inspections:inspection-edit", w, inspection.pk))
    values = form_values(page.text)
    assert (values["start_date"], values["report_published"], values["end_date"]) == (
        "2026-01",
        "2026",
        "",
    )
    values.update(start_date="2026-01-19", report_published="", change_reason="Exact dates")
    assert (
        client.post(url("inspections:inspection-edit", w, inspection.pk), values).status_code == 302
    )
    inspection.refresh_from_db()
    assert (inspection.start_date, inspection.start_date_precision) == (D(2026, 1, 19), "day")
    assert inspection.report_published is None


def test_a_findings_kind_follows_its_inspections_framework(client, w):
    client.force_login(w.officer)
    form = client.get(CASES[1].create_url(w)).context["form"]
    assert [value for value, _ in form.fields["kind"].choices] == [
        "significant_weakness",
        "fundamental_failing",
        "area_of_significant_concern",
    ]
    data = {**CASES[1].create_data(w), "kind": "area_for_priority_action"}
    response = client.post(CASES[1].create_url(w), data)
    assert errors_on(response, "kind") == ["Select the kind of finding"]
    data = {**CASES[1].create_data(w), "number": "0"}
    assert errors_on(client.post(CASES[1].create_url(w), data), "number") == [
        "The finding number must be 1 or more"
    ]


# Plans bring in the findings they must address


def test_a_new_plan_addresses_its_inspections_findings_each_link_in_history(client, w):
    client.force_login(w.officer)
    data = {
        **CASES[3].create_data(w),
        "ref": "wsoa-2018-v2",
        "kind": "wsoa",
        "responds_to": str(w.inspection.pk),
        "change_reason": "Re-submitted",
    }
    response = client.post(url("actions:plan-create", w), data)
    assert response.status_code == 302
    plan = Plan.objects.get(ref="wsoa-2018-v2")
    assert (plan.area, plan.submitted_on, plan.submitted_on_precision) == (
        w.area,
        D(2022, 2, 1),
        "month",
    )
    assert set(plan.findings.all()) == {w.finding1, w.finding2}
    links = PlanFinding.history.filter(plan_id=plan.pk)
    assert links.count() == 2
    assert {(h.history_user, h.history_change_reason) for h in links} == {
        (w.officer, "Re-submitted")
    }
    assert history_of(plan)[0].history_change_reason == "Re-submitted"


def test_an_accelerated_plan_addresses_what_its_revisit_found_insufficient(client, w):
    client.force_login(w.officer)
    response = client.post(url("actions:plan-create", w), CASES[3].create_data(w), follow=True)
    assert "It addresses 1 finding." in response.text
    plan = Plan.objects.get(ref="app-2022")
    assert list(plan.findings.all()) == [w.finding1]


def test_a_plans_kind_and_inspection_are_fixed_once_added(client, w):
    client.force_login(w.officer)
    form = client.get(url("actions:plan-edit", w, w.plan.pk)).context["form"]
    assert "kind" not in form.fields
    assert "responds_to" not in form.fields
    assert w.plan not in form.fields["superseded_by"].queryset


# The records page and the links to it


def test_the_records_page_lists_everything_with_links_to_add_and_edit(client, w):
    client.force_login(w.officer)
    response = client.get(url("board:records", w))
    assert response.status_code == 200
    text = response.text
    for name, args in [
        ("inspections:inspection-create", []),
        ("inspections:inspection-edit", [w.inspection.pk]),
        ("inspections:finding-create", [w.inspection.pk]),
        ("inspections:finding-edit", [w.finding1.pk]),
        ("inspections:judgement-create", [w.revisit.pk]),
        ("inspections:judgement-edit", [w.judgement.pk]),
        ("actions:plan-create", []),
        ("actions:plan-edit", [w.plan.pk]),
        ("actions:action-create", [w.plan.pk]),
        ("progress:measure-create", []),
        ("progress:measure-edit", [w.measure.pk]),
        ("progress:value-create", [w.measure.pk]),
        ("progress:value-edit", [w.value.pk]),
        ("progress:meeting-create", []),
        ("progress:meeting-edit", [w.meeting.pk]),
        ("progress:you-said-create", []),
        ("progress:you-said-edit", [w.you_said.pk]),
    ]:
        assert f'href="{url(name, w, *args)}"' in text, name
    assert reverse("inspections:finding-create", args=[w.area.slug, w.revisit.pk]) not in text
    assert url("actions:plan-edit", w, w.other_plan.pk) not in text
    assert url("inspections:members", w) not in text  # officers do not manage members


def test_the_records_page_offers_member_management_to_area_administrators(client, w):
    client.force_login(w.admin)
    assert url("inspections:members", w) in client.get(url("board:records", w)).text


def test_the_records_page_is_for_editors_only(client, w):
    client.force_login(w.board_member)
    assert client.get(url("board:records", w)).status_code == 403
    client.force_login(w.outsider)
    assert client.get(url("board:records", w)).status_code == 404
    client.logout()
    assert client.get(url("board:records", w)).status_code == 302


def test_the_navigation_links_to_the_records_page_only_for_editors(client, w):
    records = f'href="{url("board:records", w)}"'
    client.force_login(w.officer)
    assert records in client.get(url("board:my-area", w)).text
    client.force_login(w.board_member)
    assert records not in client.get(url("board:my-area", w)).text


def test_the_action_page_offers_editing_only_to_editors(client, w):
    action_url = url("board:action", w, w.action.pk)
    links = [
        url("actions:action-edit", w, w.action.pk),
        url("actions:milestone-create", w, w.action.pk),
        url("actions:milestone-edit", w, w.milestone.pk),
    ]
    client.force_login(w.officer)
    text = client.get(action_url).text
    assert "Edit action" in text
    assert "Add milestone" in text
    assert all(link in text for link in links)
    client.force_login(w.board_member)
    text = client.get(action_url).text
    assert not any(link in text for link in links)
    assert "Edit action" not in text


def test_my_area_offers_adding_actions_only_to_editors(client, w):
    add = url("actions:action-create", w, w.plan.pk)
    client.force_login(w.officer)
    assert add in client.get(url("board:my-area", w)).text
    client.force_login(w.board_member)
    assert add not in client.get(url("board:my-area", w)).text


def test_saving_returns_to_where_the_record_is_listed(client, w):
    client.force_login(w.officer)
    response = client.post(CASES[4].create_url(w), CASES[4].create_data(w))
    assert response["Location"] == url("board:action", w, ActionItem.objects.get(ref="2.1").pk)
    response = client.post(CASES[5].create_url(w), CASES[5].create_data(w))
    assert response["Location"] == url("board:action", w, w.action.pk) + "#milestones"
    response = client.post(CASES[8].create_url(w), CASES[8].create_data(w), follow=True)
    assert "Board meeting added." in response.text
