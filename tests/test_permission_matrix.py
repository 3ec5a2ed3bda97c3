"""Every board URL × every kind of person: each gets exactly what it may, and nothing more.

Anonymous visitors are sent to sign in; members of another area get 404 (so
they cannot tell what exists here); members whose role lacks the permission
get 403; the rest get the page. A forbidden POST changes nothing at all: no
row and no history row anywhere.

The table below must name every URL under /board/: a new board page fails
this test until someone decides who may use it.

The parent carer forum's representative (``forum``) may only respond to
published updates: every page that shows the area's internal information
refuses them with 403, and their own pages refuse everyone else.
"""

import datetime
import hashlib

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from actions.models import Milestone, Plan
from inspections.access import Can
from inspections.models import Inspection, Intervention, Judgement, Membership
from progress.models import (
    BoardMeeting,
    Evidence,
    ForumResponse,
    Measure,
    MeasureValue,
    ProgressReport,
    ProgressUpdate,
    YouSaidWeDid,
)
from tests.cast import make_user
from tests.factories import make_action

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "outsider", "board_member", "officer", "area_admin", "forum")
ROLE_PERMISSIONS = {
    "board_member": {Can.VIEW, Can.UPDATE},
    "officer": {Can.VIEW, Can.UPDATE, Can.APPROVE, Can.EDIT},
    "area_admin": {Can.VIEW, Can.UPDATE, Can.APPROVE, Can.EDIT, Can.MANAGE_MEMBERS},
    "forum": {Can.RESPOND},
}


def _update(cast):
    return ProgressUpdate.objects.get(action=cast.action)


def _evidence(cast):
    return Evidence.objects.get()


# Records editing: the records a page edits, made when the page is first asked for.


def _inspection(cast):
    return cast.plan.responds_to


def _finding(cast):
    return cast.plan.findings.get()


def _revisit(cast):
    revisit, _ = Inspection.objects.get_or_create(
        area=cast.area,
        ref="2026-revisit",
        defaults={"framework": Inspection.Framework.JOINT_2016, "kind": Inspection.Kind.REVISIT},
    )
    return revisit


def _intervention(cast):
    intervention, _ = Intervention.objects.get_or_create(
        area=cast.area,
        ref="improvement-notice",
        defaults={"kind": Intervention.Kind.IMPROVEMENT_NOTICE},
    )
    return intervention


def _judgement(cast):
    judgement, _ = Judgement.objects.get_or_create(
        finding=_finding(cast),
        inspection=_revisit(cast),
        defaults={"verdict": Judgement.Verdict.INSUFFICIENT},
    )
    return judgement


def _milestone(cast):
    milestone, _ = Milestone.objects.get_or_create(
        action=cast.action, title="Staff trained", defaults={"due_date": datetime.date(2025, 9, 30)}
    )
    return milestone


def _measure(cast):
    measure, _ = Measure.objects.get_or_create(
        area=cast.area,
        slug="ehcp-20-weeks",
        defaults={
            "name": "EHC plans in 20 weeks",
            "definition": "New plans within 20 weeks.",
            "source": "SEN2",
            "unit": Measure.Unit.PERCENT,
        },
    )
    return measure


def _value(cast):
    value, _ = MeasureValue.objects.get_or_create(
        measure=_measure(cast), period_end=datetime.date(2025, 3, 31), defaults={"value": 40}
    )
    return value


def _meeting(cast):
    meeting, _ = BoardMeeting.objects.get_or_create(
        area=cast.area, held_on=datetime.date(2025, 2, 1)
    )
    return meeting


def _report(cast):
    report = ProgressReport.objects.filter(plan=cast.plan).first()
    if report is None:
        report = ProgressReport(
            plan=cast.plan,
            audience=ProgressReport.Audience.BOARD,
            period_start=datetime.date(2025, 4, 1),
            period_end=datetime.date(2025, 9, 30),
            state=ProgressReport.State.READY,
            html="<html><head><title>Report</title></head><body>Report</body></html>",
            sha256=hashlib.sha256(b"%PDF-1.4 report").hexdigest(),
            snapshot={"planned_number": 1},
        )
        report.pdf.save("report.pdf", ContentFile(b"%PDF-1.4 report"), save=False)
        report.save()
    return report


