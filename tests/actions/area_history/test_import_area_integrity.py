"""The rules a whole history must keep: each refusal names its place in the file and writes nothing."""

from actions.area_history import import_document, validate

from .conftest import area_document, finding_ref, numbered_findings

APA = "area_for_priority_action"
AFI = "area_for_improvement"

NEEDS_A_PRIORITY = (
    'an outcome "3" inspection has at least one area for priority action: list them with '
    "kind area_for_priority_action (with wording not_captured if their words are not "
    "public), or check the outcome"
)
PRIORITY_ONLY_WITH_3 = (
    'areas for priority action come only with outcome "3" (widespread and/or systemic '
    'failings): give the inspection outcome "3", or use area_for_improvement'
)


def full_inspection(ref="2024-inspection", *, outcome="3", findings=None, **extra):
    return {
        "ref": ref,
        "framework": "2023",
        "kind": "full",
        "start_date": "2024-02-05",
        "outcome": outcome,
        "findings": findings if findings is not None else numbered_findings(APA, 2),
        **extra,
    }


# Outcomes and the findings that come with them -------------------------------------------


def test_an_outcome_3_inspection_must_list_an_area_for_priority_action(rejected):
    only_improvements = full_inspection(findings=numbered_findings(AFI, 2))
    nothing_listed = full_inspection("2025-inspection", findings=None)
    del nothing_listed["findings"]
    rejected(
        area_document(inspections=[only_improvements, nothing_listed]),
        [
            f"inspections[0].findings: {NEEDS_A_PRIORITY}",
            f"inspections[1].findings: {NEEDS_A_PRIORITY}",
        ],
    )


def test_an_unreadable_finding_is_not_reported_again_as_a_missing_priority(rejected):
    inspection = full_inspection(findings=[{"kind": "priority", "number": 1, "text": "Act."}])
    rejected(
        area_document(inspections=[inspection]),
        [
            'inspections[0].findings[0].kind: must be one of "significant_weakness", '
            '"fundamental_failing", "area_of_significant_concern", "area_for_priority_action" '
            'or "area_for_improvement", not "priority"',
        ],
    )


def test_areas_for_priority_action_come_only_with_outcome_3(rejected, example_document):
    example_document["inspections"][2]["outcome"] = "2"
    no_outcome_yet = full_inspection("2027-inspection", outcome=None, start_date="2027-01-11")
    example_document["inspections"].append(no_outcome_yet)
    rejected(
        example_document,
        [
            f"inspections[2].findings[0].kind: {PRIORITY_ONLY_WITH_3}",
            f"inspections[2].findings[1].kind: {PRIORITY_ONLY_WITH_3}",
            f"inspections[4].findings[0].kind: {PRIORITY_ONLY_WITH_3}",
            f"inspections[4].findings[1].kind: {PRIORITY_ONLY_WITH_3}",
            # And so the plan answering it is of the wrong kind.
            "plans[2].responds_to: A priority action plan answers an inspection with outcome 3 "
            "(widespread and/or systemic failings). For outcome 2, record a strategic plan.",
        ],
    )


def test_a_wrong_outcome_is_reported_once_not_again_for_its_findings(rejected):
    inspection = full_inspection(outcome="wsoa_required")
    rejected(
        area_document(inspections=[inspection]),
        [
            'inspections[0].outcome: must be "1", "2" or "3" for a full inspection, not '
            '"wsoa_required"',
        ],
    )


def test_a_wsoa_answers_only_an_inspection_that_required_one(rejected, example_document):
    example_document["inspections"][0]["outcome"] = "no_wsoa"
    rejected(
        example_document,
        [
            "plans[0].responds_to: This inspection did not require a written statement of "
            "action. Check the inspection's outcome or the plan's kind.",
        ],
    )


ALL_SUFFICIENT = (
    "plans[1].responds_to: This revisit found sufficient progress on every weakness, so no "
    "accelerated progress plan follows it. Check the revisit's verdicts."
)


def test_no_accelerated_plan_after_a_revisit_whose_counts_are_all_sufficient(
    rejected, example_document
):
    revisit = example_document["inspections"][1]
    del revisit["judgements"]
    revisit["findings_resolved"] = 3
    rejected(example_document, [ALL_SUFFICIENT])


def test_no_accelerated_plan_after_a_revisit_whose_verdicts_are_all_sufficient(
    rejected, example_document
):
    revisit = example_document["inspections"][1]
    del revisit["findings_judged"], revisit["findings_resolved"]
    revisit["judgements"][2]["verdict"] = "sufficient_progress"
    rejected(example_document, [ALL_SUFFICIENT])


