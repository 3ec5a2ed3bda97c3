"""Invented plan content for the demo: actions, milestones, updates, measures, meetings.

Everything written here is marked ``is_illustrative`` and its titles say so, so
nobody mistakes it for a real area's plan. The inspections, findings, verdicts
and plans it hangs from are the real public history imported from the seed.

The content is deterministic (no randomness), so loading the demo twice gives
the same result, and it is only created for a plan that has no actions yet.
"""

import datetime
import hashlib
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from actions.models import ActionItem, DeliveryStatus, ImpactStatus, Milestone, Plan
from kit.versioning import save_with_history
from progress.models import BoardMeeting, Measure, MeasureValue, ProgressUpdate, YouSaidWeDid

REASON = "Demo data (illustrative, invented for the demo)"
LABEL = "Illustrative"

# Which plan in each seed area gets invented delivery detail.
DEMO_PLANS = {
    "worcestershire": "improvement-plan-2024",
    "wolverhampton": "wsoa-2021",
    "dudley": "strategic-plan-2025",
    "essex": "wsoa-2019",
}

# Action ideas by the theme of the finding they serve: (keywords, [(title, success, summary)]).
THEMES = [
    (
        ("waiting", "wait"),
        [
            (
                "Add more assessment clinics to cut the longest waits",
                "No child waits more than 18 weeks for a first visit.",
                "More clinics, so children are seen sooner.",
            ),
            (
                "Offer support to families while they wait",
                "Every family on a waiting list gets a named contact and a support session.",
                "Help for families while they wait, not only after an assessment.",
            ),
        ],
    ),
    (
        ("co-production", "coproduction", "co-produc"),
        [
            (
                "Set up a young people's SEND group that meets each term",
                "The young people's group looks at every big change before the board agrees it.",
                "Young people help decide how services change.",
            ),
            (
                "Agree a co-production charter with the parent carer forum",
                "All partners sign the charter and use it in all their work.",
                "Parents and carers plan with us as equal partners.",
            ),
        ],
    ),
    (
        ("ehc", "education, health and care"),
        [
            (
                "Check a sample of EHC plans every month",
                "At least 80% of the plans we check are rated good or better.",
                "We check plans every month, so they say what each child needs.",
            ),
            (
                "Clear the backlog of late annual reviews",
                "We decide every annual review within 4 weeks of the meeting.",
                "Each plan gets its review on time every year.",
            ),
        ],
    ),
    (
        ("commission",),
        [
            (
                "Agree how the council and NHS plan and buy services together",
                "The council's cabinet and the ICB board agree the plan and the shared budgets.",
                "The council and the NHS plan and buy services together.",
            ),
            (
                "Check together that there is enough speech and language therapy",
                "Partners finish the check and pay to fill the gaps in the next budget.",
                "Speech and language help is there when children need it.",
            ),
        ],
    ),
    (
        ("transition", "post-19", "employment", "training"),
        [
            (
                "Start planning for adult life from Year 9",
                "Every EHC plan review from Year 9 has a part about adult life.",
                "Planning for adult life starts earlier.",
            ),
            (
                "Offer more supported internships with local firms",
                "Forty supported internship places each year.",
                "More young people get help into work.",
            ),
        ],
    ),
    (
        ("information", "local offer"),
        [
            (
                "Rebuild the Local Offer website with families",
                "Families say the Local Offer is easy to use in the yearly survey.",
                "A clearer website about SEND services, made with families.",
            ),
            (
                "Publish a plain-English update after every board meeting",
                "We publish a summary within 10 working days of each meeting.",
                "Families can see what the board talked about and decided.",
            ),
        ],
    ),
]
GENERIC_ACTIONS = [
    (
        "Train school SEND coordinators in the graduated approach",
        "Every mainstream school has a trained SENCO and uses the local toolkit.",
        "Schools learn how to support children with SEND well.",
    ),
    (
        "Check this weakness at every improvement board",
        "At each meeting, the board looks at progress and at what has changed for families.",
        "The board checks progress on this at every meeting.",
    ),
]

