"""Single sign-on with OpenID Connect, against a real provider in its own process.

The whole authorization code flow runs over real HTTP: the portal reads the
provider's discovery document, sends the browser (here, the test client) to its
authorization page with a state and a PKCE challenge, the person is chosen on
that page (with requests, as a browser would post it), and the portal exchanges
the code at the provider's token endpoint, reads the user info and checks the ID
token's issuer, audience and expiry (django-allauth).

Single sign-on signs in only people who already have an account, and a session
signed in that way is not asked to set up two-step sign-in.
"""

import pytest
from allauth.account.authentication import get_authentication_records
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY, get_user_model
from django.urls import reverse

from tests.oidc_provider import (
    OFFICER,
    PROVIDER_ID,
    PROVIDER_NAME,
    STRANGER,
    UNVERIFIED,
    oidc_provider,  # noqa: F401 - a fixture
    single_sign_on,  # noqa: F401 - a fixture
)

pytestmark = pytest.mark.django_db

NOT_LINKED = "Your organisation’s account is not linked to the portal"


@pytest.fixture
def officer(cast):
    cast.officer.email = OFFICER.claims["email"]
    cast.officer.save()
    return cast.officer


@pytest.fixture
def mfa_required(settings):
    settings.PORTAL_MFA_REQUIRED_ROLES = ["officer", "area_admin"]


def start(client, provider, next_url=None):
    """Press the sign-in page's single sign-on button: the way to the provider's page."""
    data = {"process": "login"}
    if next_url:
        data["next"] = next_url
    response = client.post(
        reverse("openid_connect_login", kwargs={"provider_id": PROVIDER_ID}), data
    )
    assert response.status_code == 302
    assert response.url.startswith(f"{provider.url}/oauth2/authorize?")
    return response.url


def sso_sign_in(client, provider, person, next_url=None):
    """The whole flow: the portal, the provider's page, and back to the portal."""
    back = provider.authorize(start(client, provider, next_url), person)
    assert back.startswith("http://testserver/accounts/oidc/testidp/login/callback/?")
    return client.get(back.removeprefix("http://testserver"))


def signed_in_user(client):
    pk = client.session.get(SESSION_KEY)
    return get_user_model().objects.get(pk=pk) if pk else None


def test_the_sign_in_page_has_no_single_sign_on_unless_it_is_set_up(client):
    response = client.get(reverse("login"))
    assert PROVIDER_NAME not in response.text
    assert "/accounts/oidc/" not in response.text


def test_the_sign_in_page_offers_single_sign_on_when_set_up(client, single_sign_on):  # noqa: F811
    response = client.get(reverse("login") + "?next=/board/")
    assert response.status_code == 200
    action = reverse("openid_connect_login", kwargs={"provider_id": PROVIDER_ID})
    assert f'action="{action}"' in response.text
    assert f">{PROVIDER_NAME}</button>" in response.text
    assert "Or sign in with a username and password" in response.text


def test_the_portal_asks_the_provider_for_a_code_with_pkce(client, single_sign_on):  # noqa: F811
    url = start(client, single_sign_on)
    assert "response_type=code" in url
    assert "code_challenge=" in url and "code_challenge_method=S256" in url
    assert "state=" in url
    assert "client_id=send-portal-test" in url


def test_an_officer_signs_in_with_single_sign_on(
    client,
    single_sign_on,  # noqa: F811
    officer,
    mfa_required,
):
    response = sso_sign_in(client, single_sign_on, OFFICER, next_url="/board/")

    assert response.status_code == 302
    assert response.url == "/board/"
    assert signed_in_user(client) == officer
    # The session is exempt from the two-step rule: the organisation's sign-in asks for it.
    board = client.get("/board/", follow=True)
    assert board.status_code == 200
    assert board.redirect_chain[-1][0] == "/board/testshire/"
    assert "Set up two-step sign-in" not in board.text
    # The provider's account is now linked to the officer's, by its subject.
    link = SocialAccount.objects.get(user=officer)
    assert (link.provider, link.uid) == (PROVIDER_ID, OFFICER.sub)


