"""Area-history files with problems: each gives a precise message and writes nothing."""

import copy

import pytest

from actions.area_history import (
    ImportProblems,
    Problem,
    import_document,
    load_document,
    validate,
)
from inspections.models import Inspection, LocalArea, Organisation

from .conftest import finding_ref


def load_problems(text):
    with pytest.raises(ImportProblems) as error:
        load_document(text)
    return [str(problem) for problem in error.value.problems]


# Reading the file ------------------------------------------------------------------------


def test_invalid_json_gives_the_line_and_column():
    text = '{\n  "format": "send-portal-area-history",\n    "version" 1\n}'
    assert load_problems(text) == [
        "line 3, column 15: the file is not valid JSON (Expecting ':' delimiter)"
    ]
    text = '{\n  "a": 1\n    "b": 2\n}'
    assert load_problems(text) == [
        "line 3, column 5: the file is not valid JSON (Expecting ',' delimiter)"
    ]


def test_a_trailing_comma_is_not_valid_json():
    assert load_problems('{"format": "send-portal-area-history",}') == [
        "line 1, column 38: the file is not valid JSON "
        "(Illegal trailing comma before end of object)"
    ]


def test_the_top_level_must_be_an_object():
    expected = ["the file must hold one JSON object, starting with { and ending with }"]
    assert load_problems("[1, 2]") == expected
    assert [str(problem) for problem in validate([1, 2])] == expected


def test_an_empty_file_says_so():
    assert load_problems("  \n") == ["the file is empty"]


def test_a_key_given_twice_in_one_object_is_a_problem(db):
    document = load_document(
        '{"format": "send-portal-area-history", "version": 1,'
        ' "area": {"slug": "a", "name": "A", "name": "B"}}'
    )
    assert validate(document) == [Problem("area.name", "is given more than once; give it once")]


def test_problem_text_puts_the_place_first():
    assert str(Problem("inspections[1].findings[3].number", "must be a whole number")) == (
        "inspections[1].findings[3].number: must be a whole number"
    )
    assert str(Problem("", "the file is empty")) == "the file is empty"


# The shape of each record ----------------------------------------------------------------


def test_format_and_version_must_be_this_format(rejected, example_document):
    example_document["format"] = "send-portal-area"
    example_document["version"] = 2
    rejected(
        example_document,
        [
            'format: must be "send-portal-area-history"',
            "version: must be 1 (this portal reads version 1 files only)",
        ],
    )


def test_format_version_and_area_are_required(rejected):
    rejected(
        {"organisations": []},
        ["format: is required", "version: is required", "area: is required"],
    )


def test_wrong_types(rejected, example_document):
    findings = example_document["inspections"][0]["findings"]
    findings[0]["number"] = True
    findings[1]["number"] = "2"
    findings[2]["number"] = 0
    example_document["area"]["name"] = 42
    example_document["reviews"] = {}
    example_document["inspections"][2]["sources"] = "https://reports.example.org/"
    example_document["inspections"][2]["findings"][2] = "Local Offer"
    example_document["version"] = "1"
    rejected(
        example_document,
        [
            "version: must be a whole number",
            "area.name: must be text",
            "inspections[0].findings[0].number: must be a whole number",
            "inspections[0].findings[1].number: must be a whole number",
            "inspections[0].findings[2].number: must be 1 or more",
            "inspections[2].sources: must be a list of text, written in [ ]",
            "inspections[2].findings[2]: must be an object, written in { }",
            "reviews: must be a list, written in [ ]",
        ],
    )


def test_unknown_keys(rejected, example_document):
    example_document["inspections"][0]["colour"] = "red"
    example_document["plan"] = []
    plan = example_document["plans"][0]
    plan["responds"] = plan.pop("responds_to")
    rejected(
        example_document,
        [
            'plan: is not a recognised key (did you mean "plans"?)',
            "inspections[0].colour: is not a recognised key",
            'plans[0].responds: is not a recognised key (did you mean "responds_to"?)',
            "plans[0].responds_to: is required",
        ],
    )