DELIVERY_CYCLE = [
    DeliveryStatus.ON_TRACK,
    DeliveryStatus.AT_RISK,
    DeliveryStatus.ON_TRACK,
    DeliveryStatus.OFF_TRACK,
    DeliveryStatus.DELIVERED,
    DeliveryStatus.NOT_STARTED,
]
IMPACT_FOR = {
    DeliveryStatus.NOT_STARTED: ImpactStatus.NO_EVIDENCE,
    DeliveryStatus.ON_TRACK: ImpactStatus.SOME_EVIDENCE,
    DeliveryStatus.AT_RISK: ImpactStatus.NO_EVIDENCE,
    DeliveryStatus.OFF_TRACK: ImpactStatus.NO_EVIDENCE,
    DeliveryStatus.DELIVERED: ImpactStatus.CLEAR_EVIDENCE,
}


def _stable_index(text, modulo):
    return int(hashlib.sha256(text.encode()).hexdigest(), 16) % modulo


def _ideas_for(finding_text):
    lowered = finding_text.lower()
    for keywords, ideas in THEMES:
        if any(word in lowered for word in keywords):
            return ideas
    return GENERIC_ACTIONS


def _audited(obj):
    return save_with_history(obj, by=None, reason=REASON)


def _plan_start(plan):
    for value in (plan.published, plan.judged, plan.responds_to.published, plan.responds_to.start):
        if value:
            return value.last_day
    return datetime.date(2025, 1, 1)


