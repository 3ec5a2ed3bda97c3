"""The home page and an area's history page (read-only, no sign-in)."""

import datetime

import pytest
from django.urls import reverse

from actions.models import Plan
from inspections.models import Inspection, Intervention, InterventionFinding, Judgement
from public.cache import clear_public_cache
from public.selectors import (
    Story,
    chronological,
    intervention_in_force,
    latest_inspection_outcome,
    no_inspection_yet,
    outcome_awaited,
    plan_for_latest_inspection,
    where_it_stands,
)
from tests.factories import (
    make_area,
    make_finding,
    make_inspection,
    make_plan,
    make_review,
    partial,
)
from tests.public.test_public_pages import main, short_forms


def main_text(response):
    """The page's main text, with acronyms in their short form (see short_forms)."""
    return short_forms(main(response))


def build_history(area, *, inspections):
    """An area with ``inspections`` WSOA inspections, each with 3 findings, a revisit and a plan."""
    for index in range(inspections):
        year = 2010 + 2 * index
        inspection = make_inspection(
            area=area,
            ref=f"{year}-inspection",
            start=f"{year}-03",
            received=f"{year}-05-16",
            published=f"{year}-05-16",
            outcome=Inspection.Outcome.WSOA_REQUIRED,
        )
        findings = [make_finding(inspection=inspection, number=n) for n in (1, 2, 3)]
        revisit = make_inspection(
            area=area,
            ref=f"{year + 1}-revisit",
            kind=Inspection.Kind.REVISIT,
            start=f"{year + 1}-11-01",
            outcome=Inspection.Outcome.REVISIT_REPORTED,
        )
        for finding in findings:
            Judgement.objects.create(
                finding=finding, inspection=revisit, verdict=Judgement.Verdict.SUFFICIENT
            )
        review = make_review(area=area, ref=f"review-{year}", held=f"{year + 1}-06", label="Review")
        Judgement.objects.create(
            finding=findings[0], review=review, verdict=Judgement.Verdict.CLOSED
        )
        make_plan(inspection=inspection, findings=findings, submitted=f"{year}-07-01")