def test_missing_required_fields(rejected, example_document):
    del example_document["area"]["name"]
    del example_document["organisations"][3]["kind"]
    del example_document["inspections"][1]["framework"]
    del example_document["inspections"][2]["findings"][0]["text"]
    del example_document["reviews"][0]["judgements"][0]["verdict"]
    example_document["plans"][2]["title"] = None
    rejected(
        example_document,
        [
            "area.name: is required",
            "organisations[3].kind: is required",
            "inspections[1].framework: is required",
            "inspections[2].findings[0].text: is required",
            "reviews[0].judgements[0].verdict: is required",
            "plans[2].title: is required",
        ],
    )


def test_required_text_cannot_be_empty(rejected, example_document):
    example_document["area"]["name"] = ""
    example_document["plans"][0]["title"] = "   "
    rejected(example_document, ["area.name: cannot be empty", "plans[0].title: cannot be empty"])


def test_an_empty_optional_value_means_not_given(db, example_document):
    example_document["inspections"][0]["outcome"] = ""
    example_document["inspections"][0]["report_received"] = ""
    example_document["plans"][0]["superseded_by"] = ""
    assert validate(example_document) == []


def test_impossible_dates(rejected, example_document):
    inspections = example_document["inspections"]
    inspections[0]["start_date"] = "2018-02-30"
    inspections[0]["end_date"] = "2018-13"
    inspections[0]["report_received"] = "16/05/2018"
    inspections[0]["report_published"] = 2018
    example_document["reviews"][0]["held_on"] = "1850"
    rejected(
        example_document,
        [
            "inspections[0].start_date: 2018-02-30 is not a real date: February 2018 has 28 days",
            "inspections[0].end_date: 2018-13 is not a real date: there is no month 13",
            "inspections[0].report_received: must be a date written as YYYY-MM-DD, YYYY-MM or YYYY",
            "inspections[0].report_published: must be a date written as YYYY-MM-DD, YYYY-MM or YYYY",
            "reviews[0].held_on: 1850 is too long ago to be a SEND inspection date",
        ],
    )


def test_invalid_choices_list_the_allowed_values(rejected, example_document):
    example_document["organisations"][0]["kind"] = "county_council"
    example_document["inspections"][0]["framework"] = 2016
    example_document["inspections"][2]["outcome"] = 3
    example_document["inspections"][2]["findings"][2]["wording"] = "exact"
    example_document["plans"][0]["status"] = "done"
    rejected(
        example_document,
        [
            'organisations[0].kind: must be one of "council", "council_company", "ccg", "icb", '
            '"nhs_provider", "parent_carer_forum" or "other", not "county_council"',
            'inspections[0].framework: must be "2016" or "2023", not 2016',
            'inspections[2].outcome: must be one of "wsoa_required", "no_wsoa", '
            '"revisit_reported", "1", "2", "3" or "monitoring_reported", not 3',
            'inspections[2].findings[2].wording: must be one of "verbatim", "paraphrase", '
            '"theme" or "not_captured", not "exact"',
            'plans[0].status: must be one of "draft", "submitted", "judged_fit", '
            '"judged_not_fit", "approved", "published", "closed", "superseded" or "unknown", not "done"',
        ],
    )


def test_slugs_and_web_addresses(rejected, example_document):
    example_document["area"]["slug"] = "Example Shire"
    example_document["area"]["local_offer_url"] = "www.example.org/local-offer"
    example_document["organisations"][0]["website"] = "ftp://example.org"
    example_document["plans"][2]["ref"] = "priority_plan"
    rejected(
        example_document,
        [
            'area.slug: "Example Shire" must use only lower-case letters, digits and hyphens',
            'area.local_offer_url: "www.example.org/local-offer" is not a web address: '
            "it must start with https:// or http://",
            'organisations[0].website: "ftp://example.org" is not a web address: '
            "it must start with https:// or http://",
            'plans[2].ref: "priority_plan" must use only lower-case letters, digits and hyphens',
        ],
    )