def _quarter_ends(start, until):
    """Quarter-end dates after ``start`` up to ``until``."""
    day = datetime.date(start.year, ((start.month - 1) // 3) * 3 + 1, 1) + relativedelta(months=3)
    ends = []
    while day - datetime.timedelta(days=1) <= until:
        ends.append(day - datetime.timedelta(days=1))
        day += relativedelta(months=3)
    return ends


@transaction.atomic
def add_illustrative_content(plan, *, officer, board_member, today):
    """Give ``plan`` invented actions, updates, measures and meetings, once."""
    if plan.actions.exists():
        return False
    closed = not plan.is_open or plan.status == Plan.Status.CLOSED
    start = _plan_start(plan)
    finish = plan.closed.last_day if plan.closed else today
    lead_org = plan.area.partnerships.select_related("organisation").first().organisation
    health_org = (
        plan.area.partnerships.exclude(organisation__kind="council")
        .select_related("organisation")
        .first()
    )
    findings = list(plan.findings.order_by("kind_rank", "number"))
    for f_index, finding in enumerate(findings, start=1):
        ideas = _ideas_for(finding.text)
        for a_index, (title, success, summary) in enumerate(ideas, start=1):
            ref = f"{f_index}.{a_index}"
            delivery = (
                DeliveryStatus.DELIVERED
                if closed
                # Keyed by names, not the plan's pk, which differs from one database to the next.
                else DELIVERY_CYCLE[
                    _stable_index(f"{plan.area.slug}/{plan.ref}/{ref}", len(DELIVERY_CYCLE))
                ]
            )
            organisation = health_org.organisation if (health_org and a_index == 2) else lead_org
            action = _audited(
                ActionItem(
                    plan=plan,
                    ref=ref,
                    finding=finding,
                    title=f"{title} ({LABEL.lower()})",
                    description=(
                        "Illustrative action, made up for the demo. It is not part of the area's "
                        "real plan."
                    ),
                    lead_organisation=organisation,
                    lead_officer=officer if a_index == 1 else board_member,
                    start_date=start,
                    due_date=start + relativedelta(months=12 + 3 * a_index),
                    success_criteria=success,
                    delivery_status=delivery,
                    impact_status=ImpactStatus.CLEAR_EVIDENCE if closed else IMPACT_FOR[delivery],
                    public_summary=summary,
                    is_illustrative=True,
                )
            )
            for months in (3, 6, 12):
                due = start + relativedelta(months=months)
                _audited(
                    Milestone(
                        action=action,
                        title=f"{months}-month milestone: {summary[0].lower()}{summary[1:]}",
                        due_date=due,
                        completed_on=due
                        if (closed or due < today - relativedelta(months=2))
                        else None,
                    )
                )
            _add_updates(
                action,
                start=start,
                until=finish,
                today=today,
                author=action.lead_officer,
                approver=officer,
            )
    _add_measures(plan, start=start, until=finish)
    _add_meetings(plan, start=start, until=finish)
    _add_you_said_we_did(plan, start=start)
    if plan.is_open:
        _add_next_meeting(plan, today=today)
    for finding in findings:
        if not finding.families_summary:
            finding.families_summary = (
                "Illustrative, made up for the demo. Families should get the right help sooner. "
                "They should hear from us about what is changing."
            )
            _audited(finding)
    return True


def _add_updates(action, *, start, until, today, author, approver):
    quarter_ends = _quarter_ends(start, min(until, today))[-4:]
    previous = (DeliveryStatus.NOT_STARTED, ImpactStatus.NO_EVIDENCE)
    for index, period_end in enumerate(quarter_ends):
        is_last = index == len(quarter_ends) - 1
        delivery = action.delivery_status if is_last else DeliveryStatus.ON_TRACK
        impact = action.impact_status if is_last else ImpactStatus.SOME_EVIDENCE
        if index == 0:
            delivery, impact = DeliveryStatus.ON_TRACK, ImpactStatus.NO_EVIDENCE
        published_at = timezone.make_aware(
            datetime.datetime.combine(period_end + datetime.timedelta(days=21), datetime.time(10))
        )
        reason = (
            ""
            if (delivery, impact) == previous
            else "We checked the status at the quarterly review."
        )
        _audited(
            ProgressUpdate(
                action=action,
                period_start=period_end - relativedelta(months=3) + datetime.timedelta(days=1),
                period_end=period_end,
                delivery_status=delivery,
                impact_status=impact,
                narrative=(
                    f"Internal note (illustrative): lead reports progress on {action.ref} for the "
                    f"quarter to {period_end:%d %B %Y}; risks discussed with partners."
                ),
                public_summary=(
                    f"Illustrative update. Work went on this quarter towards this aim: "
                    f"“{action.public_summary}”"
                ),
                status_change_reason=reason,
                state=ProgressUpdate.State.PUBLISHED,
                author=author,
                approved_by=approver,
                submitted_at=published_at - datetime.timedelta(days=7),
                approved_at=published_at - datetime.timedelta(days=2),
                publish_at=published_at,
                is_illustrative=True,
            )
        )
        previous = (delivery, impact)


def _percent(numerator, denominator):
    return (Decimal(100) * numerator / denominator).quantize(Decimal("0.1"))


def _add_measures(plan, *, start, until):
    area = plan.area
    quarter_ends = _quarter_ends(start, until)[-8:]
    if not quarter_ends:
        return
    specs = [
        dict(
            slug=f"{plan.ref}-ehcp-20-weeks",
            name="New EHC plans issued within 20 weeks (illustrative)",
            definition=(
                "Of the new education, health and care plans in the quarter, the share that came "
                "within 20 weeks of the request. It leaves out the cases the law lets take longer."
            ),
            source="The council's case records (illustrative figures)",
            unit=Measure.Unit.PERCENT,
            higher_is_better=True,
            target=60,
            national_comparator="46.4",
            national_comparator_label="England, 2024 (DfE, Education, health and care plans)",
            rates=[(22, 60), (25, 58), (30, 61), (33, 59), (36, 62), (39, 60), (3, 4), (44, 63)],
        ),
        dict(
            slug=f"{plan.ref}-families-listened-to",
            name="Families who felt listened to (illustrative)",
            definition=(
                "Of the parents and carers who answered the survey each quarter, the share who "
                "said that services listened to them."
            ),
            source="Parent carer forum survey, every 3 months (illustrative figures)",
            unit=Measure.Unit.PERCENT,
            higher_is_better=True,
            target=70,
            rates=[
                (40, 110),
                (45, 112),
                (52, 118),
                (55, 115),
                (60, 120),
                (66, 121),
                (70, 119),
                (73, 122),
            ],
        ),
        dict(
            slug=f"{plan.ref}-assessment-wait",
            name="Average wait for an autism assessment (illustrative)",
            definition=(
                "The average number of weeks from being referred to the first visit, for "
                "assessments that started in the quarter."
            ),
            source="NHS waiting lists (illustrative figures)",
            unit=Measure.Unit.WEEKS,
            higher_is_better=False,
            target=18,
            values=[52, 50, 47, 45, 41, 38, 35, 31],
        ),
    ]
    for spec in specs:
        rates = spec.pop("rates", None)
        values = spec.pop("values", None)
        series = rates or values
        series = series[-len(quarter_ends) :]
        first = series[0]
        baseline = _percent(*first) if rates else Decimal(first)
        measure = _audited(
            Measure(
                area=area,
                plan=plan,
                baseline=baseline,
                baseline_date=quarter_ends[0],
                target_date=quarter_ends[0] + relativedelta(months=24),
                is_illustrative=True,
                **spec,
            )
        )
        for period_end, point in zip(quarter_ends[-len(series) :], series, strict=True):
            if rates:
                numerator, denominator = point
                value = MeasureValue(
                    measure=measure,
                    period_end=period_end,
                    numerator=numerator,
                    denominator=denominator,
                    value=_percent(numerator, denominator),
                )
            else:
                value = MeasureValue(measure=measure, period_end=period_end, value=point)
            value.period_label = f"Quarter to {period_end:%B %Y}"
            _audited(value)


def _add_meetings(plan, *, start, until):
    held = [d + datetime.timedelta(days=20) for d in _quarter_ends(start, until)[-3:]]
    for index, day in enumerate(held, start=1):
        _audited(
            BoardMeeting(
                area=plan.area,
                held_on=day,
                title="SEND improvement board (illustrative)",
                what_was_said=(
                    "Illustrative summary. The board looked at how each part of the plan is going. "
                    "It looked at the latest waiting times. It heard what the parent carer forum "
                    "had to say."
                ),
                what_we_will_do=(
                    "Illustrative. Next time, partners will say how the actions at risk are going. "
                    "We will put this summary on the Local Offer."
                ),
                internal_minutes=(
                    f"Internal minutes (illustrative), meeting {index}: budget pressures and "
                    "staffing risks discussed in confidence."
                ),
                is_published=True,
                is_illustrative=True,
            )
        )


def _add_you_said_we_did(plan, *, start):
    entries = [
        (
            "Parent carer forum survey (illustrative)",
            "Illustrative. You said nobody told you how long you would wait for an assessment.",
            "Illustrative. We now write to every family. We tell them how long the wait will be. "
            "We give them a named person to contact.",
        ),
        (
            "Co-production workshop (illustrative)",
            "Illustrative. You said it was hard to find your way around the Local Offer website.",
            "Illustrative. We worked with parents to make new menus for the website. We tested "
            "them together.",
        ),
    ]
    for months, (source, you_said, we_did) in zip((4, 8), entries, strict=True):
        _audited(
            YouSaidWeDid(
                area=plan.area,
                heard_on=start + relativedelta(months=months),
                source=source,
                you_said=you_said,
                we_did=we_did,
                is_published=True,
                is_illustrative=True,
            )
        )


def _add_next_meeting(plan, *, today):
    """The next board meeting, announced publicly with what it will look at."""
    _audited(
        BoardMeeting(
            area=plan.area,
            held_on=today + datetime.timedelta(days=28),
            title="SEND improvement board (illustrative)",
            what_we_will_do=(
                "Illustrative. The board will look at how each part of the plan is going. It will "
                "look at what families have told us lately."
            ),
            is_published=True,
            is_illustrative=True,
        )
    )


def publish_demo_report(plan, *, officer, today):
    """Generate and publish a public progress report for the plan, once."""
    from progress.models import ProgressReport
    from progress.report_services import publish_report
    from progress.tasks import generate_report

    if ProgressReport.objects.filter(
        plan=plan, audience=ProgressReport.Audience.PUBLIC, state=ProgressReport.State.PUBLISHED
    ).exists():
        return None
    end = today
    report = ProgressReport(
        plan=plan,
        audience=ProgressReport.Audience.PUBLIC,
        period_start=end - relativedelta(months=6),
        period_end=end,
        requested_by=officer,
    )
    save_with_history(report, by=officer, reason="Demo report")
    # Generated here and now rather than queued, so the demo's public pages
    # have a real report to download from the first run.
    generate_report.call(report.pk)
    report.refresh_from_db()
    if report.state != ProgressReport.State.READY:
        raise RuntimeError(f"The demo report for {plan} could not be generated: {report.error}")
    return publish_report(report, by=officer)
