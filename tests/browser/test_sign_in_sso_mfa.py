"""An officer signs in with single sign-on, and with a password and a code, in a real browser.

Single sign-on runs against a real OpenID Connect provider in its own process
(tests/oidc_provider.py): Chromium goes from the portal's sign-in page to the
provider's page, chooses the officer there, and comes back signed in. The
two-step rule is on (officers must use it), as it is by default in production.
axe-core checks each new page on the way.
"""

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import expect

from tests.oidc_provider import (
    OFFICER,
    PROVIDER_NAME,
    STRANGER,
    oidc_provider,  # noqa: F401 - a fixture
    single_sign_on,  # noqa: F401 - a fixture
)

from .conftest import PASSWORD, describe_violations, run_axe


def totp(secret, at=None):
    """The code an authenticator app shows now for ``secret`` (RFC 6238)."""
    key = base64.b32decode(secret, casefold=True)
    counter = int(time.time() if at is None else at) // 30
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


@pytest.fixture(autouse=True)
def _rule_on(settings):
    settings.PORTAL_MFA_REQUIRED_ROLES = ["officer", "area_admin"]
    # A code typed just as the app moves on to the next one is still taken.
    settings.MFA_TOTP_TOLERANCE = 1


def assert_accessible(page, where):
    violations = run_axe(page)
    assert not violations, "\n".join(describe_violations(where, violations))


def test_an_officer_signs_in_with_single_sign_on(page, live_server, cast, single_sign_on):  # noqa: F811
    cast.officer.email = OFFICER.claims["email"]
    cast.officer.save()

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name=PROVIDER_NAME).click()
    # The provider's own page: choose who signs in.
    expect(page).to_have_url(re.compile(re.escape(f"{single_sign_on.url}/oauth2/authorize?")))
    page.get_by_role("button", name=f"Authorize as {OFFICER.sub}").click()

    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert page.url.startswith(f"{live_server.url}/board/")
    expect(page.locator("h1")).not_to_have_text("Set up two-step sign-in")
    expect(page.get_by_role("link", name="My to-do")).to_be_visible()


def test_someone_without_an_account_is_told_who_to_ask(page, live_server, cast, single_sign_on):  # noqa: F811
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name=PROVIDER_NAME).click()
    page.get_by_role("button", name=f"Authorize as {STRANGER.sub}").click()

    expect(page.locator("h1")).to_have_text(
        "Your organisation’s account is not linked to the portal"
    )
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    assert_accessible(page, "not linked page")


def test_an_officer_signs_in_with_a_password_and_a_code(page, live_server, cast):
    secret = generate_totp_secret()
    TOTP.activate(cast.officer, secret)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(cast.officer.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.locator("h1")).to_have_text("Enter your two-step sign-in code")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    assert_accessible(page, "code page")
    page.get_by_label("Enter your two-step sign-in code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not right")
    assert_accessible(page, "code page with an error")

    page.get_by_label("Enter your two-step sign-in code").fill(totp(secret))
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_role("link", name="My to-do")).to_be_visible()


def test_an_officer_is_asked_to_set_up_two_step_sign_in_and_does(page, live_server, cast):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(cast.officer.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.locator("h1")).to_have_text("Set up two-step sign-in")
    assert_accessible(page, "set up two-step sign-in page")
    page.get_by_role("button", name="Set up an authenticator app").click()

    expect(page.locator("h1")).to_have_text("Set up an authenticator app")
    assert_accessible(page, "authenticator app page")
    page.get_by_text("I cannot scan the QR code").click()
    secret = page.locator("#authenticator_secret").inner_text().strip()
    page.get_by_label("Code from the app").fill(totp(secret))
    page.get_by_role("button", name="Turn on two-step sign-in").click()

    expect(page.locator("h1")).to_have_text("Your recovery codes")
    assert_accessible(page, "recovery codes page")
    expect(page.locator("#recovery_codes li")).to_have_count(10)
    page.get_by_role("button", name="I have kept my codes – continue").click()

    expect(page.get_by_role("link", name="My to-do")).to_be_visible()
    assert Authenticator.objects.filter(user=cast.officer, type="totp").exists()