def test_text_longer_than_the_portal_holds(rejected, example_document):
    example_document["area"]["name"] = "E" * 121
    rejected(example_document, ["area.name: must be 120 characters or fewer (it has 121)"])


def test_sources_must_be_single_lines_of_text(rejected, example_document):
    example_document["area"]["sources"] = ["https://example.org/a", 7]
    example_document["inspections"][0]["sources"] = ["first line\nsecond line"]
    rejected(
        example_document,
        [
            "area.sources: item 2 must be text",
            "inspections[0].sources: item 1 must be on a single line",
        ],
    )


# Keys and references within the file ------------------------------------------------------


def test_duplicate_refs_slugs_and_names(rejected, example_document):
    organisations = example_document["organisations"]
    organisations.append(dict(organisations[0]))
    organisations[1]["name"] = "NHS Exampleshire Clinical Commissioning Group"
    organisations.append({**organisations[1], "slug": "another-ccg"})
    example_document["plans"][2]["ref"] = "wsoa-2017"
    review = copy.deepcopy(example_document["reviews"][0])
    example_document["reviews"].append(review)
    rejected(
        example_document,
        [
            "organisations[4].slug: exampleshire-county-council is already used by "
            "organisations[0]",
            'organisations[4].name: "Exampleshire County Council" is already used by '
            "organisations[0]",
            'organisations[5].name: "NHS Exampleshire Clinical Commissioning Group" is already '
            "used by organisations[1]",
            "reviews[3].ref: 2021-review is already used by reviews[0]",
            "plans[2].ref: wsoa-2017 is already used by plans[0]",
        ],
    )


def test_duplicate_finding_numbers_within_an_inspection_and_kind(rejected, example_document):
    example_document["inspections"][0]["findings"][2]["number"] = 2
    # The same number in another kind is fine.
    example_document["inspections"][2]["findings"][2]["number"] = 2
    rejected(
        example_document,
        [
            "inspections[0].findings[2].number: significant_weakness 2 is already used by "
            "inspections[0].findings[1]",
        ],
    )


def test_a_judgement_for_a_finding_not_in_the_file(rejected, example_document):
    example_document["inspections"][1]["judgements"][0]["finding"]["number"] = 4
    example_document["reviews"][0]["judgements"][0]["finding"]["inspection"] = "2016-inspection"
    example_document["inspections"].append(
        {
            "ref": "2025-monitoring",
            "framework": "2023",
            "kind": "monitoring",
            "judgements": [
                {
                    "finding": finding_ref("2023-inspection", "area_for_priority_action", 4),
                    "verdict": "effective_action",
                }
            ],
        }
    )
    rejected(
        example_document,
        [
            "inspections[1].judgements[0].finding: there is no significant_weakness 4 in "
            "inspection 2017-inspection",
            "inspections[4].judgements[0].finding: there is no area_for_priority_action 4 in "
            "inspection 2023-inspection",
            "reviews[0].judgements[0].finding: there is no inspection 2016-inspection in this file",
        ],
    )


def test_a_finding_reference_has_its_own_keys(rejected, example_document):
    example_document["inspections"][1]["judgements"][0]["finding"] = {
        "inspection": "2017-inspection",
        "type": "significant_weakness",
        "number": "1",
    }
    example_document["inspections"][1]["judgements"][1]["finding"] = "significant weakness 2"
    rejected(
        example_document,
        [
            "inspections[1].judgements[0].finding.type: is not a recognised key",
            "inspections[1].judgements[0].finding.number: must be a whole number",
            "inspections[1].judgements[0].finding.kind: is required",
            "inspections[1].judgements[1].finding: must be an object, written in { }",
        ],
    )