def test_the_session_records_that_it_signed_in_with_single_sign_on(
    client,
    rf,
    single_sign_on,  # noqa: F811
    officer,
):
    sso_sign_in(client, single_sign_on, OFFICER)
    request = rf.get("/")
    request.session = client.session
    records = get_authentication_records(request, officer)
    assert [record["method"] for record in records] == ["socialaccount"]
    assert records[0]["provider"] == PROVIDER_ID
    assert records[0]["uid"] == OFFICER.sub


def test_a_linked_person_signs_in_without_the_email_being_trusted(
    client,
    settings,
    single_sign_on,  # noqa: F811
    officer,
):
    SocialAccount.objects.create(user=officer, provider=PROVIDER_ID, uid=OFFICER.sub)
    settings.OIDC_TRUST_EMAIL = False
    officer.email = "changed@example.org"
    officer.save()

    response = sso_sign_in(client, single_sign_on, OFFICER)

    assert response.status_code == 302
    assert signed_in_user(client) == officer


def test_an_unlinked_person_is_refused_when_emails_are_not_trusted(
    client,
    settings,
    single_sign_on,  # noqa: F811
    officer,
):
    settings.OIDC_TRUST_EMAIL = False
    response = sso_sign_in(client, single_sign_on, OFFICER)
    assert response.status_code == 403
    assert NOT_LINKED in response.text
    assert signed_in_user(client) is None
    assert not SocialAccount.objects.exists()


def test_an_unknown_person_is_refused_and_no_account_is_made(
    client,
    single_sign_on,  # noqa: F811
    officer,
):
    users = get_user_model().objects.count()

    response = sso_sign_in(client, single_sign_on, STRANGER)

    assert response.status_code == 403
    assert NOT_LINKED in response.text
    assert "Ask your area’s portal administrator to add you" in response.text
    assert signed_in_user(client) is None
    assert get_user_model().objects.count() == users
    assert not SocialAccount.objects.exists()


def test_an_address_the_provider_says_is_unverified_is_not_trusted(
    client,
    single_sign_on,  # noqa: F811
    officer,
):
    response = sso_sign_in(client, single_sign_on, UNVERIFIED)
    assert response.status_code == 403
    assert signed_in_user(client) is None


def test_an_address_two_accounts_share_matches_neither(
    client,
    single_sign_on,  # noqa: F811
    officer,
):
    get_user_model().objects.create_user(username="olu2", email=OFFICER.claims["email"].upper())
    response = sso_sign_in(client, single_sign_on, OFFICER)
    assert response.status_code == 403
    assert signed_in_user(client) is None


def test_a_deactivated_account_cannot_sign_in_with_single_sign_on(
    client,
    single_sign_on,  # noqa: F811
    officer,
):
    sso_sign_in(client, single_sign_on, OFFICER)
    client.post(reverse("logout"))
    officer.is_active = False
    officer.save()

    response = sso_sign_in(client, single_sign_on, OFFICER)

    assert response.status_code == 403
    assert signed_in_user(client) is None


def test_a_forged_return_from_the_provider_is_refused(
    client,
    single_sign_on,  # noqa: F811
    officer,
):
    back = single_sign_on.authorize(start(client, single_sign_on), OFFICER)
    forged = back.replace("state=", "state=x")
    response = client.get(forged.removeprefix("http://testserver"))
    assert response.status_code == 401
    assert "you could not sign in with your organisation’s account" in response.text
    assert signed_in_user(client) is None


def test_the_pages_the_portal_does_not_offer_are_not_found(client, officer):
    for path in ("signup/", "email/", "password/set/", "3rdparty/", "3rdparty/signup/"):
        assert client.get(f"/accounts/{path}").status_code == 404, path
    client.force_login(officer)
    for path in ("email/", "password/set/", "3rdparty/"):
        assert client.get(f"/accounts/{path}").status_code == 404, path
