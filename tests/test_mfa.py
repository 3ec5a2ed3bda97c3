"""Two-step sign-in: who must set it up, setting it up, and signing in with it.

PORTAL_MFA_REQUIRED_ROLES says which roles must use two-step sign-in (or single
sign-on): officers and area administrators by default, and superusers always
while the list is not empty. Tests elsewhere run with it off (tests/conftest.py);
here it is on unless a test says otherwise.

The codes are worked out here from the secret the portal shows, by RFC 6238
(the authenticator app's sum), not by the portal's own code. A test clock
stands in for the time in django-allauth's code check, so each sign-in can use
a fresh code without waiting.
"""

import base64
import hashlib
import hmac
import re
import struct
import time
import types

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal import auth as totp_auth
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.cache import cache
from django.urls import reverse

from inspections.models import Membership

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # tests/cast.py's
SET_UP = "Set up two-step sign-in"


def totp(secret, at):
    """The 6-digit code an authenticator app shows for ``secret`` at time ``at`` (RFC 6238)."""
    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


class Clock:
    """The time django-allauth checks codes against; each tick is the next 30 seconds."""

    def __init__(self):
        self.now = time.time()

    def time(self):
        return self.now

    def tick(self):
        self.now += 30


@pytest.fixture(autouse=True)
def _rule_on_and_fresh_counts(settings):
    settings.PORTAL_MFA_REQUIRED_ROLES = ["officer", "area_admin"]
    cache.clear()  # used codes, rate limits and the account slow-down
    yield
    cache.clear()


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(totp_auth, "time", types.SimpleNamespace(time=clock.time))
    return clock


def sign_in(client, username, password=PASSWORD, **query):
    url = reverse("login")
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return client.post(url, {"username": username, "password": password})


def signed_in(client):
    return SESSION_KEY in client.session


def set_up_app(client, clock):
    """Set up an authenticator app as the person would: read the key, enter the code."""
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = re.search(r'<code id="authenticator_secret">([A-Z2-7=]+)</code>', page.text).group(1)
    response = client.post(reverse("mfa_activate_totp"), {"code": totp(secret, clock.now)})
    assert response.status_code == 302, response.text[:2000]
    return secret, response


def unused_recovery_codes(client):
    page = client.get(reverse("mfa_view_recovery_codes"))
    return re.findall(r"<li><code>(\d+)</code></li>", page.text)


# Who must set it up