# Verdict counts ------------------------------------------------------------------------------


def test_verdict_counts_belong_to_an_inspection_that_judges_earlier_findings(
    rejected, example_document
):
    example_document["inspections"][0]["findings_judged"] = 3
    example_document["inspections"][0]["findings_resolved"] = 1
    rejected(
        example_document,
        [
            "inspections[0].findings_judged: only a revisit, a monitoring inspection or a 2023 "
            "full inspection judges earlier findings, not an initial inspection: remove "
            "findings_judged and findings_resolved",
        ],
    )


def test_verdict_counts_must_be_whole_numbers_that_add_up(rejected, example_document):
    inspections = example_document["inspections"]
    inspections[1]["findings_judged"] = "3"
    inspections[3]["findings_judged"] = 0
    inspections.append(
        {
            "ref": "2025-monitoring",
            "framework": "2023",
            "kind": "monitoring",
            "start_date": "2025-06",
            "findings_resolved": 2,
        }
    )
    inspections.append(
        {
            "ref": "2025-monitoring-again",
            "framework": "2023",
            "kind": "monitoring",
            "start_date": "2025-09",
            "findings_judged": 2,
            "findings_resolved": 3,
        }
    )
    rejected(
        example_document,
        [
            "inspections[1].findings_judged: must be a whole number",
            "inspections[3].findings_judged: must be 1 or more",
            "inspections[4].findings_judged: is required with findings_resolved: give how many "
            'findings were judged (13 in "sufficient progress in 1 of 13")',
            "inspections[5].findings_resolved: cannot be more than findings_judged (2)",
        ],
    )


def test_verdict_counts_must_agree_with_the_verdicts_listed(rejected, example_document):
    revisit, reinspection = example_document["inspections"][1], example_document["inspections"][3]
    revisit["findings_judged"], revisit["findings_resolved"] = 2, 1
    reinspection["findings_resolved"] = 1
    example_document["inspections"].append(
        {
            "ref": "2025-monitoring",
            "framework": "2023",
            "kind": "monitoring",
            "start_date": "2025-06",
            "findings_judged": 2,
            "findings_resolved": 1,
            "judgements": [
                {
                    "finding": finding_ref("2023-inspection", APA, 1),
                    "verdict": "not_effective_action",
                },
                {
                    "finding": finding_ref("2023-inspection", APA, 2),
                    "verdict": "not_effective_action",
                },
            ],
        }
    )
    rejected(
        example_document,
        [
            "inspections[1].findings_judged: is 2, but judgements gives verdicts on 3 findings: "
            "correct the count or the verdicts",
            "inspections[3].findings_resolved: is 1, but judgements resolves 2 findings: correct "
            "the count or the verdicts",
            "inspections[4].findings_resolved: is 1 of 2, leaving 1 unresolved, but judgements "
            "leaves 2 unresolved: correct the count or the verdicts",
        ],
    )


def test_counts_with_fewer_verdicts_than_findings_judged_are_fine(db, example_document):
    # Only some verdicts are public: 13 judged, 1 of them resolved, 2 named.
    revisit = example_document["inspections"][1]
    revisit["findings_judged"], revisit["findings_resolved"] = 13, 2
    assert validate(example_document) == []


# Verdicts from a 2023 full inspection ---------------------------------------------------------


def test_a_full_inspection_judges_only_earlier_findings_with_its_own_verdicts(
    rejected, example_document
):
    reinspection = example_document["inspections"][3]
    reinspection["judgements"][0]["verdict"] = "sufficient_progress"
    reinspection["judgements"].append(
        {"finding": finding_ref("2026-inspection", AFI, 1), "verdict": "still_priority"}
    )
    example_document["inspections"][2]["judgements"] = [
        {"finding": finding_ref("2026-inspection", AFI, 2), "verdict": "effective_action"}
    ]
    rejected(
        example_document,
        [
            "inspections[2].judgements[0].finding: the finding is from inspection "
            "2026-inspection, which started (2026-03-02) after this full inspection (2023-11-13)",
            'inspections[3].judgements[0].verdict: must be one of "effective_action", '
            '"not_effective_action", "no_longer_priority" or "still_priority" for a full '
            'inspection, not "sufficient_progress"',
            "inspections[3].judgements[2].finding: a full inspection cannot judge its own "
            "findings: give verdicts only on an earlier inspection's findings",
        ],
    )