def _published_public_report(cast):
    """A published public report, for the page that withdraws it."""
    report = ProgressReport.objects.filter(
        plan=cast.plan, audience=ProgressReport.Audience.PUBLIC
    ).first()
    if report is None:
        report = ProgressReport(
            plan=cast.plan,
            audience=ProgressReport.Audience.PUBLIC,
            period_start=datetime.date(2025, 4, 1),
            period_end=datetime.date(2025, 9, 30),
            state=ProgressReport.State.PUBLISHED,
            number=1,
            html="<html><head><title>Report</title></head><body>Report</body></html>",
            sha256=hashlib.sha256(b"%PDF-1.4 public").hexdigest(),
            published_at=timezone.now(),
        )
        report.pdf.save("public.pdf", ContentFile(b"%PDF-1.4 public"), save=False)
        report.save()
    return report


def _you_said(cast):
    entry, _ = YouSaidWeDid.objects.get_or_create(
        area=cast.area,
        heard_on=datetime.date(2025, 3, 1),
        defaults={"you_said": "Waits are too long", "we_did": "Added clinics"},
    )
    return entry


def _plan_import(cast):
    from actions.models import PlanImport
    from tests.actions.workbooks import csv_bytes

    content = csv_bytes([["Ref", "Action", "Due date", "Success criteria"]])
    record = PlanImport.objects.filter(plan=cast.plan).first()
    if record is None:
        record = PlanImport.objects.create(
            plan=cast.plan,
            uploaded_by=cast.officer,
            filename="plan.csv",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
        )
    return {"area_slug": cast.area.slug, "plan_pk": cast.plan.pk, "uuid": record.uuid}


def _membership(cast):
    return Membership.objects.get(user=cast.board_member, area=cast.area)


# The parent carer forum: a published update on a second action (the first
# action's only update stays the draft the other pages use), and a challenge.


def _published_update(cast):
    update = ProgressUpdate.objects.filter(action__ref="1.2", action__plan=cast.plan).first()
    if update is None:
        action = make_action(
            plan=cast.plan, finding=cast.action.finding, lead=cast.council, ref="1.2"
        )
        update = ProgressUpdate.objects.create(
            action=action,
            period_start=datetime.date(2025, 4, 1),
            period_end=datetime.date(2025, 6, 30),
            delivery_status="on_track",
            impact_status="some_evidence",
            narrative="Internal words",
            public_summary="Public words",
            state=ProgressUpdate.State.PUBLISHED,
            publish_at=timezone.now() - datetime.timedelta(days=1),
        )
    return update


def _challenge(cast):
    update = _published_update(cast)
    challenge = ForumResponse.objects.filter(update=update).first()
    if challenge is None:
        challenge = ForumResponse.objects.create(
            update=update, kind="challenge", text="Why so slow?", responded_by=cast.forum
        )
    return challenge


def _in_area(pk_name, builder):
    return lambda c: {"area_slug": c.area.slug, pk_name: builder(c).pk}


