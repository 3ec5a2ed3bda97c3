"""Every named database constraint holds in the database and explains itself in plain English.

Each case builds one unsaved row that breaks one constraint. Saving it must
fail in the database (so a bulk import or a shell session cannot get round
the rule), and validating it must give the constraint's message (so a person
filling in a form is told what is wrong). A last test makes sure no named
constraint in the three apps is left without a case.

The model clean() rules that no constraint can express are tested below.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from actions.models import (
    ActionItem,
    DeadlineRule,
    Plan,
    PlanFinding,
    PlanIntervention,
    StatedDeadline,
)
from inspections.models import (
    Finding,
    Inspection,
    Intervention,
    InterventionFinding,
    Judgement,
    Membership,
    Organisation,
    Partnership,
    ProgressReview,
)
from progress.models import (
    BoardMeeting,
    ForumReply,
    ForumResponse,
    Measure,
    MeasureValue,
    ProgressReport,
    ProgressUpdate,
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

D = datetime.date
pytestmark = pytest.mark.django_db
APPS = ("inspections", "actions", "progress")
NORMALISED = (
    "A date known only to the month or year must be stored as the first day of that month or year."
)


@pytest.fixture
def world(db):
    """One area with a row of every kind, for duplicates and cross-checks to hit."""
    area = make_area()
    council = make_organisation()
    make_partner(area=area, organisation=council)
    user = get_user_model().objects.create_user("officer")
    Membership.objects.create(user=user, area=area, role=Membership.Role.OFFICER)
    inspection = make_inspection(
        area=area, start="2018-03-12", end="2018-03-16", received="2018-05-16"
    )
    finding = make_finding(inspection=inspection, number=1)
    other_finding = make_finding(inspection=inspection, number=2)
    revisit = make_inspection(
        area=area, ref="2021-revisit", kind=Inspection.Kind.REVISIT, start="2021-09-20"
    )
    review = make_review(area=area, ref="6-month", held="2022-05-10")
    Judgement.objects.create(
        finding=finding, inspection=revisit, verdict=Judgement.Verdict.INSUFFICIENT
    )
    Judgement.objects.create(
        finding=finding, review=review, verdict=Judgement.Verdict.STILL_MONITORED
    )
    plan = make_plan(inspection=inspection, ref="wsoa-2018", findings=[finding])
    action = make_action(plan=plan, finding=finding, lead=council, ref="1.1")
    update = ProgressUpdate.objects.create(**update_fields(action))
    measure = Measure.objects.create(**measure_fields(area, slug="ehcp-20-weeks"))
    MeasureValue.objects.create(measure=measure, period_end=D(2022, 3, 31), value=40)
    BoardMeeting.objects.create(area=area, held_on=D(2022, 4, 1))
    intervention = Intervention.objects.create(
        area=area, ref="improvement-notice", kind="improvement_notice", issued_on=D(2022, 6, 1)
    )
    InterventionFinding.objects.create(intervention=intervention, finding=finding)
    PlanIntervention.objects.create(plan=plan, intervention=intervention)
    return SimpleNamespace(
        intervention=intervention,
        area=area,
        council=council,
        user=user,
        inspection=inspection,
        finding=finding,
        other_finding=other_finding,
        revisit=revisit,
        review=review,
        plan=plan,
        action=action,
        update=update,
        measure=measure,
    )


def update_fields(action, **overrides):
    return {
        "action": action,
        "period_start": D(2022, 1, 1),
        "period_end": D(2022, 3, 31),
        "delivery_status": "on_track",
        "impact_status": "no_evidence_yet",
        "narrative": "Recruited two more educational psychologists.",
        "public_summary": "More educational psychologists are in post.",
        **overrides,
    }


def measure_fields(area, **overrides):
    return {
        "area": area,
        "slug": "new-measure",
        "name": "EHC plans issued within 20 weeks",
        "definition": "New plans issued within 20 weeks, excluding exceptions, per quarter.",
        "source": "SEN2",
        "unit": Measure.Unit.PERCENT,
        **overrides,
    }


def inspection_row(w, **overrides):
    fields = {"area": w.area, "ref": "another", "framework": "2016", "kind": "initial"}
    return Inspection(**{**fields, **overrides})


def intervention_row(w, **overrides):
    fields = {"area": w.area, "ref": "another-notice", "kind": "improvement_notice"}
    return Intervention(**{**fields, **overrides})


def plan_row(w, **overrides):
    fields = {
        "area": w.area,
        "ref": "another-plan",
        "kind": Plan.Kind.WSOA,
        "title": "Another plan",
        "responds_to": w.inspection,
    }
    return Plan(**{**fields, **overrides})


def rule_row(**overrides):
    fields = {
        "code": "a-new-rule",
        "plan_kind": Plan.Kind.WSOA,
        "label": "A new rule",
        "anchor": DeadlineRule.Anchor.REPORT_RECEIVED,
        "offset": 10,
        "unit": DeadlineRule.Unit.WORKING_DAYS,
        "source": "Local practice.",
    }
    return DeadlineRule(**{**fields, **overrides})


def month_not_first(field):
    return {field: D(2018, 3, 16), f"{field}_precision": "month"}


# name: (build an unsaved row breaking it, the message people see)
CASES = {
    # inspections
    "inspections_organisation_kind_change_dated": (
        lambda w: Organisation(slug="nhs-new", name="NHS New ICB", kind="icb", former_kind="ccg"),
        "Enter the date the organisation changed kind.",
    ),
    "inspections_organisation_kind_changed_on_normalised": (
        lambda w: Organisation(
            slug="nhs-new", name="NHS New ICB", kind="icb", **month_not_first("kind_changed_on")
        ),
        NORMALISED,
    ),
    "inspections_partnership_unique": (
        lambda w: Partnership(area=w.area, organisation=w.council),
        "This organisation is already a partner in this area.",
    ),
    "inspections_membership_one_per_area": (
        lambda w: Membership(user=w.user, area=w.area, role=Membership.Role.BOARD_MEMBER),
        "This person already has a role in this area.",
    ),
    "inspections_inspection_unique_ref": (
        lambda w: inspection_row(w, ref=w.inspection.ref),
        "Another inspection in this area already has this reference.",
    ),
    "inspections_inspection_kind_fits_framework": (
        lambda w: inspection_row(w, kind="full"),
        "Under the 2016 framework an inspection is an inspection or a revisit; "
        "under the 2023 framework it is a full or monitoring inspection.",
    ),
    "inspections_inspection_end_after_start": (
        lambda w: inspection_row(w, start_date=D(2018, 3, 16), end_date=D(2018, 3, 12)),
        "The inspection cannot end before it starts.",
    ),
    "inspections_inspection_published_after_start": (
        lambda w: inspection_row(w, start_date=D(2018, 3, 12), report_published=D(2018, 3, 1)),
        "The report cannot be published before the inspection starts.",
    ),
    **{
        f"inspections_inspection_{field}_normalised": (
            lambda w, field=field: inspection_row(w, **month_not_first(field)),
            NORMALISED,
        )
        for field in ("start_date", "end_date", "report_received", "report_published")
    },
    "inspections_finding_unique_number": (
        lambda w: Finding(
            inspection=w.inspection, kind=w.finding.kind, number=w.finding.number, text="Again"
        ),
        "Another finding of this kind in this inspection already has this number.",
    ),
    "inspections_finding_number_positive": (
        lambda w: Finding(inspection=w.inspection, kind=w.finding.kind, number=0, text="Zero"),
        "Finding numbers start at 1.",
    ),
    "inspections_progressreview_unique_ref": (
        lambda w: ProgressReview(area=w.area, ref=w.review.ref),
        "Another review in this area already has this reference.",
    ),
    "inspections_progressreview_held_on_normalised": (
        lambda w: ProgressReview(area=w.area, ref="vague", **month_not_first("held_on")),
        NORMALISED,
    ),
    "inspections_judgement_one_source": (
        lambda w: Judgement(finding=w.other_finding, verdict=Judgement.Verdict.SUFFICIENT),
        "A verdict comes from either an inspection or a DfE review, not both or neither.",
    ),
    "inspections_judgement_once_per_inspection": (
        lambda w: Judgement(
            finding=w.finding, inspection=w.revisit, verdict=Judgement.Verdict.SUFFICIENT
        ),
        "This inspection has already given a verdict on this finding.",
    ),
    "inspections_inspection_resolved_within_judged": (
        lambda w: inspection_row(w, kind="revisit", findings_judged=3, findings_resolved=4),
        "The findings resolved cannot be more than the findings judged.",
    ),
    "inspections_intervention_unique_ref": (
        lambda w: intervention_row(w, ref=w.intervention.ref),
        "Another intervention in this area already has this reference.",
    ),
    "inspections_intervention_lifted_after_issued": (
        lambda w: intervention_row(w, issued_on=D(2023, 3, 14), lifted_on=D(2023, 3, 1)),
        "An intervention cannot be lifted before it is issued.",
    ),
    **{
        f"inspections_intervention_{field}_normalised": (
            lambda w, field=field: intervention_row(w, **month_not_first(field)),
            NORMALISED,
        )
        for field in ("issued_on", "lifted_on")
    },
    "inspections_interventionfinding_unique": (
        lambda w: InterventionFinding(intervention=w.intervention, finding=w.finding),
        "This intervention already covers this finding.",
    ),
    "inspections_judgement_once_per_review": (
        lambda w: Judgement(finding=w.finding, review=w.review, verdict=Judgement.Verdict.CLOSED),
        "This review has already given a verdict on this finding.",
    ),
    # actions
    "actions_plan_unique_ref": (
        lambda w: plan_row(w, ref=w.plan.ref),
        "Another plan in this area already has this reference.",
    ),
    "actions_plan_judged_after_submitted": (
        lambda w: plan_row(w, submitted_on=D(2018, 8, 20), judged_on=D(2018, 8, 1)),
        "A plan cannot be judged before it is submitted.",
    ),
    "actions_plan_closed_after_published": (
        lambda w: plan_row(w, published_on=D(2019, 1, 10), closed_on=D(2018, 12, 1)),
        "A plan cannot close before it is published.",
    ),
    **{
        f"actions_plan_{field}_normalised": (
            lambda w, field=field: plan_row(w, **month_not_first(field)),
            NORMALISED,
        )
        for field in ("submitted_on", "judged_on", "published_on", "closed_on")
    },
    "actions_planfinding_unique": (
        lambda w: PlanFinding(plan=w.plan, finding=w.finding),
        "The plan already addresses this finding.",
    ),
    "actions_planintervention_unique": (
        lambda w: PlanIntervention(plan=w.plan, intervention=w.intervention),
        "The plan already answers this intervention.",
    ),
    "actions_actionitem_unique_ref": (
        lambda w: ActionItem(
            plan=w.plan,
            ref=w.action.ref,
            finding=w.finding,
            title="Again",
            lead_organisation=w.council,
            due_date=D(2019, 3, 31),
            success_criteria="Done.",
        ),
        "Another action in this plan already has this reference.",
    ),
    "actions_actionitem_due_after_start": (
        lambda w: ActionItem(
            plan=w.plan,
            ref="1.2",
            finding=w.finding,
            title="Backwards",
            lead_organisation=w.council,
            start_date=D(2019, 3, 1),
            due_date=D(2019, 2, 1),
            success_criteria="Done.",
        ),
        "The due date cannot be before the start date.",
    ),
    "actions_deadlinerule_relative_to_only_for_rule_anchor": (
        lambda w: rule_row(anchor=DeadlineRule.Anchor.RULE),
        "Choose the rule to count from only when the anchor is another rule's date.",
    ),
    "actions_deadlinerule_one_scope": (
        lambda w: rule_row(inspection_outcome="2"),
        "A rule is about either a kind of plan or an inspection outcome: choose one of them, "
        "not both.",
    ),
    "actions_deadlinerule_offset_has_unit": (
        lambda w: rule_row(unit=""),
        "Enter both the offset and its unit, or neither for a reminder with no due date.",
    ),
    "actions_stateddeadline_one_subject": (
        lambda w: StatedDeadline(
            rule=DeadlineRule.objects.get(code="wsoa-submit"),
            due_on=D(2018, 8, 30),
            stated_in="Ofsted's letter",
        ),
        "A stated date belongs to either a plan or an inspection, not both or neither.",
    ),
    "actions_stateddeadline_due_on_normalised": (
        lambda w: StatedDeadline(
            plan=w.plan,
            rule=DeadlineRule.objects.get(code="wsoa-submit"),
            stated_in="Ofsted's letter",
            **month_not_first("due_on"),
        ),
        NORMALISED,
    ),
    "actions_deadlinerule_offset_not_zero": (
        lambda w: rule_row(offset=0),
        "The offset cannot be zero.",
    ),
    # progress
    "progress_progressupdate_period_in_order": (
        lambda w: ProgressUpdate(**update_fields(w.action, period_end=D(2021, 12, 31))),
        "The end of the period cannot be before its start.",
    ),
    "progress_progressupdate_returned_has_reason": (
        lambda w: ProgressUpdate(**update_fields(w.action, state="returned")),
        "Say why the update is being returned.",
    ),
    "progress_progressupdate_published_has_time": (
        lambda w: ProgressUpdate(**update_fields(w.action, state="published")),
        "A published update needs the time it is published from.",
    ),
    "progress_progressupdate_withdrawn_has_reason": (
        lambda w: ProgressUpdate(
            **update_fields(
                w.action, state="withdrawn", publish_at=timezone.now(), withdrawn_at=timezone.now()
            )
        ),
        "Say why it is being withdrawn.",
    ),
    "progress_progressupdate_only_withdrawn_has_withdrawal": (
        lambda w: ProgressUpdate(**update_fields(w.action, withdraw_reason="Wrong dates.")),
        "Only a withdrawn record has a reason for withdrawal.",
    ),
    "progress_progressupdate_withdraw_reason_not_too_long": (
        lambda w: ProgressUpdate(
            **update_fields(
                w.action,
                state="withdrawn",
                publish_at=timezone.now(),
                withdrawn_at=timezone.now(),
                withdraw_reason="x" * 501,
            )
        ),
        "The reason for withdrawal must be 500 characters or fewer.",
    ),
    "progress_measure_unique_slug": (
        lambda w: Measure(**measure_fields(w.area, slug=w.measure.slug)),
        "Another measure in this area already has this short name.",
    ),
    "progress_measure_target_after_baseline": (
        lambda w: Measure(
            **measure_fields(w.area, baseline_date=D(2022, 3, 31), target_date=D(2022, 3, 31))
        ),
        "The target date must be after the baseline date.",
    ),
    "progress_measurevalue_one_per_period": (
        lambda w: MeasureValue(measure=w.measure, period_end=D(2022, 3, 31), value=45),
        "This measure already has a value for this period.",
    ),
    "progress_measurevalue_has_figure": (
        lambda w: MeasureValue(measure=w.measure, period_end=D(2022, 6, 30)),
        "Enter a value, or the counts it is worked out from.",
    ),
    "progress_measurevalue_counts_consistent": (
        lambda w: MeasureValue(
            measure=w.measure, period_end=D(2022, 6, 30), numerator=5, denominator=3
        ),
        "Give both counts, with the number meeting the measure no larger than the total.",
    ),
    "progress_boardmeeting_unique": (
        lambda w: BoardMeeting(area=w.area, held_on=D(2022, 4, 1)),
        "This board already has a meeting on this date.",
    ),
    "progress_progressreport_unique_number": (
        lambda w: report_row(w, number=published_report(w).number, state="ready"),
        "This plan already has a report with this number.",
    ),
    "progress_progressreport_withdrawn_has_reason": (
        lambda w: report_row(
            w, state="withdrawn", number=1, sha256="0" * 64, withdrawn_at=timezone.now()
        ),
        "Say why it is being withdrawn.",
    ),
    "progress_progressreport_only_withdrawn_has_withdrawal": (
        lambda w: report_row(w, withdraw_reason="Wrong period."),
        "Only a withdrawn record has a reason for withdrawal.",
    ),
    "progress_progressreport_withdraw_reason_not_too_long": (
        lambda w: report_row(
            w,
            state="withdrawn",
            number=1,
            sha256="0" * 64,
            withdrawn_at=timezone.now(),
            withdraw_reason="x" * 501,
        ),
        "The reason for withdrawal must be 500 characters or fewer.",
    ),
    "progress_progressreport_period_in_order": (
        lambda w: report_row(w, period_start=D(2022, 6, 30), period_end=D(2022, 4, 1)),
        "The end of the period cannot be before its start.",
    ),
    "progress_progressreport_published_is_frozen": (
        lambda w: report_row(w, state="published"),
        "A published report needs its number and its stored PDF.",
    ),
    "progress_progressreport_introduction_not_too_long": (
        lambda w: report_row(w, introduction="a" * 2001),
        "The introduction must be 2,000 characters or fewer.",
    ),
    "progress_forumresponse_challenge_has_text": (
        lambda w: forum_row(w, "challenge", text=""),
        "Enter what the forum wants the board to answer.",
    ),
    "progress_forumresponse_text_not_too_long": (
        lambda w: forum_row(w, "acknowledge", text="a" * 501),
        "A challenge must be 1,500 characters or fewer, and a note with an acknowledgement "
        "500 characters or fewer.",
    ),
    "progress_forumresponse_only_challenges_answered": (
        lambda w: forum_row(w, "acknowledge", answered_at=timezone.now()),
        "Only a challenge is answered by the board.",
    ),
    "progress_forumresponse_one_acknowledgement": (
        lambda w: saved_forum_row(w, "acknowledge") and forum_row(w, "acknowledge", text="Again"),
        "The forum has already acknowledged this update.",
    ),
    "progress_forumresponse_one_open_challenge": (
        lambda w: (
            saved_forum_row(w, "challenge", text="Why?") and forum_row(w, "challenge", text="And?")
        ),
        "The forum has already challenged this update, and the board has not replied yet.",
    ),
    "progress_forumreply_has_text": (
        lambda w: reply_row(w, text=""),
        "Enter the board’s reply.",
    ),
    "progress_forumreply_text_not_too_long": (
        lambda w: reply_row(w, text="a" * 1501),
        "The board’s reply must be 1,500 characters or fewer.",
    ),
}


def published_update(w):
    """A published update on the world's action, for the parent carer forum to respond to."""
    update = ProgressUpdate.objects.filter(action=w.action, state="published").first()
    if update is None:
        update = ProgressUpdate.objects.create(
            **update_fields(w.action, state="published", publish_at=timezone.now())
        )
    return update