def test_a_lead_organisation_must_be_one_of_the_files_organisations(rejected, example_document):
    example_document["inspections"][0]["findings"][0]["lead_organisation"] = "exampleshire-cc"
    rejected(
        example_document,
        [
            "inspections[0].findings[0].lead_organisation: there is no organisation "
            "exampleshire-cc in this file's organisations"
        ],
    )


# Rules about inspections -------------------------------------------------------------------


def test_kind_must_fit_the_framework(rejected, example_document):
    example_document["inspections"][2]["kind"] = "initial"
    example_document["inspections"][0]["findings"][0]["kind"] = "area_for_improvement"
    rejected(
        example_document,
        [
            'inspections[0].findings[0].kind: must be "significant_weakness", '
            '"fundamental_failing" or "area_of_significant_concern" for a 2016 '
            'framework inspection, not "area_for_improvement"',
            'inspections[2].kind: must be "full" or "monitoring" for a 2023 framework '
            'inspection, not "initial"',
        ],
    )


def test_outcome_must_fit_the_kind(rejected, example_document):
    example_document["inspections"][0]["outcome"] = "3"
    example_document["inspections"][1]["outcome"] = "wsoa_required"
    rejected(
        example_document,
        [
            'inspections[0].outcome: must be "wsoa_required" or "no_wsoa" for an initial '
            'inspection, not "3"',
            'inspections[1].outcome: must be "revisit_reported" for a revisit, not "wsoa_required"',
        ],
    )


def test_a_revisit_makes_no_findings_and_an_inspection_gives_no_verdicts(
    rejected, example_document
):
    example_document["inspections"][1]["findings"] = [
        {"kind": "significant_weakness", "number": 4, "text": "A new weakness."}
    ]
    example_document["inspections"][0]["judgements"] = [
        {
            "finding": finding_ref("2017-inspection", "significant_weakness", 1),
            "verdict": "sufficient_progress",
        }
    ]
    rejected(
        example_document,
        [
            "inspections[0].judgements: only a revisit, a monitoring inspection or a 2023 full "
            "inspection gives verdicts on earlier findings",
            "inspections[1].findings: a revisit makes no findings of its own; put its "
            "verdicts on earlier findings under judgements",
        ],
    )


def test_dates_in_the_wrong_order(rejected, example_document):
    inspection = example_document["inspections"][0]
    inspection["end_date"] = "2017-06-01"
    inspection["report_received"] = "2017-05"
    inspection["report_published"] = "2017-05-31"
    example_document["plans"][0]["judged_on"] = "2017-10-01"
    example_document["plans"][1]["closed_on"] = "2020-03-31"
    rejected(
        example_document,
        [
            "inspections[0].end_date: the inspection cannot end before it starts "
            "(start_date is 2017-06-12)",
            "inspections[0].report_published: the report cannot be published before the "
            "inspection starts (start_date is 2017-06-12)",
            "inspections[0].report_received: the report cannot be received before the "
            "inspection starts (start_date is 2017-06-12)",
            "plans[0].judged_on: a plan cannot be judged before it is submitted "
            "(submitted_on is 2017-10-30)",
            "plans[1].closed_on: a plan cannot close before it is published "
            "(published_on is 2020-04)",
        ],
    )


def test_a_less_precise_later_date_in_the_same_period_is_accepted(db, example_document):
    # "June 2017" may well be after 12 June 2017, though it is stored as 1 June.
    example_document["inspections"][0]["end_date"] = "2017-06"
    example_document["inspections"][0]["report_published"] = "2017"
    example_document["plans"][1]["closed_on"] = "2020"
    assert validate(example_document) == []

    import_document(example_document, filename="area.json")

    inspection = Inspection.objects.get(ref="2017-inspection")
    assert (str(inspection.start), str(inspection.end), str(inspection.published)) == (
        "12 June 2017",
        "June 2017",
        "2017",
    )