# url name -> (permission needed, kwargs builder). None means any signed-in person.
BOARD_URLS = {
    "board:home": (None, lambda c: {}),
    # Which emails I get: everyone signed in, each for themselves only.
    "notices:preferences": (None, lambda c: {}),
    "board:my-area": (Can.VIEW, lambda c: {"area_slug": c.area.slug}),
    "board:todo": (Can.VIEW, lambda c: {"area_slug": c.area.slug}),
    "board:action": (Can.VIEW, lambda c: {"area_slug": c.area.slug, "pk": c.action.pk}),
    "progress:update-create": (
        Can.UPDATE,
        lambda c: {"area_slug": c.area.slug, "action_pk": c.action.pk},
    ),
    "progress:update-edit": (Can.UPDATE, lambda c: {"area_slug": c.area.slug, "pk": _update(c).pk}),
    "progress:update-delete": (
        Can.UPDATE,
        lambda c: {"area_slug": c.area.slug, "pk": _update(c).pk},
    ),
    "progress:evidence-upload": (
        Can.UPDATE,
        lambda c: {"area_slug": c.area.slug, "pk": _update(c).pk},
    ),
    "progress:evidence-download": (
        Can.VIEW,
        lambda c: {"area_slug": c.area.slug, "pk": _evidence(c).pk},
    ),
    # Records editing
    "board:records": (Can.EDIT, lambda c: {"area_slug": c.area.slug}),
    "inspections:inspection-create": (Can.EDIT, lambda c: {"area_slug": c.area.slug}),
    "inspections:inspection-edit": (Can.EDIT, _in_area("pk", _inspection)),
    "inspections:finding-create": (Can.EDIT, _in_area("inspection_pk", _inspection)),
    "inspections:finding-edit": (Can.EDIT, _in_area("pk", _finding)),
    "inspections:judgement-create": (Can.EDIT, _in_area("inspection_pk", _revisit)),
    "inspections:judgement-edit": (Can.EDIT, _in_area("pk", _judgement)),
    "inspections:intervention-create": (Can.EDIT, lambda c: {"area_slug": c.area.slug}),
    "inspections:intervention-edit": (Can.EDIT, _in_area("pk", _intervention)),
    "actions:plan-create": (Can.EDIT, lambda c: {"area_slug": c.area.slug}),
    "actions:plan-edit": (Can.EDIT, lambda c: {"area_slug": c.area.slug, "pk": c.plan.pk}),
    "actions:plan-summary-publish": (
        Can.EDIT,
        lambda c: {"area_slug": c.area.slug, "pk": c.plan.pk},
    ),
    "actions:action-create": (
        Can.EDIT,
        lambda c: {"area_slug": c.area.slug, "plan_pk": c.plan.pk},
    ),
    "actions:action-edit": (Can.EDIT, lambda c: {"area_slug": c.area.slug, "pk": c.action.pk}),
    "actions:milestone-create": (
        Can.EDIT,
        lambda c: {"area_slug": c.area.slug, "action_pk": c.action.pk},
    ),
    "actions:milestone-edit": (Can.EDIT, _in_area("pk", _milestone)),
    "progress:measure-create": (Can.EDIT, lambda c: {"area_slug": c.area.slug}),
    "progress:measure-edit": (Can.EDIT, _in_area("pk", _measure)),
    "progress:value-create": (Can.EDIT, _in_area("measure_pk", _measure)),
    "progress:value-edit": (Can.EDIT, _in_area("pk", _value)),
    "progress:meeting-create": (Can.EDIT, lambda c: {"area_slug": c.area.slug}),
    "progress:meeting-edit": (Can.EDIT, _in_area("pk", _meeting)),
    "progress:you-said-create": (Can.EDIT, lambda c: {"area_slug": c.area.slug}),
    # Reports: every member may read them; generating and publishing are
    # officers' (checked by test_only_officers_generate_or_publish_reports).
    "progress:reports": (Can.VIEW, lambda c: {"area_slug": c.area.slug}),
    "progress:report": (Can.VIEW, _in_area("pk", _report)),
    "progress:report-status": (Can.VIEW, _in_area("pk", _report)),
    "progress:report-preview": (Can.VIEW, _in_area("pk", _report)),
    "progress:report-pdf": (Can.VIEW, _in_area("pk", _report)),
    "progress:you-said-edit": (Can.EDIT, _in_area("pk", _you_said)),
    # The parent carer forum's pages: the forum's representative only. What the
    # forum said is public, so every member may read the list of its challenges.
    "progress:forum": (Can.RESPOND, lambda c: {"area_slug": c.area.slug}),
    "progress:forum-acknowledge": (Can.RESPOND, _in_area("pk", _published_update)),
    "progress:forum-challenge": (Can.RESPOND, _in_area("pk", _published_update)),
    "progress:forum-challenges": (Can.VIEW, lambda c: {"area_slug": c.area.slug}),
    "progress:forum-reply": (Can.APPROVE, _in_area("pk", _challenge)),
    # Approving several updates at once: officers and the area's admin.
    "progress:updates-approve": (Can.APPROVE, lambda c: {"area_slug": c.area.slug}),
    # Withdrawing a published update or public report: officers and the area's admin.
    "progress:update-withdraw": (Can.APPROVE, _in_area("pk", _published_update)),
    "progress:report-withdraw": (Can.APPROVE, _in_area("pk", _published_public_report)),
    # Spreadsheets in and out: officers only (the export holds internal narratives)
    "actions:plan-import": (Can.EDIT, lambda c: {"area_slug": c.area.slug, "plan_pk": c.plan.pk}),
    "actions:plan-import-template": (
        Can.EDIT,
        lambda c: {"area_slug": c.area.slug, "plan_pk": c.plan.pk},
    ),
    "actions:plan-import-preview": (Can.EDIT, _plan_import),
    "actions:plan-import-columns": (Can.EDIT, _plan_import),
    "board:plan-export-xlsx": (
        Can.EDIT,
        lambda c: {"area_slug": c.area.slug, "plan_pk": c.plan.pk},
    ),
    "board:plan-export-actions-csv": (
        Can.EDIT,
        lambda c: {"area_slug": c.area.slug, "plan_pk": c.plan.pk},
    ),
    "board:plan-export-milestones-csv": (
        Can.EDIT,
        lambda c: {"area_slug": c.area.slug, "plan_pk": c.plan.pk},
    ),
    # Memberships
    "inspections:members": (Can.MANAGE_MEMBERS, lambda c: {"area_slug": c.area.slug}),
    "inspections:member-add": (Can.MANAGE_MEMBERS, lambda c: {"area_slug": c.area.slug}),
    "inspections:member-edit": (Can.MANAGE_MEMBERS, _in_area("pk", _membership)),
}
TRANSITION_PERMISSIONS = {
    "submit": Can.UPDATE,
    "approve": Can.APPROVE,
    "return": Can.APPROVE,
    "publish": Can.APPROVE,
}