def forum_row(w, kind, **fields):
    values = {"update": published_update(w), "kind": kind, "responded_by": w.user, **fields}
    return ForumResponse(**values)


def saved_forum_row(w, kind, **fields):
    row = forum_row(w, kind, **fields)
    row.save()
    return row


def reply_row(w, **fields):
    challenge = saved_forum_row(w, "challenge", text="Why is it late?")
    return ForumReply(**{"challenge": challenge, "replied_by": w.user, **fields})


def report_row(w, **fields):
    values = {
        "plan": w.plan,
        "audience": "public",
        "period_start": D(2022, 1, 1),
        "period_end": D(2022, 6, 30),
        "state": "queued",
    }
    values.update(fields)
    return ProgressReport(**values)


def published_report(w):
    """A report already published as number 1 (saved), for the duplicate-number case."""
    report = report_row(w, state="published", number=1, sha256="0" * 64)
    report.save()
    return report


# Where clean() finds the same fault first and says it its own way (still plain English).
CLEAN_SAYS_INSTEAD = {
    "actions_stateddeadline_one_subject": "Choose the plan this date is for.",
    "inspections_inspection_kind_fits_framework": "Under the 2016 framework, choose inspection or revisit.",
}


def named_constraints():
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            for constraint in model._meta.constraints:
                yield constraint.name