def test_a_less_precise_date_in_a_later_period_is_fine(db, example_document):
    example_document["inspections"][0]["end_date"] = "2017-07"
    example_document["inspections"][0]["report_published"] = "2017"
    example_document["inspections"][0]["start_date"] = "2016-12-05"
    assert validate(example_document) == []
    import_document(example_document, filename="area.json")


# Rules about verdicts ----------------------------------------------------------------------


def test_each_source_gives_only_its_own_verdicts(rejected, example_document):
    example_document["inspections"][1]["judgements"][0]["verdict"] = "effective_action"
    example_document["reviews"][0]["judgements"][0]["verdict"] = "sufficient_progress"
    example_document["inspections"].append(
        {
            "ref": "2025-monitoring",
            "framework": "2023",
            "kind": "monitoring",
            "judgements": [
                {
                    "finding": finding_ref("2023-inspection", "area_for_priority_action", 1),
                    "verdict": "closed_by_review",
                }
            ],
        }
    )
    rejected(
        example_document,
        [
            'inspections[1].judgements[0].verdict: must be "sufficient_progress" or '
            '"insufficient_progress" for a revisit, not "effective_action"',
            'inspections[4].judgements[0].verdict: must be "effective_action" or '
            '"not_effective_action" for a monitoring inspection, not "closed_by_review"',
            'reviews[0].judgements[0].verdict: must be "closed_by_review" or '
            '"still_monitored" for a review, not "sufficient_progress"',
        ],
    )


def test_one_verdict_per_finding_from_each_source(rejected, example_document):
    judgements = example_document["inspections"][1]["judgements"]
    judgements.append({**judgements[2], "verdict": "sufficient_progress"})
    rejected(
        example_document,
        [
            "inspections[1].judgements[3].finding: this revisit already gives a verdict on "
            "significant_weakness 3 in inspection 2017-inspection, at "
            "inspections[1].judgements[2]",
        ],
    )


def test_a_verdict_on_a_later_or_unsuitable_finding(rejected, example_document):
    example_document["inspections"].append(
        {
            "ref": "2016-revisit",
            "framework": "2016",
            "kind": "revisit",
            "start_date": "2016-01",
            "judgements": [
                {
                    "finding": finding_ref("2017-inspection", "significant_weakness", 1),
                    "verdict": "sufficient_progress",
                }
            ],
        }
    )
    example_document["inspections"].append(
        {
            "ref": "2025-monitoring",
            "framework": "2023",
            "kind": "monitoring",
            "judgements": [
                {
                    "finding": finding_ref("2017-inspection", "significant_weakness", 2),
                    "verdict": "effective_action",
                }
            ],
        }
    )
    rejected(
        example_document,
        [
            "inspections[4].judgements[0].finding: the finding is from inspection "
            "2017-inspection, which started (2017-06-12) after this revisit (2016-01)",
            "inspections[5].judgements[0].finding: a monitoring inspection can only judge "
            "area_for_priority_action or area_for_improvement findings, not "
            "significant_weakness",
        ],
    )


# Rules about plans -------------------------------------------------------------------------


def test_a_plan_must_answer_an_inspection_of_the_right_kind(rejected, example_document):
    plans = example_document["plans"]
    plans[0]["responds_to"] = "2023-inspection"
    plans[1]["responds_to"] = "2017-inspection"
    plans[2]["responds_to"] = "2024-inspection"
    plans.append(
        {
            "ref": "strategic-plan",
            "kind": "strategic_plan",
            "title": "SEND strategy",
            "responds_to": "2019-revisit",
        }
    )
    rejected(
        example_document,
        [
            "plans[0].responds_to: a wsoa answers an initial inspection, but 2023-inspection "
            "is a full inspection",
            "plans[1].responds_to: an accelerated_progress_plan answers a revisit, but "
            "2017-inspection is an initial inspection",
            "plans[2].responds_to: there is no inspection 2024-inspection in this file",
            "plans[4].responds_to: a strategic_plan answers a full inspection, but "
            "2019-revisit is a revisit",
        ],
    )