def board_url_names():
    names = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and str(pattern.pattern).startswith(
                ("board/", "accounts/email-notices/")
            ):
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


def world_counts():
    """Rows in every table, history tables included."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


@pytest.fixture
def board(cast):
    """The cast and the forum's representative, plus a draft update with one evidence file."""
    cast.forum = make_user("fay", first_name="Fay", last_name="Forum")
    Membership.objects.create(user=cast.forum, area=cast.area, role=Membership.Role.FORUM)
    cast.plan.status = Plan.Status.PUBLISHED
    cast.plan.save()
    update = ProgressUpdate.objects.create(
        action=cast.action,
        period_start=datetime.date(2025, 4, 1),
        period_end=datetime.date(2025, 6, 30),
        delivery_status="not_started",
        impact_status="no_evidence_yet",
        narrative="Internal words",
        public_summary="Public words",
        author=cast.board_member,
    )
    evidence = Evidence(
        update=update,
        title="Minutes",
        original_name="minutes.pdf",
        content_type="application/pdf",
        size=9,
        uploaded_by=cast.board_member,
    )
    evidence.file.save("minutes.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    evidence.save()
    return cast


def expected_status(role, permission):
    if role == "anonymous":
        return 302
    if role == "outsider":
        return 200 if permission is None else 404
    if permission is None or permission in ROLE_PERMISSIONS[role]:
        return 200
    return 403


# Only the refusals: what an allowed POST does is each page's own tests' business.
FORBIDDEN_POSTS = [
    (name, role)
    for name, (permission, _) in sorted(BOARD_URLS.items())
    if permission not in (None, Can.VIEW)
    for role in ROLES
    if expected_status(role, permission) != 200
]
FORBIDDEN_STEPS = [
    (transition, role)
    for transition, permission in sorted(TRANSITION_PERMISSIONS.items())
    for role in ROLES
    if expected_status(role, permission) != 200
]


def test_the_table_names_every_board_url():
    listed = set(BOARD_URLS) | {"progress:update-transition"}
    assert board_url_names() == listed


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(BOARD_URLS))
def test_each_person_gets_exactly_what_they_may(client, board, role, name):
    permission, kwargs = BOARD_URLS[name]
    url = reverse(name, kwargs=kwargs(board))
    if role != "anonymous":
        client.force_login(getattr(board, role))
    response = client.get(url)
    expected = expected_status(role, permission)
    if name == "board:home" and role != "anonymous":
        # One area: straight to My area; the outsider goes to theirs.
        expected = 302
    assert response.status_code == expected, f"{role} GET {url}"
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("transition", sorted(TRANSITION_PERMISSIONS))
def test_each_person_may_take_only_their_workflow_steps(client, board, role, transition):
    update = _update(board)
    url = reverse(
        "progress:update-transition",
        kwargs={"area_slug": board.area.slug, "pk": update.pk, "transition": transition},
    )
    if role != "anonymous":
        client.force_login(getattr(board, role))
    response = client.get(url)
    assert response.status_code == expected_status(role, TRANSITION_PERMISSIONS[transition])


