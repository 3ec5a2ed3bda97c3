"""Turning the seed areas' loose research notes into area-history documents."""

from unittest import TestCase

from django.test import TestCase as DjangoTestCase

from actions.area_history import import_document, validate
from actions.models import Plan
from demo.seed import (
    NOT_CAPTURED_TEXT,
    _clean_finding_text,
    _leading_date,
    _organisation,
    area_history_from_seed,
    load_seed,
)
from inspections.models import Finding, Inspection, ProgressReview


def seed_area(name):
    return next(area for area in load_seed() if area["area"] == name)


class LeadingDateTests(TestCase):
    def test_it_keeps_a_plain_date_at_its_precision(self):
        self.assertEqual(_leading_date("2019-11"), "2019-11")
        self.assertEqual(_leading_date("2020-03-27"), "2020-03-27")

    def test_it_drops_the_words_after_a_date(self):
        self.assertEqual(_leading_date("2020-04 (by 16 April 2020 update)"), "2020-04")

    def test_a_deadline_is_not_a_submission_date(self):
        self.assertIsNone(_leading_date("2022-02-16 (deadline; 'required to be submitted')"))

    def test_nothing_gives_nothing(self):
        self.assertIsNone(_leading_date(None))
        self.assertIsNone(_leading_date("unknown"))


class FindingTextTests(TestCase):
    def test_a_theme_is_marked_as_not_the_official_wording(self):
        text, wording, _ = _clean_finding_text("Theme (not official wording): parent satisfaction")
        self.assertEqual((text, wording), ("Parent satisfaction", "theme"))

    def test_a_paraphrase_keeps_its_source_note(self):
        text, wording, notes = _clean_finding_text(
            "Reduce waiting times for mental health support (plan area, paraphrased)"
        )
        self.assertEqual(text, "Reduce waiting times for mental health support")
        self.assertEqual(wording, "paraphrase")
        self.assertEqual(notes, "Source note: plan area, paraphrased.")

    def test_verbatim_text_is_left_alone(self):
        self.assertEqual(
            _clean_finding_text("Joint Commissioning"), ("Joint Commissioning", "verbatim", "")
        )


class OrganisationTests(TestCase):
    def test_kinds_are_read_from_the_name(self):
        cases = {
            "Essex County Council": "council",
            "Worcestershire Children First": "council_company",
            "Black Country and West Birmingham CCG (later NHS Black Country ICB)": "ccg",
            "The Royal Wolverhampton NHS Trust": "nhs_provider",
            "Black Country Healthcare NHS Foundation Trust": "nhs_provider",
        }
        for partner, kind in cases.items():
            with self.subTest(partner=partner):
                self.assertEqual(_organisation(partner)["kind"], kind)

    def test_the_bracketed_part_becomes_the_description(self):
        organisation = _organisation(
            "Black Country and West Birmingham CCG (later NHS Black Country ICB)"
        )
        self.assertEqual(organisation["name"], "Black Country and West Birmingham CCG")
        self.assertEqual(organisation["description"], "later NHS Black Country ICB")
        self.assertEqual(organisation["slug"], "black-country-and-west-birmingham-ccg")


class AreaDocumentTests(TestCase):
    def test_dudleys_fourteen_weaknesses_keep_their_revisit_counts(self):
        document = area_history_from_seed(seed_area("Dudley"))
        initial, revisit, full = document["inspections"]
        self.assertEqual(len(initial["findings"]), 14)
        self.assertEqual(sum(f["wording"] == "theme" for f in initial["findings"]), 6)
        self.assertEqual(sum(f["text"] == NOT_CAPTURED_TEXT for f in initial["findings"]), 8)
        verdicts = [j["verdict"] for j in revisit["judgements"]]
        self.assertEqual(verdicts.count("sufficient_progress"), 8)
        self.assertEqual(verdicts.count("insufficient_progress"), 6)
        self.assertEqual([f["number"] for f in full["findings"]], [1, 2, 3])

    def test_a_weakness_listed_under_a_revisit_belongs_to_the_first_inspection(self):
        document = area_history_from_seed(seed_area("Worcestershire"))
        initial, revisit, _ = document["inspections"]
        self.assertEqual(revisit["findings"], [])
        self.assertEqual(initial["findings"][0]["wording"], "paraphrase")
        self.assertIn("mainstream schools", initial["findings"][0]["text"])
        self.assertEqual(
            revisit["judgements"][0],
            {
                "finding": {
                    "inspection": "2018-inspection",
                    "kind": "significant_weakness",
                    "number": 1,
                },
                "verdict": "insufficient_progress",
            },
        )

    def test_wolverhamptons_wsoa_deadline_is_not_taken_as_its_submission(self):
        document = area_history_from_seed(seed_area("Wolverhampton"))
        [plan] = document["plans"]
        self.assertIsNone(plan["submitted_on"])
        self.assertEqual(plan["published_on"], "2022-03-08")
        self.assertEqual(document["inspections"][0]["report_received"], "2021-11-05")
        self.assertIn("inferred", document["inspections"][0]["notes"])

    def test_review_notes_become_verdicts_at_the_matching_review(self):
        document = area_history_from_seed(seed_area("Wolverhampton"))
        review = next(r for r in document["reviews"] if r["held_on"] == "2025-03")
        self.assertEqual(
            sorted((j["finding"]["number"], j["verdict"]) for j in review["judgements"]),
            [(2, "still_monitored"), (6, "closed_by_review")],
        )


