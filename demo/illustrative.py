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
                "Add extra assessment clinics to bring down the longest waits",
                "No child waits more than 18 weeks for a first appointment.",
                "More clinics so that children are seen sooner.",
            ),
            (
                "Offer support to families while they wait",
                "Every family on a waiting list is offered a named contact and a support session.",
                "Help for families while they wait, not only after an assessment.",
            ),
        ],
    ),
    (
        ("co-production", "coproduction", "co-produc"),
        [
            (
                "Set up a young people's SEND advisory group that meets each term",
                "Young people's group reviews every major change before the board agrees it.",
                "Young people help decide how services change.",
            ),
            (
                "Agree a co-production charter with the parent carer forum",
                "Charter signed by all partners and used in every workstream.",
                "Parents and carers are equal partners in planning.",
            ),
        ],
    ),
    (
        ("ehc", "education, health and care"),
        [
            (
                "Quality-assure a sample of EHC plans every month",
                "At least 80% of audited plans are rated good or better.",
                "Checking plans every month so they describe children's needs properly.",
            ),
            (
                "Clear the backlog of overdue annual reviews",
                "Every annual review decision is made within 4 weeks of the meeting.",
                "Plans are reviewed on time each year.",
            ),
        ],
    ),
    (
        ("commission",),
        [
            (
                "Agree a joint commissioning strategy across council and NHS",
                "Strategy agreed by cabinet and the ICB board with pooled budgets named.",
                "The council and the NHS plan and buy services together.",
            ),
            (
                "Review speech and language therapy provision together",
                "Joint review completed and gaps funded in the next budget.",
                "Making sure speech and language support is there when needed.",
            ),
        ],
    ),
    (
        ("transition", "post-19", "employment", "training"),
        [
            (
                "Start preparing-for-adulthood planning from Year 9",
                "Every EHC plan review from Year 9 includes a preparing-for-adulthood section.",
                "Planning for adult life starts earlier.",
            ),
            (
                "Expand supported internships with local employers",
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
                "Families rate the Local Offer easy to use in the annual survey.",
                "A clearer website about SEND services, designed with families.",
            ),
            (
                "Publish a plain-English update after every board meeting",
                "Summary published within 10 working days of each meeting.",
                "Families can see what the board discussed and decided.",
            ),
        ],
    ),
]
GENERIC_ACTIONS = [
    (
        "Train school SEND coordinators in the graduated approach",
        "Every mainstream school has a trained SENCO and uses the local toolkit.",
        "Schools get the skills to support children with SEND well.",
    ),
    (
        "Track this area of weakness at every improvement board",
        "The board reviews progress and evidence of impact at each meeting.",
        "The board checks progress on this regularly.",
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
                else DELIVERY_CYCLE[_stable_index(f"{plan.pk}-{ref}", len(DELIVERY_CYCLE))]
            )
            organisation = health_org.organisation if (health_org and a_index == 2) else lead_org
            action = _audited(
                ActionItem(
                    plan=plan,
                    ref=ref,
                    finding=finding,
                    title=f"{title} ({LABEL.lower()})",
                    description=(
                        "Illustrative action invented for the demo: not part of the area's real plan."
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
                "Illustrative, invented for the demo: families should find it easier to get the "
                "right help at the right time, and should hear back about what is changing."
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
        reason = "" if (delivery, impact) == previous else "Status reviewed at the quarterly check."
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
                    f"Illustrative update: work on “{action.public_summary}” continued "
                    f"this quarter."
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
                "Of new education, health and care plans issued in the quarter, the share issued "
                "within 20 weeks of the request, excluding exceptions."
            ),
            source="Council case management system (illustrative figures)",
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
                "Share of parents and carers answering the quarterly survey who agreed that "
                "services listened to them."
            ),
            source="Parent carer forum quarterly survey (illustrative figures)",
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
            name="Average wait for a neurodevelopmental assessment (illustrative)",
            definition="Mean weeks from referral to first appointment for assessments started in the quarter.",
            source="NHS provider waiting list data (illustrative figures)",
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
                    "Illustrative summary: the board looked at progress on each area of the plan, "
                    "the latest waiting-time figures and feedback from the parent carer forum."
                ),
                what_we_will_do=(
                    "Illustrative: partners will report back next time on the actions at risk and "
                    "publish this summary on the Local Offer."
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
            "Illustrative: you said nobody told you how long the wait for an assessment would be.",
            "Illustrative: we now write to every family with the expected wait and a named contact.",
        ),
        (
            "Co-production workshop (illustrative)",
            "Illustrative: you said the Local Offer website was hard to find your way around.",
            "Illustrative: we rebuilt the website's menus with parents and tested them together.",
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
                "Illustrative: the board will review progress on every area of the plan and the "
                "latest feedback from families."
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