@pytest.mark.parametrize(("name", "role"), FORBIDDEN_POSTS)
def test_a_forbidden_post_changes_nothing(client, board, role, name):
    _, kwargs = BOARD_URLS[name]
    url = reverse(name, kwargs=kwargs(board))
    if role != "anonymous":
        client.force_login(getattr(board, role))
    before = world_counts()
    update = _update(board)
    response = client.post(
        url,
        {
            "period_start_0": "1",
            "period_start_1": "4",
            "period_start_2": "2025",
            "period_end_0": "30",
            "period_end_1": "6",
            "period_end_2": "2025",
            "delivery_status": "not_started",
            "impact_status": "no_evidence_yet",
            "narrative": "Forbidden change",
            "public_summary": "Forbidden change",
            "version": update.version,
            "title": "Forbidden",
            "visibility": "public",
        },
    )
    assert response.status_code in (302, 403, 404)
    assert world_counts() == before
    update.refresh_from_db()
    assert update.narrative == "Internal words"


@pytest.mark.parametrize(("transition", "role"), FORBIDDEN_STEPS)
def test_a_forbidden_workflow_step_changes_nothing(client, board, role, transition):
    update = _update(board)
    url = reverse(
        "progress:update-transition",
        kwargs={"area_slug": board.area.slug, "pk": update.pk, "transition": transition},
    )
    if role != "anonymous":
        client.force_login(getattr(board, role))
    before = world_counts()
    response = client.post(url, {"version": update.version, "reason": "No", "when": "now"})
    assert response.status_code in (302, 403, 404)
    assert world_counts() == before


@pytest.mark.parametrize("role", ["board_member", "outsider"])
def test_only_officers_generate_or_publish_reports(client, board, role):
    report = _report(board)
    client.force_login(getattr(board, role))
    before = world_counts()
    generate = client.post(
        reverse("progress:reports", kwargs={"area_slug": board.area.slug}),
        {
            "plan": board.plan.pk,
            "audience": "public",
            "period_start_0": "1",
            "period_start_1": "4",
            "period_start_2": "2025",
            "period_end_0": "30",
            "period_end_1": "9",
            "period_end_2": "2025",
        },
    )
    publish = client.post(
        reverse("progress:report", kwargs={"area_slug": board.area.slug, "pk": report.pk}),
        {"action": "publish"},
    )
    expected = 403 if role == "board_member" else 404
    assert (generate.status_code, publish.status_code) == (expected, expected)
    assert world_counts() == before
    report.refresh_from_db()
    assert report.state == ProgressReport.State.READY