def revisit_only_seed(**revisit):
    """A seed area whose history starts at a revisit: the inspection before it is not known."""
    return {
        "area": "Revisitshire",
        "partners": ["Revisitshire Council", ""],
        "inspections": [
            {
                "framework": "2016-joint-local-area-SEND",
                "kind": "revisit",
                "start_date": "2021-11-01",
                "end_date": "2021-11-03",
                "report_published": "2022-01",
                "outcome": "Sufficient progress in 1 of 13 significant weaknesses",
                "weaknesses": [
                    {
                        "number": None,
                        "text": "Waiting times for assessments",
                        "revisit_outcome": "not made sufficient progress",
                        "kind": "significant_weakness",
                    },
                    {"number": None, "revisit_outcome": "sufficient progress"},
                ],
                "weakness_count": 13,
                "sufficient_count": 1,
                "not_sufficient_count": 12,
                **revisit,
            }
        ],
        "wsoa": {"required": True, "judgement": "fit for purpose"},
        "accelerated_plan": {
            "required": True,
            "name": "Accelerated Progress Plan",
            "reviews": [{"date": "2022-09", "result": "Progress on plans"}],
        },
        "sources": ["Invented for the tests."],
    }


def seed_with(inspection):
    """A seed area with one inspection (a 2016 inspection unless the test says otherwise)."""
    return {
        "area": "Seedshire",
        "partners": ["Seedshire County Council"],
        "inspections": [
            {
                "framework": "2016-joint-local-area-SEND",
                "kind": "initial",
                "start_date": "2018-03",
                "outcome": "Written Statement of Action required",
                "weaknesses": [],
                **inspection,
            }
        ],
    }


class RevisitOnlyHistoryTests(TestCase):
    def test_a_revisit_only_history_becomes_a_document_with_counts_and_no_findings(self):
        document = area_history_from_seed(revisit_only_seed())

        [revisit] = document["inspections"]
        self.assertEqual((revisit["ref"], revisit["kind"]), ("2021-revisit", "revisit"))
        self.assertEqual((revisit["findings_judged"], revisit["findings_resolved"]), (13, 1))
        self.assertEqual((revisit["findings"], revisit["judgements"]), ([], []))
        # What the seed says about the weaknesses is kept, not lost.
        self.assertIn(
            "Waiting times for assessments (not made sufficient progress); "
            "wording not captured (sufficient progress).",
            revisit["notes"],
        )
        # No WSOA without the inspection it answered; the accelerated plan claims no findings.
        [plan] = document["plans"]
        self.assertEqual(
            (plan["kind"], plan["responds_to"], plan["findings"]),
            ("accelerated_progress_plan", "2021-revisit", "insufficient"),
        )
        self.assertEqual([o["name"] for o in document["organisations"]], ["Revisitshire Council"])

    def test_a_revisit_without_counts_or_weaknesses_still_converts(self):
        document = area_history_from_seed(
            revisit_only_seed(weaknesses=None, weakness_count=None, sufficient_count=None)
        )
        [revisit] = document["inspections"]
        self.assertIsNone(revisit["findings_judged"])
        self.assertIsNone(revisit["findings_resolved"])

    def test_the_seed_areas_revisits_carry_their_counts(self):
        counts = {
            name: [
                (i["ref"], i["findings_judged"], i["findings_resolved"])
                for i in area_history_from_seed(seed_area(name))["inspections"]
                if i["kind"] == "revisit"
            ]
            for name in ("Worcestershire", "Dudley", "Essex", "Wolverhampton")
        }
        self.assertEqual(
            counts,
            {
                "Worcestershire": [("2021-revisit", 12, 8)],
                "Dudley": [("2022-revisit", 14, 8)],
                "Essex": [("2022-revisit", 3, 3)],
                "Wolverhampton": [],
            },
        )