def test_every_named_constraint_has_a_case():
    assert sorted(named_constraints()) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_database_enforces_it(world, name):
    build, _ = CASES[name]
    row = build(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


@pytest.mark.parametrize("name", sorted(CASES))
def test_validation_gives_the_plain_english_message(world, name):
    build, message = CASES[name]
    row = build(world)
    with pytest.raises(ValidationError) as error:
        row.validate_constraints()
    assert error.value.messages == [message]
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert CLEAN_SAYS_INSTEAD.get(name, message) in " ".join(error.value.messages)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_row_is_otherwise_valid(world, name):
    """The cases break only their own constraint, so the tests above prove what they say."""
    build, _ = CASES[name]
    row = build(world)
    others = [c for c in type(row)._meta.constraints if c.name != name]
    for constraint in others:
        constraint.validate(type(row), row)


# clean() rules that no database constraint expresses.


def messages_for(row, field):
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    return error.value.message_dict.get(field, [])


def test_finding_kind_must_fit_the_framework(world):
    finding = Finding(
        inspection=world.inspection, kind=Finding.Kind.PRIORITY_ACTION, number=3, text="x"
    )
    [message] = messages_for(finding, "kind")
    assert message == (
        "Findings of a 2016 inspection are areas of significant weakness (or, where the "
        "report used them, fundamental failings or areas of significant concern)."
    )
    full = make_inspection(area=world.area, ref="2024", framework="2023", start="2024-01-08")
    finding = Finding(inspection=full, kind=Finding.Kind.SIGNIFICANT_WEAKNESS, number=1, text="x")
    assert messages_for(finding, "kind") == [
        "Findings of a 2023 inspection are areas for priority action or areas for improvement."
    ]
    Finding(inspection=full, kind=Finding.Kind.IMPROVEMENT, number=1, text="x").full_clean()


def test_findings_belong_to_the_inspection_that_made_them(world):
    finding = Finding(
        inspection=world.revisit, kind=Finding.Kind.SIGNIFICANT_WEAKNESS, number=1, text="x"
    )
    assert messages_for(finding, "inspection") == [
        "Findings belong to the inspection that made them, not to a revisit."
    ]


def test_inspection_outcome_must_fit_its_kind(world):
    inspection = inspection_row(world, outcome=Inspection.Outcome.SYSTEMIC)
    [message] = messages_for(inspection, "outcome")
    assert "is not an outcome of a" in message


def test_report_cannot_be_received_before_the_inspection_starts(world):
    inspection = inspection_row(world, start_date=D(2018, 3, 12), report_received=D(2018, 3, 1))
    assert messages_for(inspection, "report_received") == [
        "The report cannot be received before the inspection starts."
    ]


@pytest.mark.parametrize(
    "build",
    [
        # Ended "March 2018" after starting on 12 March 2018 ("March 2018" is stored as 1 March).
        lambda w: inspection_row(
            w, start_date=D(2018, 3, 12), end_date=D(2018, 3, 1), end_date_precision="month"
        ),
        lambda w: inspection_row(
            w,
            start_date=D(2018, 3, 12),
            report_published=D(2018, 3, 1),
            report_published_precision="month",
        ),
        lambda w: plan_row(
            w, submitted_on=D(2018, 8, 20), judged_on=D(2018, 8, 1), judged_on_precision="month"
        ),
        lambda w: plan_row(
            w, published_on=D(2019, 1, 10), closed_on=D(2019, 1, 1), closed_on_precision="month"
        ),
    ],
)
def test_a_month_precise_later_date_in_the_same_month_is_allowed(world, build):
    row = build(world)
    row.full_clean()
    with transaction.atomic():
        row.save()


def test_a_month_precise_date_clearly_too_early_is_still_refused_by_clean(world):
    inspection = inspection_row(
        world, start_date=D(2018, 3, 12), end_date=D(2018, 2, 1), end_date_precision="month"
    )
    assert messages_for(inspection, "end_date") == ["The inspection cannot end before it starts."]


@pytest.mark.parametrize(
    ("source", "verdict"),
    [
        ("revisit", Judgement.Verdict.EFFECTIVE),
        ("revisit", Judgement.Verdict.CLOSED),
        ("review", Judgement.Verdict.SUFFICIENT),
        ("review", Judgement.Verdict.NOT_EFFECTIVE),
    ],
)
def test_judgement_verdict_must_fit_its_source(world, source, verdict):
    if source == "revisit":
        judgement = Judgement(
            finding=world.other_finding, inspection=world.revisit, verdict=verdict
        )
    else:
        judgement = Judgement(finding=world.other_finding, review=world.review, verdict=verdict)
    assert messages_for(judgement, "verdict")


def test_judgements_come_from_revisits_and_monitoring_only(world):
    judgement = Judgement(
        finding=world.other_finding,
        inspection=world.inspection,
        verdict=Judgement.Verdict.SUFFICIENT,
    )
    assert messages_for(judgement, "inspection") == [
        "Only a revisit, a monitoring inspection or a 2023 full inspection gives verdicts on "
        "earlier findings."
    ]


def test_judgement_must_be_of_the_findings_area(world):
    elsewhere = make_area(slug="elsewhere")
    make_inspection(area=elsewhere, ref="first", start="2017-01-09")
    revisit = make_inspection(area=elsewhere, ref="revisit", kind="revisit", start="2019-01-07")
    judgement = Judgement(
        finding=world.other_finding, inspection=revisit, verdict=Judgement.Verdict.SUFFICIENT
    )
    assert messages_for(judgement, "inspection") == [
        "The inspection must be of the same local area as the finding."
    ]
    review = make_review(area=elsewhere, ref="review", held="2020-01")
    judgement = Judgement(
        finding=world.other_finding, review=review, verdict=Judgement.Verdict.CLOSED
    )
    assert messages_for(judgement, "review") == [
        "The review must be of the same local area as the finding."
    ]


@pytest.mark.parametrize(
    ("kind", "responds_to"),
    [
        (Plan.Kind.WSOA, "revisit"),
        (Plan.Kind.ACCELERATED, "inspection"),
        (Plan.Kind.PRIORITY_ACTION, "inspection"),
        (Plan.Kind.STRATEGIC, "revisit"),
    ],
)
def test_plan_must_answer_the_right_kind_of_inspection(world, kind, responds_to):
    plan = plan_row(world, kind=kind, responds_to=getattr(world, responds_to))
    [message] = messages_for(plan, "responds_to")
    assert " answers a" in message


def test_plan_kinds_answer_their_inspections(world):
    plan_row(world, kind=Plan.Kind.ACCELERATED, responds_to=world.revisit).full_clean()
    plan_row(world, kind=Plan.Kind.WSOA).full_clean()


def test_plan_must_answer_an_inspection_of_its_area(world):
    elsewhere = make_area(slug="elsewhere")
    plan = plan_row(world, area=elsewhere)
    assert messages_for(plan, "responds_to") == [
        "The inspection must be of this plan's local area."
    ]


def test_plan_cannot_replace_itself(world):
    world.plan.superseded_by = world.plan
    assert messages_for(world.plan, "superseded_by") == ["A plan cannot replace itself."]


def test_plan_finding_must_be_from_the_plans_area(world):
    elsewhere = make_area(slug="elsewhere")
    finding = make_finding(inspection=make_inspection(area=elsewhere, start="2017-01-09"))
    link = PlanFinding(plan=world.plan, finding=finding)
    assert messages_for(link, "finding") == ["The finding must be from this plan's local area."]


def test_an_actions_finding_must_be_one_the_plan_addresses(world):
    action = ActionItem(
        plan=world.plan,
        ref="2.1",
        finding=world.other_finding,
        title="Not addressed",
        lead_organisation=world.council,
        due_date=D(2019, 3, 31),
        success_criteria="Done.",
    )
    assert messages_for(action, "finding") == ["Choose one of the findings this plan addresses."]
    PlanFinding.objects.create(plan=world.plan, finding=world.other_finding)
    action.full_clean()


def test_deadline_rule_clean(world):
    submit = DeadlineRule.objects.get(code="wsoa-submit")
    evidence = DeadlineRule.objects.get(code="app-review-evidence")
    other_kind = rule_row(
        anchor=DeadlineRule.Anchor.RULE, relative_to=DeadlineRule.objects.get(code="pap-submit")
    )
    assert messages_for(other_kind, "relative_to") == [
        "Count only from a rule for the same kind of plan."
    ]
    chained = rule_row(
        plan_kind=Plan.Kind.ACCELERATED, anchor=DeadlineRule.Anchor.RULE, relative_to=evidence
    )
    assert messages_for(chained, "relative_to") == [
        "Count from a rule that is itself counted from an event."
    ]
    submit.anchor, submit.relative_to = DeadlineRule.Anchor.RULE, submit
    assert messages_for(submit, "relative_to") == ["A rule cannot count from itself."]


def test_a_submitted_update_cannot_be_changed(world):
    update = world.update
    update.narrative = "Drafts can change."
    update.save()
    update.state = ProgressUpdate.State.SUBMITTED
    update.submitted_at = timezone.now()
    update.save()
    update.refresh_from_db()

    update.public_summary = "Rewritten after submission."
    with pytest.raises(ValidationError) as error:
        update.save()
    assert error.value.messages == [
        "A submitted update cannot be changed; write a new update instead."
    ]
    update.refresh_from_db()
    assert update.public_summary == "More educational psychologists are in post."

    # Moving it on through approval is not a change to what it says.
    update.state = ProgressUpdate.State.APPROVED
    update.approved_at = timezone.now()
    update.save()
    update.refresh_from_db()
    update.delivery_status = "at_risk"
    with pytest.raises(ValidationError):
        update.save()


def test_a_returned_update_can_be_changed(world):
    update = world.update
    ProgressUpdate.objects.filter(pk=update.pk).update(
        state=ProgressUpdate.State.RETURNED, return_reason="Say what changed for families."
    )
    update.refresh_from_db()
    update.public_summary = "Families now wait less for an assessment."
    update.save()
    update.refresh_from_db()
    assert update.public_summary == "Families now wait less for an assessment."


def test_an_organisation_changes_kind_on_a_date(world):
    icb = Organisation(
        slug="nhs-testshire",
        name="NHS Testshire",
        kind=Organisation.Kind.ICB,
        former_kind=Organisation.Kind.CCG,
        kind_changed_on=D(2022, 7, 1),
    )
    icb.full_clean()
    assert icb.kind_label_on(D(2021, 9, 20)) == "Clinical commissioning group (CCG)"
    assert icb.kind_label_on(D(2022, 7, 1)) == "Integrated care board (ICB)"
    icb.former_kind = Organisation.Kind.ICB
    assert messages_for(icb, "former_kind") == [
        "The kind before the change must differ from the kind now."
    ]