@pytest.mark.parametrize("who", ["officer", "area_admin"])
def test_officers_and_area_administrators_must_set_it_up_after_a_password(client, cast, who):
    user = getattr(cast, who)
    response = sign_in(client, user.username)
    assert response.status_code == 302
    assert signed_in(client)

    for url in ("/board/", "/board/testshire/", reverse("password_change"), "/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == reverse("mfa_index"), url
    response = client.post("/board/testshire/", {})
    assert response.url == reverse("mfa_index")

    page = client.get(reverse("mfa_index"))
    assert page.status_code == 200
    assert f'<h1 class="govuk-heading-l">{SET_UP}</h1>' in page.text
    assert "You need to set it up before you can carry on" in page.text
    assert f"<title>{SET_UP} – SEND Improvement Portal</title>" in page.text


def test_while_setting_it_up_they_can_still_sign_out(client, cast):
    sign_in(client, cast.officer.username)
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert not signed_in(client)


@pytest.mark.parametrize("role", [Membership.Role.BOARD_MEMBER, Membership.Role.FORUM])
def test_board_members_and_forum_representatives_need_not(client, cast, role):
    user = get_user_model().objects.create_user(username="pat", password=PASSWORD)
    Membership.objects.create(user=user, area=cast.area, role=role)
    sign_in(client, "pat")
    response = client.get("/board/")
    assert response.status_code in (200, 302)
    assert response.get("Location", "") != reverse("mfa_index")
    page = client.get(reverse("mfa_index"))
    assert '<h1 class="govuk-heading-l">Two-step sign-in</h1>' in page.text
    assert SET_UP not in page.text


def test_with_the_setting_off_nobody_must(client, cast, settings):
    settings.PORTAL_MFA_REQUIRED_ROLES = []
    root = get_user_model().objects.create_superuser(
        username="root", email="root@example.org", password=PASSWORD
    )
    sign_in(client, cast.officer.username)
    assert client.get("/board/testshire/").status_code == 200
    client.post(reverse("logout"))
    sign_in(client, root.username)
    assert client.get("/admin/").status_code == 200


def test_a_superuser_must_set_it_up_before_using_the_admin_site(client, db):
    get_user_model().objects.create_superuser(
        username="root", email="root@example.org", password=PASSWORD
    )
    sign_in(client, "root")
    for url in ("/admin/", "/admin/auth/user/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == reverse("mfa_index")


def test_the_roles_setting_may_name_board_members_too(client, cast, settings):
    settings.PORTAL_MFA_REQUIRED_ROLES = ["board_member"]
    sign_in(client, cast.board_member.username)
    assert client.get("/board/").url == reverse("mfa_index")


# Setting it up


# allauth says an app was added once its transaction commits; only then does the
# session count as having proven the second step. So this test commits for real.
@pytest.mark.django_db(transaction=True)
def test_an_officer_sets_up_an_authenticator_app_and_gets_recovery_codes(client, cast, clock):
    sign_in(client, cast.officer.username)

    _, response = set_up_app(client, clock)

    assert response.url == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(user=cast.officer, type="totp").exists()
    codes = unused_recovery_codes(client)
    assert len(codes) == 10
    # The second step is proven for this session: the portal opens.
    assert client.get("/board/testshire/").status_code == 200
    index = client.get(reverse("mfa_index"))
    assert "Set up. You enter a code from your authenticator app" in index.text
    assert "You have 10 unused recovery codes" in index.text


def test_the_setup_page_shows_a_qr_code_and_the_key(client, cast):
    sign_in(client, cast.officer.username)
    page = client.get(reverse("mfa_activate_totp"))
    assert 'src="data:image/svg+xml;base64,' in page.text
    assert 'alt="QR code to scan with your authenticator app"' in page.text
    assert re.search(r'<code id="authenticator_secret">[A-Z2-7=]{32}</code>', page.text)


def test_a_wrong_code_does_not_set_it_up(client, cast, clock):
    sign_in(client, cast.officer.username)
    page = client.get(reverse("mfa_activate_totp"))
    secret = re.search(r'<code id="authenticator_secret">([A-Z2-7=]+)</code>', page.text).group(1)
    wrong = f"{(int(totp(secret, clock.now)) + 1) % 1_000_000:06d}"

    response = client.post(reverse("mfa_activate_totp"), {"code": wrong})

    assert response.status_code == 200
    assert "The code is not right" in response.text
    assert "govuk-error-summary" in response.text
    assert response.text.count("<title>Error: Set up an authenticator app") == 1
    assert not Authenticator.objects.filter(user=cast.officer).exists()
    assert client.get("/board/").url == reverse("mfa_index")


# Signing in with it


def test_the_next_sign_in_asks_for_a_code_from_the_app(client, cast, clock):
    sign_in(client, cast.officer.username)
    secret, _ = set_up_app(client, clock)
    client.post(reverse("logout"))
    clock.tick()

    response = sign_in(client, cast.officer.username, next="/board/testshire/")

    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert not signed_in(client)  # not until the second step
    page = client.get(response.url)
    assert "Enter your two-step sign-in code" in page.text
    assert 'autocomplete="one-time-code"' in page.text

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "The code is not right" in wrong.text
    assert not signed_in(client)

    response = client.post(reverse("mfa_authenticate"), {"code": totp(secret, clock.now)})
    assert response.status_code == 302
    assert response.url == "/board/testshire/"
    assert signed_in(client)
    assert client.get("/board/testshire/").status_code == 200


def test_a_code_works_only_once(client, cast, clock):
    sign_in(client, cast.officer.username)
    secret, _ = set_up_app(client, clock)
    client.post(reverse("logout"))
    clock.tick()
    code = totp(secret, clock.now)
    sign_in(client, cast.officer.username)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    client.post(reverse("logout"))

    sign_in(client, cast.officer.username)
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 200
    assert not signed_in(client)


def test_a_recovery_code_works_once(client, cast, clock):
    sign_in(client, cast.officer.username)
    set_up_app(client, clock)
    recovery = unused_recovery_codes(client)[0]
    client.post(reverse("logout"))

    sign_in(client, cast.officer.username)
    response = client.post(reverse("mfa_authenticate"), {"code": recovery})
    assert response.status_code == 302
    assert signed_in(client)
    assert recovery not in unused_recovery_codes(client)
    assert len(unused_recovery_codes(client)) == 9
    client.post(reverse("logout"))

    sign_in(client, cast.officer.username)
    response = client.post(reverse("mfa_authenticate"), {"code": recovery})
    assert response.status_code == 200
    assert "The code is not right" in response.text
    assert not signed_in(client)


def test_a_board_member_who_set_it_up_is_asked_for_the_code_too(client, cast, clock):
    sign_in(client, cast.board_member.username)
    secret, _ = set_up_app(client, clock)
    client.post(reverse("logout"))
    clock.tick()

    response = sign_in(client, cast.board_member.username)

    assert response.url == reverse("mfa_authenticate")
    assert not signed_in(client)
    client.post(reverse("mfa_authenticate"), {"code": totp(secret, clock.now)})
    assert signed_in(client)


def test_someone_who_must_use_it_cannot_turn_off_their_only_app(client, cast, clock):
    sign_in(client, cast.officer.username)
    set_up_app(client, clock)

    page = client.get(reverse("mfa_deactivate_totp"))
    assert "You cannot turn this off" in page.text
    client.post(reverse("mfa_deactivate_totp"))

    assert Authenticator.objects.filter(user=cast.officer, type="totp").exists()


def test_the_admin_sites_own_form_cannot_skip_the_second_step(client, db, clock):
    root = get_user_model().objects.create_superuser(
        username="root", email="root@example.org", password=PASSWORD
    )
    sign_in(client, "root")
    set_up_app(client, clock)
    client.post(reverse("logout"))

    # Django's admin login form checks the password only ...
    response = client.post(
        reverse("admin:login") + "?next=/admin/", {"username": "root", "password": PASSWORD}
    )
    assert response.status_code == 302
    # ... so the session it made is signed out before it reaches anything.
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not signed_in(client)
    assert root.is_superuser


# The other two-step sign-in pages


def test_every_two_step_page_opens_in_the_portals_layout(client, cast, clock):
    sign_in(client, cast.officer.username)
    set_up_app(client, clock)
    urls = [
        reverse("mfa_index"),
        reverse("mfa_view_recovery_codes"),
        reverse("mfa_generate_recovery_codes"),
        reverse("mfa_deactivate_totp"),
        reverse("mfa_add_webauthn"),
        reverse("mfa_list_webauthn"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "govuk-template" in response.text, url
        assert "Sign out" in response.text, url
        assert "GOV.UK" not in response.text, url
        assert response.text.count("<h1") == 1, url


def test_long_after_signing_in_the_password_is_asked_for_again(client, cast, monkeypatch):
    from send_portal import sso

    sign_in(client, cast.officer.username)
    later = time.time() + 600
    monkeypatch.setattr(sso, "time", types.SimpleNamespace(time=lambda: later))

    response = client.get(reverse("mfa_activate_totp"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    page = client.get(response.url)
    assert page.status_code == 200
    assert 'name="password"' in page.text
    assert "govuk-input" in page.text
    response = client.post(response.url, {"password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    assert client.get(response.url).status_code == 200


@pytest.mark.django_db
def test_the_board_menu_offers_two_step_sign_in_to_everyone_signed_in(client, cast):
    client.force_login(cast.board_member)
    page = client.get(reverse("board:home"), follow=True).content.decode()
    assert f'href="{reverse("mfa_index")}">Two-step sign-in</a>' in page