def test_an_accelerated_plan_must_list_exactly_the_insufficient_findings(
    rejected, example_document
):
    example_document["plans"][1]["findings"] = [
        finding_ref("2017-inspection", "significant_weakness", 1),
        finding_ref("2017-inspection", "significant_weakness", 3),
    ]
    rejected(
        example_document,
        [
            "plans[1].findings: an accelerated_progress_plan must address exactly the "
            "findings its revisit 2019-revisit judged insufficient_progress: remove "
            "significant_weakness 1 in inspection 2017-inspection",
        ],
    )


def test_an_accelerated_plan_missing_a_finding(rejected, example_document):
    example_document["plans"][1]["findings"] = []
    rejected(
        example_document,
        [
            "plans[1].findings: an accelerated_progress_plan must address exactly the "
            "findings its revisit 2019-revisit judged insufficient_progress: add "
            "significant_weakness 3 in inspection 2017-inspection",
        ],
    )


def test_an_accelerated_plan_listing_exactly_the_insufficient_findings_is_fine(
    db, example_document
):
    example_document["plans"][1]["findings"] = [
        finding_ref("2017-inspection", "significant_weakness", 3)
    ]
    assert validate(example_document) == []


def test_all_and_insufficient_belong_to_the_right_plans(rejected, example_document):
    example_document["plans"][0]["findings"] = "insufficient"
    example_document["plans"][1]["findings"] = "all"
    example_document["plans"][2]["findings"] = "everything"
    rejected(
        example_document,
        [
            'plans[0].findings: "insufficient" is only for an accelerated_progress_plan; '
            'for a wsoa use "all" or list the findings',
            'plans[1].findings: must be "insufficient" or a list of findings for an '
            "accelerated_progress_plan: it addresses the findings its revisit judged "
            "insufficient_progress",
            'plans[2].findings: must be "all", "insufficient" or a list of finding '
            'references, not "everything"',
        ],
    )


def test_listed_plan_findings_are_unique_and_from_the_inspection_answered(
    rejected, example_document
):
    listed = example_document["plans"][3]["findings"]
    listed.append(finding_ref("2026-inspection", "area_for_improvement", 1))
    listed.append(finding_ref("2017-inspection", "significant_weakness", 1))
    rejected(
        example_document,
        [
            "plans[3].findings[2]: area_for_improvement 1 in inspection 2026-inspection "
            "is already listed at plans[3].findings[0]",
            "plans[3].findings[3]: significant_weakness 1 in inspection 2017-inspection is "
            "not a finding of 2026-inspection, the inspection this plan answers",
        ],
    )


def test_superseded_by_must_name_another_plan_in_the_file(rejected, example_document):
    plans = example_document["plans"]
    plans[1]["superseded_by"] = "recovery-plan"
    plans[2]["superseded_by"] = "priority-action-plan-2024"
    rejected(
        example_document,
        [
            "plans[1].superseded_by: there is no plan recovery-plan in this file",
            "plans[2].superseded_by: a plan cannot replace itself",
        ],
    )


def test_plans_cannot_replace_each_other_in_a_loop(rejected, example_document):
    example_document["plans"][1]["superseded_by"] = "priority-action-plan-2024"
    example_document["plans"][2]["superseded_by"] = "wsoa-2017"
    rejected(
        example_document,
        [
            "plans[0].superseded_by: the plans replace each other in a loop: wsoa-2017 → "
            "accelerated-plan-2020 → priority-action-plan-2024 → wsoa-2017",
        ],
    )


# The database ------------------------------------------------------------------------------