class WeaknessWithoutTextTests(TestCase):
    def test_a_weakness_without_text_is_a_finding_whose_wording_is_not_captured(self):
        document = area_history_from_seed(
            seed_with(
                {
                    "weaknesses": [
                        {"number": 1, "kind": "significant_weakness"},
                        {"number": 2, "text": None, "kind": "significant_weakness"},
                        {"number": 3, "text": "  "},
                        {"number": 4, "text": "Joint commissioning"},
                    ]
                }
            )
        )
        findings = document["inspections"][0]["findings"]
        self.assertEqual(
            [(f["number"], f["kind"], f["wording"]) for f in findings],
            [
                (1, "significant_weakness", "not_captured"),
                (2, "significant_weakness", "not_captured"),
                (3, "significant_weakness", "not_captured"),
                (4, "significant_weakness", "verbatim"),
            ],
        )
        self.assertEqual(findings[0]["text"], NOT_CAPTURED_TEXT)
        self.assertEqual(
            findings[0]["notes"], "The public sources name this finding but not its wording."
        )

    def test_a_2023_inspection_is_filled_up_to_its_counts_of_each_kind(self):
        document = area_history_from_seed(
            seed_with(
                {
                    "framework": "2023-area-SEND",
                    "kind": "full",
                    "start_date": "2024-04",
                    "outcome": "There are widespread and/or systemic failings.",
                    "weaknesses": [
                        {"number": 1, "text": None, "kind": "area_for_improvement"},
                    ],
                    "priority_action_count": 2,
                    "improvement_area_count": 2,
                }
            )
        )
        [inspection] = document["inspections"]
        self.assertEqual(inspection["outcome"], "3")
        self.assertEqual(
            [(f["kind"], f["number"], f["wording"]) for f in inspection["findings"]],
            [
                ("area_for_improvement", 1, "not_captured"),
                ("area_for_priority_action", 1, "not_captured"),
                ("area_for_priority_action", 2, "not_captured"),
                ("area_for_improvement", 2, "not_captured"),
            ],
        )
        self.assertEqual(inspection["findings"][1]["text"], NOT_CAPTURED_TEXT)


class ConvertedDocumentsImportTests(DjangoTestCase):
    """What load_demo does with a seed area: check it, then import it, never crash."""

    def test_a_revisit_only_history_validates_and_imports(self):
        document = area_history_from_seed(revisit_only_seed())
        self.assertEqual(validate(document), [])

        import_document(document, filename="revisitshire.json")

        revisit = Inspection.objects.get(area__slug="revisitshire")
        self.assertEqual(revisit.verdict_counts_text, "Sufficient progress on 1 of 13 findings")
        plan = Plan.objects.get(area__slug="revisitshire")
        self.assertFalse(plan.findings.exists())
        self.assertEqual(ProgressReview.objects.get().held_on.isoformat(), "2022-09-01")

    def test_weaknesses_without_text_validate_and_import(self):
        document = area_history_from_seed(
            seed_with({"weaknesses": [{"number": 1}, {"number": 2, "text": ""}]})
        )
        self.assertEqual(validate(document), [])

        import_document(document, filename="seedshire.json")

        self.assertEqual(
            list(Finding.objects.values_list("wording", flat=True)),
            ["not_captured", "not_captured"],
        )

    def test_what_cannot_be_worked_out_is_reported_as_a_problem_not_a_crash(self):
        document = area_history_from_seed(
            seed_with(
                {
                    "framework": "2023-area-SEND",
                    "kind": "full",
                    "start_date": "2024-04",
                    "outcome": "There are widespread and/or systemic failings.",
                    "weaknesses": [{"number": 1}],
                }
            )
        )
        # A 2023 report has two kinds of finding, so the converter cannot guess one.
        self.assertEqual(
            [str(problem) for problem in validate(document)],
            ["inspections[0].findings[0].kind: is required"],
        )

    def test_an_outcome_3_inspection_with_no_priorities_known_is_reported(self):
        document = area_history_from_seed(
            seed_with(
                {
                    "framework": "2023-area-SEND",
                    "kind": "full",
                    "start_date": "2024-04",
                    "outcome": "There are widespread and/or systemic failings.",
                    "weaknesses": None,
                }
            )
        )
        self.assertEqual(
            [str(problem) for problem in validate(document)],
            [
                'inspections[0].findings: an outcome "3" inspection has at least one area for '
                "priority action: list them with kind area_for_priority_action (with wording "
                "not_captured if their words are not public), or check the outcome",
            ],
        )

    def test_an_unknown_framework_is_reported_not_a_crash(self):
        document = area_history_from_seed(seed_with({"framework": "2019-peer-review"}))
        self.assertEqual(
            [str(problem) for problem in validate(document)],
            ['inspections[0].framework: must be "2016" or "2023", not "2019-peer-review"'],
        )

    def test_a_monitoring_inspection_without_the_inspection_before_it_converts(self):
        document = area_history_from_seed(
            seed_with(
                {
                    "framework": "2023-area-SEND",
                    "kind": "monitoring",
                    "start_date": "2025-07",
                    "outcome": "The partnership is taking effective action.",
                    "weaknesses": [{"text": "Waiting times", "revisit_outcome": "effective"}],
                }
            )
        )
        self.assertEqual(validate(document), [])
        self.assertIn("Waiting times (effective)", document["inspections"][0]["notes"])
