"""Giving a person a role in a local area, from the command line and through the service."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from inspections.models import Membership
from inspections.services import grant_role, parse_role
from tests.factories import make_area, make_organisation, make_partner

pytestmark = pytest.mark.django_db

User = get_user_model()
Role = Membership.Role


def run(*args):
    stdout = StringIO()
    call_command("grant_role", *args, stdout=stdout)
    return stdout.getvalue().strip()


def state():
    """Everything grant_role can write: users, memberships and membership history."""
    return {
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "history": Membership.history.count(),
    }


@pytest.fixture
def area(db):
    return make_area(slug="worcestershire")


@pytest.fixture
def council(area):
    council = make_organisation(slug="worcestershire-county-council")
    make_partner(area=area, organisation=council)
    return council


# The command


def test_it_creates_a_user_with_no_usable_password_and_a_membership(area, council):
    assert not User.objects.filter(username="j.smith").exists()
    assert Membership.objects.count() == 0

    output = run(
        "j.smith",
        "worcestershire",
        "officer",
        "--organisation",
        "worcestershire-county-council",
        "--email",
        "j.smith@example.org",
        "--first-name",
        "Jo",
        "--last-name",
        "Smith",
    )

    assert output == "j.smith (new user) is now officer in Worcestershire."
    user = User.objects.get(username="j.smith")
    assert not user.has_usable_password()
    assert (user.email, user.first_name, user.last_name) == ("j.smith@example.org", "Jo", "Smith")
    assert not user.is_staff
    assert not user.is_superuser
    membership = Membership.objects.get(user=user)
    assert (membership.area, membership.role, membership.organisation) == (
        area,
        Role.OFFICER,
        council,
    )
    created = membership.history.get()
    assert created.history_type == "+"
    assert created.history_change_reason == "Role granted from the command line"
    assert created.history_user is None


def test_it_gives_an_existing_user_a_role_without_touching_their_password(area):
    user = User.objects.create_user(username="j.smith", password="their-own-long-password")
    assert Membership.objects.filter(user=user).count() == 0

    output = run("j.smith", "worcestershire", "board-member")

    assert output == "j.smith is now board member in Worcestershire."
    user.refresh_from_db()
    assert user.check_password("their-own-long-password")
    assert User.objects.count() == 1
    assert Membership.objects.get(user=user).role == Role.BOARD_MEMBER


def test_it_changes_the_role_and_records_the_reason(area):
    run("j.smith", "worcestershire", "officer")
    membership = Membership.objects.get(user__username="j.smith")
    assert membership.role == Role.OFFICER
    assert membership.history.count() == 1

    output = run(
        "j.smith", "worcestershire", "area-administrator", "--reason", "Now runs the board"
    )

    assert output == "j.smith is now area administrator in Worcestershire (role changed)."
    membership.refresh_from_db()
    assert membership.role == Role.AREA_ADMIN
    assert Membership.objects.count() == 1
    assert User.objects.count() == 1
    assert membership.history.count() == 2
    newest = membership.history.order_by("-history_date", "-history_id").first()
    assert newest.history_type == "~"
    assert newest.role == Role.AREA_ADMIN
    assert newest.history_change_reason == "Now runs the board"


def test_it_changes_nothing_when_the_role_is_already_held(area, council):
    args = ("j.smith", "worcestershire", "officer", "--organisation", council.slug)
    run(*args)
    before = state()
    assert before == {"users": 1, "memberships": 1, "history": 1}

    output = run(*args)

    assert output == "j.smith was already officer in Worcestershire; nothing changed."
    assert "nothing changed" in output
    assert state() == before


def test_it_records_a_change_of_organisation_even_when_the_role_is_the_same(area, council):
    health = make_organisation(slug="worcestershire-icb")
    make_partner(area=area, organisation=health)
    run("j.smith", "worcestershire", "officer", "--organisation", council.slug)

    output = run("j.smith", "worcestershire", "officer", "--organisation", health.slug)

    assert output == (
        "j.smith is still officer in Worcestershire, now for Worcestershire Icb "
        "(organisation changed)."
    )
    membership = Membership.objects.get(user__username="j.smith")
    assert membership.organisation == health
    assert membership.history.count() == 2


def test_leaving_out_the_organisation_keeps_the_one_held(area, council):
    run("j.smith", "worcestershire", "officer", "--organisation", council.slug)

    output = run("j.smith", "worcestershire", "board-member")

    assert output == "j.smith is now board member in Worcestershire (role changed)."
    membership = Membership.objects.get(user__username="j.smith")
    assert (membership.role, membership.organisation) == (Role.BOARD_MEMBER, council)
    assert run("j.smith", "worcestershire", "board-member") == (
        "j.smith was already board member in Worcestershire; nothing changed."
    )


@pytest.mark.parametrize(
    ("alias", "role", "label"),
    [
        ("board-member", Role.BOARD_MEMBER, "board member"),
        ("board_member", Role.BOARD_MEMBER, "board member"),
        ("Board-Member", Role.BOARD_MEMBER, "board member"),
        ("officer", Role.OFFICER, "officer"),
        ("OFFICER", Role.OFFICER, "officer"),
        ("area-administrator", Role.AREA_ADMIN, "area administrator"),
        ("area-admin", Role.AREA_ADMIN, "area administrator"),
        ("area_admin", Role.AREA_ADMIN, "area administrator"),
    ],
)
def test_it_understands_each_way_of_writing_a_role(area, alias, role, label):
    assert not Membership.objects.exists()

    output = run("j.smith", "worcestershire", alias)

    assert output == f"j.smith (new user) is now {label} in Worcestershire."
    assert Membership.objects.get(user__username="j.smith").role == role


def test_it_gives_one_membership_per_area(area):
    make_area(slug="herefordshire")
    run("j.smith", "worcestershire", "officer")

    output = run("j.smith", "herefordshire", "board-member")

    assert output == "j.smith is now board member in Herefordshire."
    user = User.objects.get(username="j.smith")
    roles = dict(Membership.objects.filter(user=user).values_list("area__slug", "role"))
    assert roles == {"worcestershire": Role.OFFICER, "herefordshire": Role.BOARD_MEMBER}

    run("j.smith", "herefordshire", "area-admin")

    roles = dict(Membership.objects.filter(user=user).values_list("area__slug", "role"))
    assert roles == {"worcestershire": Role.OFFICER, "herefordshire": Role.AREA_ADMIN}


# What the command refuses


def test_it_refuses_an_unknown_role_and_writes_nothing(area):
    before = state()

    with pytest.raises(CommandError) as error:
        run("j.smith", "worcestershire", "chair")

    assert str(error.value) == (
        "“chair” is not a role. Use board-member, officer, area-administrator or forum."
    )
    assert state() == before
    assert not User.objects.filter(username="j.smith").exists()


def test_it_refuses_an_unknown_area_and_lists_the_known_ones(area):
    make_area(slug="herefordshire")
    before = state()

    with pytest.raises(CommandError) as error:
        run("j.smith", "worcestershre", "officer")

    assert str(error.value) == (
        "There is no local area “worcestershre”. Areas: herefordshire, worcestershire."
    )
    assert state() == before


def test_it_says_there_are_no_areas_yet(db):
    with pytest.raises(CommandError) as error:
        run("j.smith", "worcestershire", "officer")

    assert str(error.value) == "There is no local area “worcestershire”. Areas: none yet."
    assert state() == {"users": 0, "memberships": 0, "history": 0}


def test_it_refuses_an_unknown_organisation(area, council):
    before = state()

    with pytest.raises(CommandError) as error:
        run("j.smith", "worcestershire", "officer", "--organisation", "nobody-at-all")

    assert str(error.value) == "There is no organisation “nobody-at-all”."
    assert state() == before


def test_it_refuses_an_organisation_that_is_not_a_partner_of_the_area(area, council):
    make_area(slug="herefordshire")
    before = state()

    with pytest.raises(CommandError) as error:
        run("j.smith", "herefordshire", "officer", "--organisation", council.slug)

    assert str(error.value) == "Worcestershire County Council is not a partner in Herefordshire."
    assert state() == before


def test_it_refuses_a_bad_organisation_without_changing_an_existing_role(area, council):
    run("j.smith", "worcestershire", "officer")
    before = state()

    with pytest.raises(CommandError):
        run("j.smith", "worcestershire", "area-admin", "--organisation", "nobody-at-all")

    assert state() == before
    assert Membership.objects.get(user__username="j.smith").role == Role.OFFICER


# The service


def test_parse_role_reads_aliases_and_rejects_anything_else():
    assert parse_role(" Board member ") == Role.BOARD_MEMBER
    assert parse_role("area-administrator") == Role.AREA_ADMIN
    assert parse_role("lead-officer") == Role.OFFICER
    assert parse_role("chair") is None
    assert parse_role("") is None


def test_the_service_records_who_granted_the_role_and_why(area, council):
    granter = User.objects.create_superuser(username="root", password="a-long-test-password")

    membership, user_created, what = grant_role(
        username="j.smith",
        area=area,
        role=Role.OFFICER,
        organisation=council,
        by=granter,
        reason="Joined the SEND team",
    )

    assert (user_created, what) == (True, "created")
    assert membership.pk is not None
    assert not membership.user.has_usable_password()
    created = membership.history.get()
    assert created.history_user == granter
    assert created.history_change_reason == "Joined the SEND team"


def test_the_service_changes_and_then_leaves_alone(area, council):
    grant_role(username="j.smith", area=area, role=Role.OFFICER, reason="Joined")
    before = state()

    _, user_created, what = grant_role(
        username="j.smith", area=area, role=Role.BOARD_MEMBER, reason="Joined the board"
    )

    assert (user_created, what) == (False, "role changed")
    assert state() == {**before, "history": before["history"] + 1}
    newest = Membership.history.order_by("-history_date", "-history_id").first()
    assert newest.history_change_reason == "Joined the board"
    assert newest.role == Role.BOARD_MEMBER

    after_change = state()
    _, user_created, what = grant_role(
        username="j.smith", area=area, role=Role.BOARD_MEMBER, reason="Asked twice"
    )

    assert (user_created, what) == (False, "unchanged")
    assert state() == after_change
    assert not Membership.history.filter(history_change_reason="Asked twice").exists()
