"""The demo: four real areas' public history, labelled illustrative content, sign-ins."""

import datetime
import io
import json
from collections import Counter

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

from actions.deadlines import deadlines_for_plans
from actions.models import ActionItem, Plan
from demo.illustrative import DEMO_PLANS
from demo.management.commands.load_demo import DEMO_PASSWORD
from demo.seed import SEED_FILE
from inspections.models import Finding, Inspection, Judgement, LocalArea, Membership
from progress.models import BoardMeeting, ForumReply, ForumResponse, Measure, ProgressUpdate


def history_counts():
    return {
        model.__name__: model.history.count()
        for model in apps.get_models()
        if hasattr(model, "history") and hasattr(model.history, "model")
    }


def verdicts(inspection):
    return Counter(
        Judgement.objects.filter(inspection=inspection).values_list("verdict", flat=True)
    )


class LoadDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.output = io.StringIO()
        call_command("load_demo", force=True, stdout=cls.output)

    def area(self, slug):
        return LocalArea.objects.get(slug=slug)

    def test_it_loads_the_four_seed_areas(self):
        self.assertEqual(
            list(LocalArea.objects.values_list("name", flat=True)),
            ["Dudley", "Essex", "Wolverhampton", "Worcestershire"],
        )

    def test_it_keeps_worcestershires_twelve_weaknesses_and_revisit_counts(self):
        area = self.area("worcestershire")
        inspection = area.inspections.get(ref="2018-inspection")
        self.assertEqual(inspection.findings.count(), 12)
        self.assertEqual(str(inspection.start), "March 2018")
        self.assertEqual(str(inspection.received), "16 May 2018")
        revisit = area.inspections.get(ref="2021-revisit")
        self.assertEqual(
            verdicts(revisit),
            Counter({"sufficient_progress": 8, "insufficient_progress": 4}),
        )
        # Only one weakness's wording is public; the rest say so rather than invent it.
        self.assertEqual(inspection.findings.exclude(wording="not_captured").count(), 1)

    def test_the_accelerated_plan_carries_exactly_the_insufficient_findings(self):
        for slug, ref, expected in (("worcestershire", "app-2022", 4), ("dudley", "saap-2022", 6)):
            plan = Plan.objects.get(area__slug=slug, ref=ref)
            insufficient = set(
                Judgement.objects.filter(
                    inspection=plan.responds_to, verdict="insufficient_progress"
                ).values_list("finding_id", flat=True)
            )
            self.assertEqual(set(plan.findings.values_list("pk", flat=True)), insufficient)
            self.assertEqual(len(insufficient), expected)

    def test_review_verdicts_close_findings(self):
        wolverhampton = Finding.objects.get(
            inspection__area__slug="wolverhampton", kind="significant_weakness", number=6
        )
        [judgement] = wolverhampton.judgements.all()
        self.assertEqual(judgement.verdict, Judgement.Verdict.CLOSED)
        self.assertEqual(str(judgement.review.held), "March 2025")
        worcestershire = Finding.objects.get(
            inspection__area__slug="worcestershire",
            inspection__ref="2018-inspection",
            number=1,
        )
        self.assertEqual(
            [j.verdict for j in worcestershire.judgements.order_by("pk")],
            ["insufficient_progress", "closed_by_review"],
        )

    def test_2023_framework_outcomes_and_findings(self):
        worcs = Inspection.objects.get(area__slug="worcestershire", ref="2024-inspection")
        self.assertEqual(worcs.outcome, Inspection.Outcome.SYSTEMIC)
        self.assertEqual(
            Counter(worcs.findings.values_list("kind", flat=True)),
            Counter({"area_for_priority_action": 2, "area_for_improvement": 3}),
        )
        dudley = Inspection.objects.get(area__slug="dudley", ref="2025-inspection")
        self.assertEqual(dudley.outcome, Inspection.Outcome.INCONSISTENT)
        self.assertEqual(str(dudley.published), "11 March 2025")
        essex = Inspection.objects.get(area__slug="essex", ref="2026-inspection")
        self.assertEqual(str(essex.start), "2026")
        self.assertEqual(essex.outcome, "")

    def test_essex_made_sufficient_progress_on_all_three_and_its_plan_closed(self):
        revisit = Inspection.objects.get(area__slug="essex", ref="2022-revisit")
        self.assertEqual(verdicts(revisit), Counter({"sufficient_progress": 3}))
        plan = Plan.objects.get(area__slug="essex", ref="wsoa-2019")
        self.assertEqual(plan.status, Plan.Status.CLOSED)
        self.assertEqual(str(plan.submitted), "27 March 2020")

    def test_plan_due_dates_are_the_real_ones(self):
        plans = Plan.objects.filter(kind=Plan.Kind.WSOA).select_related("area", "responds_to")
        deadlines = deadlines_for_plans(plans, today=datetime.date(2026, 11, 22))
        due = {
            plan.area.slug: next(d for d in found if d.rule.code == "wsoa-submit")
            for plan, found in deadlines.items()
        }
        self.assertEqual(due["worcestershire"].due, datetime.date(2018, 8, 23))
        self.assertEqual(due["wolverhampton"].due, datetime.date(2022, 2, 16))
        self.assertEqual(due["essex"].due, datetime.date(2020, 4, 2))
        self.assertTrue(due["essex"].counted_from_publication)
        self.assertEqual(due["dudley"].due, datetime.date(2019, 10, 23))
        self.assertTrue(due["essex"].is_met)

    def test_invented_content_is_labelled_illustrative(self):
        self.assertTrue(ActionItem.objects.exists())
        self.assertFalse(ActionItem.objects.filter(is_illustrative=False).exists())
        self.assertFalse(ProgressUpdate.objects.filter(is_illustrative=False).exists())
        self.assertFalse(Measure.objects.filter(is_illustrative=False).exists())
        self.assertFalse(BoardMeeting.objects.filter(is_illustrative=False).exists())
        for title in ActionItem.objects.values_list("title", flat=True):
            self.assertIn("(illustrative)", title)
        # The real plans from the seed are not marked illustrative.
        self.assertFalse(Plan.objects.filter(is_illustrative=True).exists())
        plans_with_actions = set(
            ActionItem.objects.values_list("plan__area__slug", "plan__ref").distinct()
        )
        self.assertEqual(plans_with_actions, set(DEMO_PLANS.items()))

    def test_an_illustrative_action_serves_a_finding_its_plan_addresses(self):
        for action in ActionItem.objects.select_related("plan", "finding"):
            action.full_clean()

    def test_demo_sign_ins_work_and_have_their_roles(self):
        User = get_user_model()
        admin = User.objects.get(username="admin")
        self.assertTrue(admin.is_superuser)
        self.assertTrue(admin.check_password(DEMO_PASSWORD))
        officer = User.objects.get(username="dudley-officer")
        self.assertTrue(officer.check_password(DEMO_PASSWORD))
        self.assertFalse(officer.is_staff)
        self.assertEqual(
            set(officer.memberships.values_list("area__slug", "role")),
            {("dudley", Membership.Role.OFFICER)},
        )
        self.assertEqual(Membership.objects.count(), 16)
        output = self.output.getvalue()
        self.assertIn(DEMO_PASSWORD, output)
        self.assertIn("worcestershire-board", output)

    def test_each_area_has_a_forum_sign_in_that_sees_only_the_forums_page(self):
        for area in LocalArea.objects.all():
            membership = Membership.objects.get(user__username=f"{area.slug}-forum")
            self.assertEqual(membership.role, Membership.Role.FORUM)
            self.assertTrue(membership.user.check_password(DEMO_PASSWORD))
        self.assertIn("worcestershire-forum", self.output.getvalue())

    def test_the_forum_acknowledges_and_challenges_in_one_area_and_the_board_replies(self):
        responses = ForumResponse.objects.select_related("update__action__plan__area", "reply")
        self.assertEqual(
            sorted((r.update.action.plan.area.slug, r.kind) for r in responses),
            [("worcestershire", "acknowledge"), ("worcestershire", "challenge")],
        )
        challenge = responses.get(kind="challenge")
        self.assertTrue(challenge.reply.text.startswith("Illustrative:"))
        self.assertTrue(challenge.reply.is_illustrative)
        for response in responses:
            self.assertTrue(response.text.startswith("Illustrative:"))
            self.assertTrue(response.is_illustrative)
            self.assertEqual(response.responded_by.username, "worcestershire-forum")
        self.assertEqual(ForumResponse.objects.public().count(), 2)
        self.assertEqual(ForumReply.objects.get().replied_by.username, "worcestershire-officer")

    def test_history_records_the_import_reason(self):
        inspection = Inspection.objects.get(area__slug="essex", ref="2019-inspection")
        [record] = inspection.history.all()
        self.assertEqual(record.history_change_reason, f"Imported from {SEED_FILE.name} (Essex)")
        action = ActionItem.objects.first()
        self.assertIn("illustrative", action.history.first().history_change_reason)

    def test_running_it_again_changes_nothing(self):
        before = history_counts()
        call_command("load_demo", force=True, stdout=io.StringIO())
        self.assertEqual(history_counts(), before)


class LoadDemoRefusalTests(TestCase):
    @override_settings(DEBUG=False)
    def test_it_refuses_to_run_without_debug(self):
        with self.assertRaisesMessage(CommandError, "only runs with DEBUG=true"):
            call_command("load_demo", stdout=io.StringIO())
        self.assertFalse(LocalArea.objects.exists())
        self.assertFalse(get_user_model().objects.exists())


class SeedCopyTests(TestCase):
    def test_the_project_keeps_a_copy_of_the_seed_facts(self):
        with open(SEED_FILE, encoding="utf-8") as handle:
            seed = json.load(handle)
        self.assertEqual(
            [area["area"] for area in seed["areas"]],
            ["Worcestershire", "Wolverhampton", "Dudley", "Essex"],
        )