def test_an_organisation_name_held_by_another_organisation(rejected, example_document):
    Organisation.objects.create(slug="county-hall", name="Exampleshire Council", kind="council")
    example_document["organisations"][0]["name"] = "Exampleshire Council"
    rejected(
        example_document,
        [
            "organisations[0].name: another organisation in the portal, county-hall, already "
            'has the name "Exampleshire Council"; use the slug county-hall to mean that '
            "organisation, or choose another name",
        ],
    )


def test_renaming_an_organisation_to_a_name_already_taken(rejected, example_document):
    example_document["organisations"][1]["name"] = "Exampleshire Health Trust"
    Organisation.objects.create(
        slug="exampleshire-health-trust", name="Exampleshire Health Trust", kind="nhs_provider"
    )
    rejected(
        example_document,
        [
            "organisations[1].name: another organisation in the portal, "
            'exampleshire-health-trust, already has the name "Exampleshire Health Trust"; use '
            "the slug exampleshire-health-trust to mean that organisation, or choose another "
            "name",
        ],
    )


def test_an_area_name_held_by_another_area(rejected, example_document):
    LocalArea.objects.create(slug="exampleshire", name="Exampleshire District")
    example_document["area"]["name"] = "Exampleshire District"
    rejected(
        example_document,
        [
            "area.name: another area in the portal, exampleshire, already has the name "
            '"Exampleshire District"'
        ],
    )


# Everything at once ------------------------------------------------------------------------


def test_every_problem_in_a_file_is_reported_together(rejected, example_document):
    example_document["version"] = 2
    example_document["area"]["colour"] = "green"
    del example_document["organisations"][2]["name"]
    inspections = example_document["inspections"]
    inspections[0]["start_date"] = "2017-02-29"
    inspections[0]["findings"][1]["number"] = "2"
    inspections[1]["judgements"][0]["finding"]["inspection"] = "2017-inspecton"
    inspections[2]["findings"][1]["number"] = 1
    example_document["reviews"][0]["judgements"][0]["verdict"] = "closed"
    example_document["plans"][1]["findings"] = [
        finding_ref("2017-inspection", "significant_weakness", 1)
    ]
    example_document["plans"][2]["superseded_by"] = "strategic-plan"
    rejected(
        example_document,
        [
            "version: must be 1 (this portal reads version 1 files only)",
            "area.colour: is not a recognised key",
            "organisations[2].name: is required",
            "inspections[0].start_date: 2017-02-29 is not a real date: February 2017 has 28 days",
            "inspections[0].findings[1].number: must be a whole number",
            "inspections[1].judgements[0].finding: there is no inspection 2017-inspecton in "
            "this file",
            "inspections[2].findings[1].number: area_for_priority_action 1 is already used by "
            "inspections[2].findings[0]",
            'reviews[0].judgements[0].verdict: must be "closed_by_review" or "still_monitored" '
            'for a review, not "closed"',
            "plans[1].findings: an accelerated_progress_plan must address exactly the "
            "findings its revisit 2019-revisit judged insufficient_progress: add "
            "significant_weakness 3 in inspection 2017-inspection; remove "
            "significant_weakness 1 in inspection 2017-inspection",
            "plans[2].superseded_by: there is no plan strategic-plan in this file",
        ],
    )


# Robustness ----------------------------------------------------------------------------


def _value_paths(node, prefix=()):
    """The place of every value in a document, as a tuple of keys and indexes."""
    if isinstance(node, dict):
        items = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return
    for key, value in items:
        yield (*prefix, key)
        yield from _value_paths(value, (*prefix, key))


@pytest.mark.django_db
def test_a_wrong_value_anywhere_is_reported_not_a_crash(example_document):
    crashes = []
    for path in _value_paths(example_document):
        for wrong in (True, [], {}, "x", -1):
            document = copy.deepcopy(example_document)
            parent = document
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]] = wrong
            try:
                validate(document)
            except Exception as error:  # any crash at all is the failure
                crashes.append(f"{path} = {wrong!r}: {error!r}")
    assert crashes == []
