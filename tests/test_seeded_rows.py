"""The rows the migrations seed are there for every test, whatever ran before it.

A transactional test (transactional_db, live_server) empties every table when
it ends, with Django's flush. tests/conftest.py puts the seeded rows back, so a
test that needs the deadline rules finds them even when it runs after one: in
any order, in one process or several.
"""

import importlib

import pytest
from django.core.management import call_command

from actions.models import DeadlineRule
from inspections.models import LocalArea
from tests.factories import make_area

FIRST = importlib.import_module("actions.migrations.0002_seed_deadline_rules")
LATER = importlib.import_module("actions.migrations.0007_framework_calendar_rules")
SEEDED_CODES = {spec["code"] for spec in FIRST.RULES} | {spec["code"] for spec in LATER.NEW_RULES}

pytestmark = pytest.mark.django_db(transaction=True)


def rules():
    return list(DeadlineRule.objects.order_by("pk").values())


def rule_history():
    return list(
        DeadlineRule.history.order_by("history_id").values_list(
            "history_id", "code", "history_type", "history_change_reason"
        )
    )


def test_a_flush_brings_back_the_seeded_rules_as_they_were_and_nothing_the_test_made():
    seeded, history = rules(), rule_history()
    assert {rule["code"] for rule in seeded} == SEEDED_CODES
    assert history  # each seeded rule's history says where it came from
    make_area(slug="made-by-this-test")

    call_command("flush", interactive=False, verbosity=0)  # as a transactional test ends

    assert rules() == seeded
    assert rule_history() == history
    assert not LocalArea.objects.exists()


def test_a_rule_added_after_a_flush_gets_a_new_key():
    call_command("flush", interactive=False, verbosity=0)
    copy = DeadlineRule.objects.get(code="wsoa-submit")
    copy.pk, copy.code = None, "wsoa-submit-copy"

    copy.save()

    assert copy.pk > max(rule["id"] for rule in rules() if rule["code"] in SEEDED_CODES)


def test_a_transactional_test_finds_the_rules_after_an_earlier_one_emptied_the_tables():
    # The tests above ended with a flush; so did any transactional test before this one.
    assert set(DeadlineRule.objects.values_list("code", flat=True)) == SEEDED_CODES
    assert all(rule.source for rule in DeadlineRule.objects.all())
