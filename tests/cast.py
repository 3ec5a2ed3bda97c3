"""The shared cast for board tests: who is who, and what each may do.

Area A (Testshire) has:
- ``officer``: may approve, return and publish updates and edit records;
- ``board_member``: may draft and submit updates on the area's actions;
- ``area_admin``: everything an officer may, and manages memberships;
- ``second_board_member`` and ``second_officer``: the same roles as the
  first two, so rules about whose update it is (the author may edit it, an
  officer may not approve their own) are tested between two people with the
  same role.
Area B (Otherton) has ``outsider``, a board member there with no role in A.
``action`` is an action in area A's plan; ``other_action`` one in area B's.
"""

from types import SimpleNamespace

from django.contrib.auth import get_user_model

from inspections.models import Inspection, Membership
from tests.factories import (
    make_action,
    make_area,
    make_finding,
    make_inspection,
    make_organisation,
    make_partner,
    make_plan,
)


def make_user(username, *, first_name="", last_name=""):
    return get_user_model().objects.create_user(
        username=username,
        password="correct horse battery",
        first_name=first_name,
        last_name=last_name,
    )


def make_area_with_plan(*, slug, name):
    area = make_area(slug=slug, name=name)
    council = make_organisation(slug=f"{slug}-council", name=f"{name} Council")
    make_partner(area=area, organisation=council)
    inspection = make_inspection(
        area=area,
        start="2024-03-04",
        received="2024-05-16",
        published="2024-05-20",
        outcome=Inspection.Outcome.WSOA_REQUIRED,
    )
    finding = make_finding(inspection=inspection, number=1, text=f"{name} weakness one")
    plan = make_plan(inspection=inspection, findings=[finding])
    action = make_action(
        plan=plan, finding=finding, lead=council, ref="1.1", due="2026-03-31", start="2024-09-01"
    )
    return area, council, plan, action


def make_cast():
    area, council, plan, action = make_area_with_plan(slug="testshire", name="Testshire")
    other_area, _, other_plan, other_action = make_area_with_plan(slug="otherton", name="Otherton")
    officer = make_user("olivia", first_name="Olivia", last_name="Officer")
    board_member = make_user("bilal", first_name="Bilal", last_name="Board")
    area_admin = make_user("ada", first_name="Ada", last_name="Admin")
    outsider = make_user("oscar", first_name="Oscar", last_name="Outsider")
    second_board_member = make_user("beth", first_name="Beth", last_name="Board")
    second_officer = make_user("omar", first_name="Omar", last_name="Officer")
    Membership.objects.create(user=officer, area=area, role=Membership.Role.OFFICER)
    Membership.objects.create(user=board_member, area=area, role=Membership.Role.BOARD_MEMBER)
    Membership.objects.create(user=area_admin, area=area, role=Membership.Role.AREA_ADMIN)
    Membership.objects.create(user=outsider, area=other_area, role=Membership.Role.BOARD_MEMBER)
    Membership.objects.create(
        user=second_board_member, area=area, role=Membership.Role.BOARD_MEMBER
    )
    Membership.objects.create(user=second_officer, area=area, role=Membership.Role.OFFICER)
    action.lead_officer = board_member
    action.save()
    return SimpleNamespace(
        area=area,
        council=council,
        plan=plan,
        action=action,
        other_area=other_area,
        other_plan=other_plan,
        other_action=other_action,
        officer=officer,
        board_member=board_member,
        area_admin=area_admin,
        outsider=outsider,
        second_board_member=second_board_member,
        second_officer=second_officer,
    )


def publish_for_report(cast, **fields):
    """Area A's plan published, and one published update on its action: a public report's
    smallest content. ``fields`` change the update's."""
    import datetime

    from actions.models import Plan
    from progress.models import ProgressUpdate

    # Only a plan that is no longer being written can have a public report.
    cast.plan.status = Plan.Status.PUBLISHED
    cast.plan.save()
    return ProgressUpdate.objects.create(
        **{
            "action": cast.action,
            "period_start": datetime.date(2025, 4, 1),
            "period_end": datetime.date(2025, 6, 30),
            "delivery_status": "on_track",
            "impact_status": "some_evidence",
            "public_summary": "Families now get a named contact.",
            "author": cast.board_member,
            "state": "published",
            "publish_at": datetime.datetime(2025, 7, 10, tzinfo=datetime.UTC),
            **fields,
        }
    )