def test_a_revisit_or_a_review_cannot_say_no_longer_a_priority(rejected, example_document):
    example_document["inspections"][1]["judgements"][0]["verdict"] = "no_longer_priority"
    example_document["reviews"][0]["judgements"][0]["verdict"] = "still_priority"
    rejected(
        example_document,
        [
            'inspections[1].judgements[0].verdict: must be "sufficient_progress" or '
            '"insufficient_progress" for a revisit, not "no_longer_priority"',
            'reviews[0].judgements[0].verdict: must be "closed_by_review" or "still_monitored" '
            'for a review, not "still_priority"',
        ],
    )


# Plans --------------------------------------------------------------------------------------


def counts_only_document(findings):
    return area_document(
        inspections=[
            {
                "ref": "2017-inspection",
                "framework": "2016",
                "kind": "initial",
                "start_date": "2017-03",
                "outcome": "wsoa_required",
                "findings": numbered_findings("significant_weakness", 13),
            },
            {
                "ref": "2019-revisit",
                "framework": "2016",
                "kind": "revisit",
                "start_date": "2019-11",
                "findings_judged": 13,
                "findings_resolved": 1,
            },
        ],
        plans=[
            {
                "ref": "accelerated-plan",
                "kind": "accelerated_progress_plan",
                "title": "Accelerated progress plan",
                "responds_to": "2019-revisit",
                "findings": findings,
            }
        ],
    )


COUNTS_ONLY = (
    "plans[0].findings: revisit 2019-revisit gives no verdict on each finding, so which "
    "findings this plan addresses is not public: leave findings out to record the plan "
    "without them, or give the revisit's verdict on each finding under its judgements"
)


def test_an_accelerated_plan_after_a_counts_only_revisit_cannot_claim_all_findings(rejected):
    rejected(counts_only_document("all"), [COUNTS_ONLY])


def test_an_accelerated_plan_after_a_counts_only_revisit_cannot_list_findings(rejected):
    listed = [finding_ref("2017-inspection", "significant_weakness", 4)]
    rejected(counts_only_document(listed), [COUNTS_ONLY])


def test_an_accelerated_plan_after_a_counts_only_revisit_may_say_insufficient(db):
    assert validate(counts_only_document("insufficient")) == []


# Interventions ------------------------------------------------------------------------------


def test_interventions_shape_and_dates(rejected, example_document):
    notice, direction = example_document["interventions"]
    notice["kind"] = "notice"
    notice["issued_on"] = "2024-02-30"
    notice["review_every_months"] = 0
    notice["colour"] = "red"
    direction["lifted_on"] = "2024-12"
    direction["review_every_months"] = 121
    direction["findings"] = "all"
    example_document["interventions"].append({"ref": "improvement-notice-2024", "kind": "other"})
    example_document["interventions"].append({"title": "Commissioner"})
    rejected(
        example_document,
        [
            'interventions[0].kind: must be one of "improvement_notice", "statutory_direction", '
            '"commissioner" or "other", not "notice"',
            "interventions[0].issued_on: 2024-02-30 is not a real date: February 2024 has 29 days",
            "interventions[0].review_every_months: must be 1 or more",
            "interventions[0].colour: is not a recognised key",
            "interventions[1].review_every_months: must be 120 or less",
            "interventions[1].findings: must be a list, written in [ ]",
            "interventions[1].lifted_on: an intervention cannot be lifted before it is issued "
            "(issued_on is 2025-01-20)",
            "interventions[2].ref: improvement-notice-2024 is already used by interventions[0]",
            "interventions[3].ref: is required",
            "interventions[3].kind: is required",
        ],
    )


def test_an_intervention_covers_findings_named_in_the_file(rejected, example_document):
    covered = example_document["interventions"][0]["findings"]
    covered.append(finding_ref("2023-inspection", APA, 3))
    covered.append(finding_ref("2023-inspection", APA, 1))
    covered.append({"inspection": "2023-inspection", "number": 2})
    rejected(
        example_document,
        [
            "interventions[0].findings[2]: there is no area_for_priority_action 3 in inspection "
            "2023-inspection",
            "interventions[0].findings[3]: area_for_priority_action 1 in inspection "
            "2023-inspection is already listed at interventions[0].findings[0]",
            "interventions[0].findings[4].kind: is required",
        ],
    )


