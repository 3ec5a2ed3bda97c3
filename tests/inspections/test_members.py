"""Area administrators choose who has access to their area, and in what role.

Only an area administrator (Can.MANAGE_MEMBERS) may list, add or change the
area's members: officers and board members get 403, people from another
area 404. People are added by the username of an existing account. The area
always keeps at least one administrator.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from inspections.models import Membership
from tests.factories import make_area, make_organisation, make_partner
from tests.html_forms import form_values

pytestmark = pytest.mark.django_db

User = get_user_model()
Role = Membership.Role


def person(username, first="", last=""):
    return User.objects.create_user(username=username, first_name=first, last_name=last)


@pytest.fixture
def area(db):
    return make_area(slug="worcestershire")


@pytest.fixture
def council(area):
    council = make_organisation(slug="worcestershire-county-council")
    make_partner(area=area, organisation=council)
    return council


@pytest.fixture
def admin(area):
    user = person("ada", "Ada", "Admin")
    Membership.objects.create(user=user, area=area, role=Role.AREA_ADMIN)
    return user


@pytest.fixture
def officer(area, council):
    user = person("olive", "Olive", "Officer")
    Membership.objects.create(user=user, area=area, role=Role.OFFICER, organisation=council)
    return user


@pytest.fixture
def board_member(area):
    user = person("bob", "Bob", "Board")
    Membership.objects.create(user=user, area=area, role=Role.BOARD_MEMBER)
    return user


@pytest.fixture
def other_area(db):
    return make_area(slug="otherton")


@pytest.fixture
def other_admin(other_area):
    user = person("otto", "Otto", "Outsider")
    Membership.objects.create(user=user, area=other_area, role=Role.AREA_ADMIN)
    return user


@pytest.fixture
def newcomer(db):
    return person("nina", "Nina", "Newcomer")


def members_url(area):
    return reverse("inspections:members", args=[area.slug])


def add_url(area):
    return reverse("inspections:member-add", args=[area.slug])


def edit_url(area, membership):
    return reverse("inspections:member-edit", args=[area.slug, membership.pk])


def state():
    return (
        list(Membership.objects.order_by("pk").values_list("user__username", "area__slug", "role")),
        Membership.history.count(),
    )


def errors_on(response, name):
    return [str(message) for message in response.context["form"].errors.get(name, [])]


def change_role(client, area, membership, role, reason="Role agreed by the board"):
    page = client.get(edit_url(area, membership))
    assert page.status_code == 200
    data = {**form_values(page.text), "role": role, "change_reason": reason}
    return client.post(edit_url(area, membership), data)


# Listing


def test_an_area_administrator_sees_the_members_with_their_roles(
    client, area, admin, officer, board_member, council, other_admin
):
    client.force_login(admin)
    response = client.get(members_url(area))
    assert response.status_code == 200
    text = response.text
    for name, role in [
        ("Ada Admin", "Area administrator"),
        ("Olive Officer", "Officer"),
        ("Bob Board", "Board member"),
    ]:
        assert name in text
        assert role in text
    assert council.name in text
    assert "Otto Outsider" not in text
    assert add_url(area) in text
    for membership in Membership.objects.filter(area=area):
        assert edit_url(area, membership) in text


# Adding


def test_an_area_administrator_adds_an_existing_person(client, area, admin, council, newcomer):
    client.force_login(admin)
    page = client.get(add_url(area))
    assert page.status_code == 200
    assert "Username" in page.text

    response = client.post(
        add_url(area),
        {
            "username": "nina",
            "role": Role.OFFICER,
            "organisation": str(council.pk),
            "change_reason": "Joined the SEND team",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == members_url(area)
    membership = Membership.objects.get(user=newcomer, area=area)
    assert (membership.role, membership.organisation) == (Role.OFFICER, council)
    created = membership.history.get()
    assert created.history_type == "+"
    assert created.history_user == admin
    assert created.history_change_reason == "Joined the SEND team"


def test_the_new_member_can_then_use_the_area(client, area, admin, newcomer):
    client.force_login(admin)
    client.post(add_url(area), {"username": "nina", "role": Role.BOARD_MEMBER})
    client.force_login(newcomer)
    assert client.get(reverse("board:my-area", args=[area.slug])).status_code == 200


@pytest.mark.parametrize(
    "data, name, message",
    [
        (
            {"username": "nobody", "role": Role.OFFICER},
            "username",
            "There is no one with the username “nobody”. Check the username, or ask a portal "
            "administrator to create their account first.",
        ),
        (
            {"username": "olive", "role": Role.BOARD_MEMBER},
            "username",
            "This person already has a role in this area. Change their role from the list of "
            "members instead.",
        ),
        ({"username": "", "role": Role.OFFICER}, "username", "Enter the username"),
        ({"username": "nina"}, "role", "Select the role"),
        ({"username": "nina", "role": "superuser"}, "role", "Select the role"),
    ],
    ids=["unknown", "already-a-member", "no-username", "no-role", "made-up-role"],
)
def test_adding_someone_explains_what_is_wrong_and_saves_nothing(
    client, area, admin, officer, newcomer, data, name, message
):
    client.force_login(admin)
    before = state()
    response = client.post(add_url(area), data)
    assert response.status_code == 200
    assert errors_on(response, name) == [message]
    assert message in response.text
    assert state() == before


def test_the_organisation_must_be_one_of_the_areas_partners(client, area, admin, newcomer):
    elsewhere = make_organisation(slug="otherton-council")
    client.force_login(admin)
    before = state()
    response = client.post(
        add_url(area),
        {"username": "nina", "role": Role.OFFICER, "organisation": str(elsewhere.pk)},
    )
    assert errors_on(response, "organisation") == [
        "Select one of the area’s partners as the organisation"
    ]
    assert state() == before


def test_someone_in_another_area_can_be_added_to_this_one_too(
    client, area, admin, other_admin, other_area
):
    client.force_login(admin)
    response = client.post(add_url(area), {"username": "otto", "role": Role.BOARD_MEMBER})
    assert response.status_code == 302
    assert Membership.objects.get(user=other_admin, area=other_area).role == Role.AREA_ADMIN
    assert Membership.objects.get(user=other_admin, area=area).role == Role.BOARD_MEMBER


# Changing a role


def test_an_area_administrator_changes_a_role_with_a_reason(client, area, admin, officer):
    membership = Membership.objects.get(user=officer, area=area)
    client.force_login(admin)

    response = change_role(client, area, membership, Role.BOARD_MEMBER)

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.BOARD_MEMBER
    assert membership.organisation is not None  # left as it was
    assert membership.version == 2
    latest = membership.history.order_by("-history_date", "-history_id").first()
    assert (latest.history_user, latest.history_change_reason) == (
        admin,
        "Role agreed by the board",
    )


def test_a_role_change_needs_a_reason(client, area, admin, officer):
    membership = Membership.objects.get(user=officer, area=area)
    client.force_login(admin)
    response = change_role(client, area, membership, Role.BOARD_MEMBER, reason="")
    assert errors_on(response, "change_reason") == ["Enter the reason for this change"]
    membership.refresh_from_db()
    assert membership.role == Role.OFFICER


def test_the_last_area_administrator_cannot_give_up_the_role(client, area, admin, officer):
    membership = Membership.objects.get(user=admin, area=area)
    client.force_login(admin)
    before = state()

    response = change_role(client, area, membership, Role.OFFICER)

    assert response.status_code == 200
    message = (
        "You are the only area administrator, so you cannot change your own role. "
        "Make someone else an area administrator first."
    )
    assert errors_on(response, "role") == [message]
    assert message in response.text
    assert state() == before


def test_an_administrator_may_step_down_once_there_is_another(client, area, admin, officer):
    client.force_login(admin)
    officer_membership = Membership.objects.get(user=officer, area=area)
    assert change_role(client, area, officer_membership, Role.AREA_ADMIN).status_code == 302

    own = Membership.objects.get(user=admin, area=area)
    assert change_role(client, area, own, Role.OFFICER).status_code == 302
    own.refresh_from_db()
    assert own.role == Role.OFFICER
    # Ada is no longer an administrator, so the members pages are closed to her.
    assert client.get(members_url(area)).status_code == 403


def test_another_areas_administrator_does_not_count(client, area, admin, other_admin):
    membership = Membership.objects.get(user=admin, area=area)
    client.force_login(admin)
    response = change_role(client, area, membership, Role.BOARD_MEMBER)
    assert response.status_code == 200
    membership.refresh_from_db()
    assert membership.role == Role.AREA_ADMIN


def test_a_stale_role_change_gets_the_conflict_page(client, area, admin, officer):
    second_admin = person("sam", "Sam", "Second")
    Membership.objects.create(user=second_admin, area=area, role=Role.AREA_ADMIN)
    membership = Membership.objects.get(user=officer, area=area)
    client.force_login(admin)
    stale = form_values(client.get(edit_url(area, membership)).text)
    client.force_login(second_admin)
    assert change_role(client, area, membership, Role.BOARD_MEMBER, reason="Sam").status_code == 302

    client.force_login(admin)
    response = client.post(
        edit_url(area, membership),
        {**stale, "role": Role.AREA_ADMIN, "change_reason": "Ada's promotion"},
    )

    assert response.status_code == 409
    assert "Sam Second changed this while you were editing it" in response.text
    assert response.context["form"]["role"].value() == Role.AREA_ADMIN
    membership.refresh_from_db()
    assert membership.role == Role.BOARD_MEMBER


# Who may


@pytest.mark.parametrize("who", ["officer", "board_member"])
def test_officers_and_board_members_cannot_manage_members(
    client, request, area, admin, officer, board_member, newcomer, who
):
    client.force_login(request.getfixturevalue(who))
    membership = Membership.objects.get(user=admin, area=area)
    before = state()

    assert client.get(members_url(area)).status_code == 403
    assert client.get(add_url(area)).status_code == 403
    assert (
        client.post(add_url(area), {"username": "nina", "role": Role.AREA_ADMIN}).status_code == 403
    )
    assert client.get(edit_url(area, membership)).status_code == 403
    data = {"role": Role.BOARD_MEMBER, "version": "1", "change_reason": "Coup"}
    assert client.post(edit_url(area, membership), data).status_code == 403
    assert state() == before


def test_another_areas_administrator_gets_not_found(client, area, admin, other_admin, newcomer):
    client.force_login(other_admin)
    membership = Membership.objects.get(user=admin, area=area)
    before = state()

    assert client.get(members_url(area)).status_code == 404
    assert client.get(add_url(area)).status_code == 404
    assert (
        client.post(add_url(area), {"username": "nina", "role": Role.AREA_ADMIN}).status_code == 404
    )
    assert client.get(edit_url(area, membership)).status_code == 404
    data = {"role": Role.BOARD_MEMBER, "version": "1", "change_reason": "Takeover"}
    assert client.post(edit_url(area, membership), data).status_code == 404
    assert state() == before


def test_an_administrator_cannot_reach_another_areas_memberships_through_their_own(
    client, area, admin, other_area, other_admin
):
    """Ada administers Worcestershire; Otto's Otherton membership is not found from there."""
    client.force_login(admin)
    elsewhere = Membership.objects.get(user=other_admin, area=other_area)
    before = state()
    assert client.get(edit_url(area, elsewhere)).status_code == 404
    data = {"role": Role.BOARD_MEMBER, "version": "1", "change_reason": "Mine now"}
    assert client.post(edit_url(area, elsewhere), data).status_code == 404
    assert client.get(edit_url(other_area, elsewhere)).status_code == 404
    assert state() == before


def test_visitors_are_sent_to_sign_in(client, area, admin):
    membership = Membership.objects.get(user=admin, area=area)
    for target in (members_url(area), add_url(area), edit_url(area, membership)):
        response = client.get(target)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