@pytest.mark.django_db
def test_home_lists_every_area_with_a_link(client):
    worcestershire = make_area(slug="worcestershire", name="Worcestershire")
    make_inspection(area=worcestershire, start="2018-03")
    make_area(slug="essex", name="Essex")
    response = client.get(reverse("public:home"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="/areas/essex/"' in page
    assert 'href="/areas/worcestershire/"' in page
    # Long past its report date with no outcome recorded: it says so, not "under way".
    assert "Inspected in March 2018; outcome not yet recorded here" in page


@pytest.mark.django_db
def test_area_page_shows_findings_verdicts_and_due_dates(client):
    area = make_area(slug="worcestershire", name="Worcestershire")
    build_history(area, inspections=1)
    response = client.get(reverse("public:area", kwargs={"slug": "worcestershire"}))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<h1 class="govuk-heading-xl govuk-!-margin-bottom-4">Worcestershire</h1>' in page
    assert "Joint local area SEND inspection, March 2010" in page
    assert "Area of significant weakness 3:</strong> Weakness 3" in page
    assert "Sufficient progress" in page
    assert "Closed by DfE review" in page
    # Draft plans are internal: the public page does not list them.
    assert "Written statement of action for" not in page


@pytest.mark.django_db
def test_an_unknown_area_is_not_found(client):
    response = client.get(reverse("public:area", kwargs={"slug": "nowhere"}))
    assert response.status_code == 404


@pytest.mark.django_db
def test_area_page_queries_do_not_grow_with_the_history(client, django_assert_num_queries):
    small = make_area(slug="small")
    build_history(small, inspections=1)
    large = make_area(slug="large")
    build_history(large, inspections=5)
    # The area with its inspections and reviews; their findings with the findings'
    # verdicts; interventions with the findings they cover; public plans (none:
    # they are drafts) with the findings they answer; published board meetings;
    # published reports; the area's public measures with their values, for the
    # summary; the next scheduled publication, which caps how long the page is
    # cached (forgotten by the save before it, in this test's transaction).
    clear_public_cache()
    with django_assert_num_queries(8):
        client.get(reverse("public:area", kwargs={"slug": "small"}))
    clear_public_cache()
    with django_assert_num_queries(8):
        response = client.get(reverse("public:area", kwargs={"slug": "large"}))
    # Each of the 15 verdicts under its finding, and again on the timeline.
    assert response.content.decode().count("Sufficient progress") == 30


# Where it stands now: each rule on its own, then together.


TODAY = datetime.date(2025, 6, 2)


def inspection(
    pk,
    kind=Inspection.Kind.INITIAL,
    *,
    start=None,
    end=None,
    received=None,
    published=None,
    outcome="",
    **counts,
):
    """An inspection in memory: the rules read records, so no database is needed."""
    framework = (
        Inspection.Framework.JOINT_2016
        if kind in (Inspection.Kind.INITIAL, Inspection.Kind.REVISIT)
        else Inspection.Framework.AREA_SEND_2023
    )
    made = Inspection(
        pk=pk, ref=f"i{pk}", kind=kind, framework=framework, outcome=outcome, **counts
    )
    made.start, made.end = partial(start), partial(end)
    made.received, made.published = partial(received), partial(published)
    return made


def plan(pk, answers, kind=Plan.Kind.WSOA, status=Plan.Status.PUBLISHED):
    return Plan(pk=pk, ref=f"p{pk}", kind=kind, title="Plan", responds_to=answers, status=status)


def intervention(
    pk, kind=Intervention.Kind.IMPROVEMENT_NOTICE, *, issued=None, lifted=None, **more
):
    made = Intervention(pk=pk, ref=f"n{pk}", kind=kind, **more)
    made.issued, made.lifted = partial(issued), partial(lifted)
    return made


def story(inspections=(), plans=(), interventions=(), *, today=TODAY, verdicts=None):
    return Story(
        inspections=chronological(list(inspections)),
        plans=list(plans),
        today=today,
        interventions=list(interventions),
        verdicts=verdicts or {},
    )


WSOA_2018 = {"start": "2018-03", "published": "2018-05-16", "outcome": "wsoa_required"}


def test_an_improvement_notice_in_force_comes_before_the_plans_stage():
    first = inspection(1, **WSOA_2018)
    told = story(
        [first],
        [plan(1, first, status=Plan.Status.SUBMITTED)],
        [intervention(1, issued="2023-03-14")],
    )
    assert intervention_in_force(told) == "Under a DfE Improvement Notice since March 2023"
    assert where_it_stands(told) == "Under a DfE Improvement Notice since March 2023"
    # Without the notice, the same area reads as its plan's stage.
    told.interventions = []
    assert intervention_in_force(told) is None
    assert where_it_stands(told) == "Written Statement of Action: submitted"


def test_a_statutory_direction_with_a_commissioner_reads_as_one_sentence():
    direction = intervention(1, Intervention.Kind.STATUTORY_DIRECTION, issued="2021-10-19")
    commissioner = intervention(2, Intervention.Kind.COMMISSIONER, issued="2021-10")
    assert (
        intervention_in_force(story(interventions=[commissioner, direction]))
        == "Under a statutory direction, with a SEND commissioner, since October 2021"
    )
    # A commissioner named on the direction itself reads the same.
    direction.commissioner = "John Coughlan"
    assert (
        intervention_in_force(story(interventions=[direction]))
        == "Under a statutory direction, with a SEND commissioner, since October 2021"
    )


def test_every_intervention_in_force_is_said_most_serious_first():
    told = story(
        interventions=[
            intervention(1, issued="2023-03"),
            intervention(2, Intervention.Kind.STATUTORY_DIRECTION, issued="2021-10"),
            intervention(3, Intervention.Kind.COMMISSIONER, issued="2021-10"),
        ]
    )
    assert where_it_stands(told) == (
        "Under a statutory direction, with a SEND commissioner, since October 2021 "
        "and a DfE Improvement Notice since March 2023"
    )


def test_an_intervention_reads_at_its_precision_and_names_who_else_issued_it():
    assert (
        intervention_in_force(story(interventions=[intervention(1, issued="2022")]))
        == "Under a DfE Improvement Notice since 2022"
    )
    assert (
        intervention_in_force(story(interventions=[intervention(1)]))
        == "Under a DfE Improvement Notice"
    )
    joint = intervention(
        1, issued="2024-02-01", issued_by="Department for Education and NHS England"
    )
    assert (
        intervention_in_force(story(interventions=[joint]))
        == "Under an Improvement Notice from DfE and NHS England since February 2024"
    )
    alone = intervention(1, Intervention.Kind.COMMISSIONER, issued="2021-10")
    assert (
        intervention_in_force(story(interventions=[alone]))
        == "With a SEND commissioner appointed by DfE since October 2021"
    )
    other = intervention(1, Intervention.Kind.OTHER, issued="2024-02", title="Improvement adviser")
    assert (
        intervention_in_force(story(interventions=[other]))
        == "Under an intervention (Improvement adviser) since February 2024"
    )


def test_an_intervention_lifted_or_not_yet_issued_does_not_count():
    first = inspection(1, **WSOA_2018)
    wsoa = plan(1, first)
    lifted = intervention(1, issued="2022-01", lifted="2024-08")
    assert intervention_in_force(story([first], [wsoa], [lifted])) is None
    # A lifting known only to the month counts once the month is over.
    assert intervention_in_force(story([first], [wsoa], [lifted], today=datetime.date(2024, 8, 30)))
    future = intervention(2, issued="2025-07-01")
    assert where_it_stands(story([first], [wsoa], [lifted, future])) == (
        "Written Statement of Action: being delivered"
    )


def test_an_area_never_inspected_says_so_unless_it_is_under_intervention():
    assert no_inspection_yet(story()) == "No inspection recorded yet"
    assert where_it_stands(story()) == "No inspection recorded yet"
    assert where_it_stands(story(interventions=[intervention(1, issued="2023-03")])) == (
        "Under a DfE Improvement Notice since March 2023"
    )


def test_a_later_inspections_outcome_supersedes_an_older_plans_status():
    first = inspection(1, **WSOA_2018)
    full = inspection(2, Inspection.Kind.FULL, start="2024-06-10", outcome="3")
    wsoa = plan(1, first)
    told = story([full, first], [wsoa])
    assert plan_for_latest_inspection(told) is None
    assert (
        where_it_stands(told) == "2024 inspection: widespread and/or systemic failings (outcome 3)"
    )
    # Once the plan answering it is public, its stage is said instead.
    told.plans.append(plan(2, full, kind=Plan.Kind.PRIORITY_ACTION))
    assert where_it_stands(told) == "Priority action plan after the 2024 inspection"


def test_a_revisit_does_not_supersede_the_plan_it_followed_up():
    first = inspection(1, **WSOA_2018)
    revisit = inspection(2, Inspection.Kind.REVISIT, start="2019-11", outcome="revisit_reported")
    assert where_it_stands(story([first, revisit], [plan(1, first)])) == (
        "Written Statement of Action: being delivered"
    )
    app = plan(2, revisit, kind=Plan.Kind.ACCELERATED)
    assert where_it_stands(
        story([first, revisit], [plan(1, first, Plan.Kind.WSOA, "superseded"), app])
    ) == ("Accelerated progress plan after the 2019 revisit")


@pytest.mark.parametrize(
    ("dates", "last_day_under_way"),
    [
        ({"start": "2025-01-13", "end": "2025-01-24"}, datetime.date(2025, 3, 25)),
        ({"start": "2025-01-13"}, datetime.date(2025, 4, 4)),
        ({"start": "2025-01"}, datetime.date(2025, 4, 22)),
        ({"start": "2025-01-13", "received": "2025-03-03"}, datetime.date(2025, 3, 3)),
        (
            {"start": "2025-01-13", "received": "2025-03-03", "published": "2025-03-10"},
            datetime.date(2025, 3, 10),
        ),
    ],
)
def test_an_inspection_with_no_outcome_is_under_way_only_until_its_report_is_due(
    dates, last_day_under_way
):
    full = inspection(1, Inspection.Kind.FULL, **dates)
    on_the_day = story([full], today=last_day_under_way)
    assert outcome_awaited(on_the_day) == "Area SEND inspection under way (2025)"
    day_after = story([full], today=last_day_under_way + datetime.timedelta(days=1))
    assert outcome_awaited(day_after) == "Inspected in January 2025; outcome not yet recorded here"
    assert where_it_stands(day_after) == "Inspected in January 2025; outcome not yet recorded here"


def test_an_inspection_with_no_outcome_and_no_dates_or_still_to_come_says_so():
    assert outcome_awaited(story([inspection(1, Inspection.Kind.FULL)])) == (
        "Area SEND inspection: outcome not yet recorded here"
    )
    assert outcome_awaited(story([inspection(1, Inspection.Kind.FULL, start="2025-09")])) == (
        "Area SEND inspection due in September 2025"
    )
    revisit = inspection(2, Inspection.Kind.REVISIT, start="2021-11")
    assert outcome_awaited(story([inspection(1, **WSOA_2018), revisit])) == (
        "Revisited in November 2021; outcome not yet recorded here"
    )
    # An inspection with an outcome is not awaited.
    assert outcome_awaited(story([inspection(1, **WSOA_2018)])) is None


def test_a_newer_inspection_under_way_is_said_before_an_older_plan():
    first = inspection(1, **WSOA_2018)
    full = inspection(2, Inspection.Kind.FULL, start="2025-05-19")
    assert where_it_stands(story([first, full], [plan(1, first)])) == (
        "Area SEND inspection under way (2025)"
    )


def test_a_public_plan_answering_an_inspection_shows_its_stage_though_the_outcome_is_missing():
    first = inspection(1, start="2018-03")
    assert where_it_stands(story([first], [plan(1, first, status=Plan.Status.FIT)])) == (
        "Written Statement of Action: judged fit for purpose"
    )


@pytest.mark.parametrize(
    ("kind", "status", "expected"),
    [
        (Plan.Kind.WSOA, Plan.Status.SUBMITTED, "Written Statement of Action: submitted"),
        (Plan.Kind.WSOA, Plan.Status.CLOSED, "Written Statement of Action: completed"),
        (Plan.Kind.WSOA, Plan.Status.UNKNOWN, "Written Statement of Action: status not known"),
        (
            Plan.Kind.STRATEGIC,
            Plan.Status.PUBLISHED,
            "Strategic plan after the 2024 inspection",
        ),
        (
            Plan.Kind.PRIORITY_ACTION,
            Plan.Status.CLOSED,
            "Priority action plan after the 2024 inspection (completed)",
        ),
    ],
)
def test_a_plan_answering_the_latest_inspection_says_its_stage(kind, status, expected):
    answered = (
        inspection(1, **WSOA_2018)
        if kind == Plan.Kind.WSOA
        else inspection(1, Inspection.Kind.FULL, start="2024-06-10", outcome="3")
    )
    told = story([answered], [plan(1, answered, kind, status)])
    assert plan_for_latest_inspection(told) == expected
    assert where_it_stands(told) == expected


@pytest.mark.parametrize(
    ("kind", "outcome", "counts", "expected"),
    [
        ("initial", "wsoa_required", {}, "2018 inspection: written statement of action required"),
        ("initial", "no_wsoa", {}, "2018 inspection: no written statement of action needed"),
        (
            "full",
            "1",
            {},
            "2024 inspection: typically positive experiences and outcomes (outcome 1)",
        ),
        ("full", "2", {}, "2024 inspection: inconsistent experiences and outcomes (outcome 2)"),
        ("full", "3", {}, "2024 inspection: widespread and/or systemic failings (outcome 3)"),
        (
            "revisit",
            "revisit_reported",
            {"findings_judged": 13, "findings_resolved": 1},
            "2019 revisit: sufficient progress on 1 of 13 findings",
        ),
        ("revisit", "revisit_reported", {}, "2019 revisit"),
        (
            "monitoring",
            "monitoring_reported",
            {"findings_judged": 3, "findings_resolved": 3},
            "2024 monitoring inspection: effective action on 3 of 3 findings",
        ),
    ],
)
def test_with_no_plan_the_latest_outcome_is_said_in_short(kind, outcome, counts, expected):
    year = {"initial": "2018", "revisit": "2019"}.get(kind, "2024")
    latest = inspection(1, kind, start=f"{year}-06", outcome=outcome, **counts)
    assert latest_inspection_outcome(story([latest])) == expected
    assert where_it_stands(story([latest])) == expected


def test_a_revisits_per_finding_verdicts_are_counted_when_no_counts_were_recorded():
    revisit = inspection(2, Inspection.Kind.REVISIT, start="2019-11", outcome="revisit_reported")
    verdicts = {2: ["sufficient_progress", "insufficient_progress", "sufficient_progress"]}
    assert where_it_stands(story([revisit], verdicts=verdicts)) == (
        "2019 revisit: sufficient progress on 2 of 3 findings"
    )


def test_an_undated_revisit_is_placed_after_the_inspection_it_followed_up():
    first = inspection(1, **WSOA_2018)
    revisit = inspection(2, Inspection.Kind.REVISIT, outcome="revisit_reported")
    earlier = inspection(3, start="2016-09", outcome="no_wsoa")
    assert chronological([revisit, first, earlier], {2: {1}}) == [earlier, first, revisit]
    # Without knowing what it followed up, an undated record comes first.
    assert chronological([revisit, first, earlier]) == [revisit, earlier, first]


# Outcomes on the area page: always from their code, plus any wording recorded.

OUTCOME_CASES = [
    ("2016", "initial", "wsoa_required", "A written statement of action is required"),
    ("2016", "initial", "no_wsoa", "No written statement of action was required"),
    ("2016", "revisit", "revisit_reported", "The revisit judged whether the area had made"),
    ("2023", "full", "1", "typically lead to positive experiences and outcomes"),
    ("2023", "full", "2", "lead to inconsistent experiences and outcomes"),
    ("2023", "full", "3", "There are widespread and/or systemic failings"),
    ("2023", "monitoring", "monitoring_reported", "The monitoring inspection judged whether"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("framework", "kind", "outcome", "words"), OUTCOME_CASES)
def test_every_outcome_is_shown_in_the_frameworks_words_without_any_wording_typed(
    client, framework, kind, outcome, words
):
    area = make_area(slug="testshire", name="Testshire")
    start = "2019-06" if framework == "2016" else "2024-06"
    made = make_inspection(area=area, framework=framework, kind=kind, start=start, outcome=outcome)
    assert not made.outcome_text
    page = main_text(client.get(reverse("public:area", kwargs={"slug": "testshire"})))
    label = f"Outcome {outcome}" if outcome in ("1", "2", "3") else "Outcome"
    assert f"{label} {made.outcome_statement}" in page
    assert words in page
    assert "In the inspectors’ words" not in page


@pytest.mark.django_db
def test_the_area_page_shows_wording_summary_and_counts_beside_the_outcome(client):
    area = make_area(slug="testshire", name="Testshire")
    make_inspection(area=area, start="2018-03", outcome="wsoa_required")
    revisit = make_inspection(
        area=area, ref="2021-revisit", kind="revisit", start="2021-11", outcome="revisit_reported"
    )
    revisit.findings_judged, revisit.findings_resolved = 13, 1
    revisit.outcome_text = "The area has made sufficient progress in addressing 1 of the 13."
    revisit.public_summary = "Most weaknesses still need work."
    revisit.notes = "LEAK-inspection-notes"
    revisit.save()
    page = main_text(client.get(reverse("public:area", kwargs={"slug": "testshire"})))
    assert (
        "Outcome The revisit judged whether the area had made sufficient progress in addressing "
        "each area of significant weakness. In the inspectors’ words The area has made "
        "sufficient progress in addressing 1 of the 13. Verdicts on earlier findings Sufficient "
        "progress on 1 of 13 findings What this means for families Most weaknesses still need "
        "work."
    ) in page
    assert "LEAK" not in page


@pytest.mark.django_db
def test_an_inspection_with_no_outcome_says_it_is_not_yet_recorded(client):
    area = make_area(slug="testshire", name="Testshire")
    make_inspection(area=area, framework="2023", start="2024-06")
    page = main_text(client.get(reverse("public:area", kwargs={"slug": "testshire"})))
    assert "Outcome Not yet recorded here." in page


# An area under an Improvement Notice, a statutory direction and a commissioner.


def intervened_area():
    """Interventionshire: a 2016 WSOA, a notice replaced by a direction with a commissioner."""
    area = make_area(slug="interventionshire", name="Interventionshire")
    first = make_inspection(
        area=area, start="2017-06", published="2017-08-01", outcome="wsoa_required"
    )
    weakness = make_finding(inspection=first, text="Plans are late.")
    make_plan(inspection=first, status=Plan.Status.SUBMITTED, findings=[weakness])
    notice = Intervention(
        area=area,
        ref="improvement-notice",
        kind=Intervention.Kind.IMPROVEMENT_NOTICE,
        issued_on=datetime.date(2021, 3, 1),
        issued_on_precision="month",
        lifted_on=datetime.date(2021, 10, 19),
        covers="Make EHC plans on time.",
        public_summary="The government told the council what it must fix.",
        notes="LEAK-notice-notes",
    )
    notice.save()
    direction = Intervention(
        area=area,
        ref="direction",
        kind=Intervention.Kind.STATUTORY_DIRECTION,
        issued_on=datetime.date(2021, 10, 19),
        legal_basis="section 497A(4B) Education Act 1996",
        commissioner="John Coughlan",
        review_every_months=6,
        public_summary="A commissioner now oversees SEND services.",
        notes="LEAK-direction-notes",
    )
    direction.save()
    InterventionFinding.objects.create(intervention=direction, finding=weakness)
    notice.replaced_by = direction
    notice.save()
    commissioner = Intervention(
        area=area,
        ref="commissioner",
        kind=Intervention.Kind.COMMISSIONER,
        issued_on=datetime.date(2021, 10, 1),
        issued_on_precision="month",
    )
    commissioner.save()
    return area


@pytest.mark.django_db
def test_an_area_under_a_direction_with_a_commissioner_reads_correctly(client):
    intervened_area()
    home = main_text(client.get(reverse("public:home")))
    assert "Under a statutory direction, with a SEND commissioner, since October 2021" in home
    assert "Written Statement of Action" not in home

    page = main_text(client.get(reverse("public:area", kwargs={"slug": "interventionshire"})))
    assert (
        "Where it stands now Under a statutory direction, with a SEND commissioner, since "
        "October 2021"
    ) in page
    assert (
        "Statutory direction, since 19 October 2021 Who issued it: Department for Education. "
        "Legal basis: section 497A(4B) Education Act 1996. Commissioner or adviser appointed: "
        "John Coughlan. Reviewed every 6 months. A commissioner now oversees SEND services. It "
        "covers these findings: Area of significant weakness 1 (Joint local area SEND "
        "inspection, June 2017): Plans are late."
    ) in page
    assert "SEND commissioner appointed, since October 2021" in page
    # The lifted notice is history: on the timeline, not at the top.
    assert page.index("Improvement Notice replaced by a statutory direction") > page.index(
        "What has happened"
    )
    assert "The government told the council what it must fix." in page
    assert "LEAK" not in page