def test_an_intervention_is_replaced_by_another_in_the_file(rejected, example_document):
    notice, direction = example_document["interventions"]
    notice["replaced_by"] = "commissioner-2025"
    direction["replaced_by"] = "statutory-direction-2025"
    rejected(
        example_document,
        [
            "interventions[0].replaced_by: there is no intervention commissioner-2025 in this file",
            "interventions[1].replaced_by: an intervention cannot replace itself",
        ],
    )


def test_interventions_cannot_replace_each_other_in_a_loop(rejected, example_document):
    example_document["interventions"][1]["replaced_by"] = "improvement-notice-2024"
    rejected(
        example_document,
        [
            "interventions[0].replaced_by: the interventions replace each other in a loop: "
            "improvement-notice-2024 → statutory-direction-2025 → improvement-notice-2024",
        ],
    )


# Reviews ------------------------------------------------------------------------------------


def test_a_review_names_an_intervention_in_the_file_and_follows_it(rejected, example_document):
    reviews = example_document["reviews"]
    reviews[0]["kind"] = "meeting"
    reviews[1]["held_on"] = "2024-02"
    reviews[2]["intervention"] = "improvement-notice-2023"
    reviews.append({"ref": "notice-review", "kind": "intervention_review", "held_on": "2025"})
    rejected(
        example_document,
        [
            'reviews[0].kind: must be one of "progress_review", "monitoring_visit", "stocktake", '
            '"engagement_meeting", "intervention_review" or "other", not "meeting"',
            "reviews[1].held_on: an intervention cannot be reviewed before it is issued "
            "(improvement-notice-2024 was issued on 2024-03-12)",
            "reviews[2].intervention: there is no intervention improvement-notice-2023 in this "
            "file",
            "reviews[3].intervention: is required for an intervention_review: give the ref of "
            "the intervention it reviewed, or choose another kind",
        ],
    )


def test_a_review_in_the_month_an_intervention_was_issued_is_fine(db, example_document):
    # "March 2024" may be after 12 March 2024.
    example_document["reviews"][1]["held_on"] = "2024-03"
    assert validate(example_document) == []


# Rules only the models can check: they still reach the file's places --------------------------


def test_fit_for_purpose_is_a_wsoa_judgement_only(refused_when_written, example_document):
    example_document["plans"][2]["status"] = "judged_fit"
    refused_when_written(
        example_document,
        [
            "plans[2].status: “Fit for purpose” is Ofsted and CQC's judgement on a written "
            "statement of action. For this plan, choose approved (or record the words in the "
            "judgement).",
        ],
    )


def test_a_2023_framework_inspection_cannot_be_dated_before_the_framework_began(
    refused_when_written, example_document
):
    inspection = example_document["inspections"][2]
    inspection.update(start_date="2022-11-14", end_date=None)
    inspection.update(report_received=None, report_published=None)
    refused_when_written(
        example_document,
        [
            "inspections[2].start_date: The area SEND inspection framework (2023) began in "
            "January 2023, so an inspection under it cannot be dated before then. Check the "
            "framework or the date.",
        ],
    )


def test_a_2016_revisit_cannot_be_dated_after_the_revisits_ended(
    refused_when_written, example_document
):
    example_document["inspections"][1].update(start_date="2023-01", end_date=None)
    example_document["inspections"][1].update(report_published=None)
    refused_when_written(
        example_document,
        [
            "inspections[1].start_date: The 2016 framework's revisits ended in December 2022. "
            "Record a later inspection under the 2023 framework.",
        ],
    )


def test_a_report_is_not_received_before_the_inspection_ends(
    refused_when_written, example_document
):
    example_document["inspections"][0]["report_received"] = "2017-06-14"
    refused_when_written(
        example_document,
        [
            "inspections[0].report_received: The report cannot be received before the "
            "inspection ends. Check the dates.",
        ],
    )


def test_an_outcome_is_not_changed_from_3_while_its_priorities_are_held(refused_when_written):
    import_document(area_document(inspections=[full_inspection()]), filename="first.json")
    # The corrected file drops the priorities, but the importer never deletes,
    # so the saved areas for priority action would be left under outcome 2.
    corrected = full_inspection(outcome="2", findings=numbered_findings(AFI, 1))
    refused_when_written(
        area_document(inspections=[corrected]),
        [
            "inspections[0].outcome: This inspection has areas for priority action, which come "
            "only with outcome 3. Change those findings first, or keep outcome 3.",
        ],
    )
