"""Turning the seed areas' loose research notes into area-history documents (no database)."""

from unittest import TestCase

from demo.seed import (
    NOT_CAPTURED_TEXT,
    _clean_finding_text,
    _leading_date,
    _organisation,
    area_history_from_seed,
    load_seed,
)


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
