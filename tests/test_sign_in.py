"""Signing in and out, changing and resetting a password, and the lockout.

Signing in goes through client.post, as a person would: client.login()
bypasses the request django-axes needs. Where being signed in is only a
precondition, force_login is enough.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from send_portal.auth_forms import (
    PortalAuthenticationForm,
    PortalPasswordChangeForm,
    PortalPasswordResetForm,
    PortalSetPasswordForm,
)

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "violet-lantern-orchard"
INVALID_LOGIN = "Enter a correct username and password. Both are case-sensitive."
LOCKED_OUT = "You have tried to sign in too many times. Wait 15 minutes, then try again."
TEMPLATES = Path(settings.BASE_DIR) / "templates" / "registration"


@pytest.fixture(autouse=True)
def _fresh_counts():
    # The account slow-down and the reset limits count in the cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user():
    return get_user_model().objects.create_user(
        username="sam.officer", email="sam.officer@example.org", password=PASSWORD
    )


def sign_in(client, username="sam.officer", password=PASSWORD, address="127.0.0.1", **query):
    url = reverse("login")
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client):
    return SESSION_KEY in client.session


def title(response):
    return re.search(r"<title>(.*?)</title>", response.text, re.S).group(1).strip()


def fail(client, times, **kwargs):
    return [sign_in(client, password="wrong-password", **kwargs).status_code for _ in range(times)]


# The sign-in page


def test_sign_in_page(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert title(response) == "Sign in – SEND Improvement Portal"
    assert '<h1 class="govuk-heading-l">Sign in</h1>' in response.text
    assert f'href="{reverse("password_reset")}"' in response.text
    assert "Forgotten your password?" in response.text
    assert 'autocomplete="username"' in response.text
    assert 'autocomplete="current-password"' in response.text
    assert "autofocus" not in response.text
    assert "novalidate" in response.text
    assert response.text.count("csrfmiddlewaretoken") == 1


def test_sign_in_redirects_to_the_board(client, user):
    response = sign_in(client)
    assert response.status_code == 302
    assert response.url == reverse(settings.LOGIN_REDIRECT_URL)
    assert signed_in(client)
    assert int(client.session[SESSION_KEY]) == user.pk


def test_sign_in_goes_to_next(client, user):
    response = sign_in(client, next="/areas/testshire/")
    assert response.status_code == 302
    assert response.url == "/areas/testshire/"


def test_sign_in_keeps_next_in_the_form(client):
    response = client.get(reverse("login") + "?next=/areas/testshire/")
    assert 'name="next" value="/areas/testshire/"' in response.text


def test_sign_in_ignores_next_on_another_site(client, user):
    response = sign_in(client, next="https://evil.example/")
    assert response.status_code == 302
    assert response.url == reverse(settings.LOGIN_REDIRECT_URL)


def test_wrong_password_shows_the_error(client, user):
    response = sign_in(client, password="wrong-password")
    assert response.status_code == 200
    assert not signed_in(client)
    assert "govuk-error-summary" in response.text
    assert "There is a problem" in response.text
    assert INVALID_LOGIN in response.text
    assert title(response) == "Error: Sign in – SEND Improvement Portal"


def test_unknown_username_gets_the_same_error(client, user):
    wrong_password = sign_in(client, password="wrong-password")
    unknown = sign_in(client, username="nobody")
    assert unknown.status_code == 200
    assert wrong_password.context["form"].errors == unknown.context["form"].errors


def test_username_is_case_sensitive(client, user):
    response = sign_in(client, username="Sam.Officer")
    assert response.status_code == 200
    assert not signed_in(client)


def test_blank_fields(client, user):
    response = client.post(reverse("login"), {"username": "", "password": ""})
    assert response.status_code == 200
    assert "Enter your username" in response.text
    assert "Enter your password" in response.text
    assert title(response).startswith("Error: ")
    assert 'href="#id_username"' in response.text
    assert 'href="#id_password"' in response.text


def test_inactive_user_cannot_sign_in(client, user):
    user.is_active = False
    user.save()
    response = sign_in(client)
    assert response.status_code == 200
    assert not signed_in(client)
    assert INVALID_LOGIN in response.text


# Lockout


def test_five_failures_lock_out_even_the_right_password(client, user):
    statuses = fail(client, settings.AXES_FAILURE_LIMIT)
    assert statuses[:-1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    # The attempt that reaches the limit already gets the lockout page.
    assert statuses[-1] == 429
    response = sign_in(client)
    assert response.status_code == 429
    assert not signed_in(client)
    assert LOCKED_OUT in response.text
    assert title(response) == "Too many attempts to sign in – SEND Improvement Portal"
    assert f'href="{reverse("password_reset")}"' in response.text


def test_lockout_locks_the_attackers_address_not_the_account(client, user):
    get_user_model().objects.create_user(username="alex.partner", password=PASSWORD)
    fail(client, settings.AXES_FAILURE_LIMIT, address="10.0.0.1")
    assert sign_in(client, address="10.0.0.1").status_code == 429
    # Every username from the attacker's address is refused.
    assert sign_in(client, username="alex.partner", address="10.0.0.1").status_code == 429

    # The same username from another address still signs in.
    response = sign_in(client, address="10.0.0.2")
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == user.pk


def test_spraying_one_username_from_many_addresses_does_not_lock_it(client, user):
    # An attacker with many addresses, each below the lockout limit.
    for attacker in range(settings.SIGN_IN_SLOWDOWN_AFTER):
        assert fail(client, 1, address=f"10.1.0.{attacker + 1}") == [200]
    # The account is slowed down, not locked: even the right password waits ...
    response = sign_in(client, address="10.9.9.9")
    assert response.status_code == 200
    assert not signed_in(client)
    assert "many failed attempts to sign in to this account" in response.text
    assert "Wait 30 seconds" in response.text
    # ... for a while only.
    import time

    real_time = time.time
    try:
        time.time = lambda: real_time() + settings.SIGN_IN_SLOWDOWN_SECONDS + 1
        response = sign_in(client, address="10.9.9.9")
    finally:
        time.time = real_time
    assert response.status_code == 302
    assert signed_in(client)


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def test_behind_a_proxy_the_visitors_address_is_locked_not_the_proxys(
    client, user, behind_one_proxy
):
    proxy = "172.16.0.2"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": "sam.officer", "password": "wrong-password"},
            REMOTE_ADDR=proxy,
            # What the attacker wrote first is ignored; the proxy appended the real address.
            HTTP_X_FORWARDED_FOR=f"10.0.0.{_ + 50}, 203.0.113.7",
        )
    locked = client.post(
        reverse("login"),
        {"username": "sam.officer", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert locked.status_code == 429
    # The victim, through the same proxy from their own address, signs in.
    response = client.post(
        reverse("login"),
        {"username": "sam.officer", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert response.status_code == 302
    assert signed_in(client)


def test_the_visitors_address_is_read_from_the_right_of_x_forwarded_for(settings, rf):
    from send_portal.security import client_ip

    request = rf.get("/", REMOTE_ADDR="172.16.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "172.16.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.7"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "1.1.1.1"
    settings.TRUSTED_PROXY_COUNT = 3  # fewer entries than proxies: the connection's address
    assert client_ip(request) == "172.16.0.2"
    request = rf.get("/", REMOTE_ADDR="172.16.0.2", HTTP_X_FORWARDED_FOR="not-an-address")
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "172.16.0.2"


def test_a_huge_username_is_a_form_error_not_a_server_error(client, user):
    response = sign_in(client, username="a" * 100_000)
    assert response.status_code == 200
    assert "Your username must be 150 characters or fewer" in response.text


def test_axes_reset_lifts_the_lockout(client, user):
    fail(client, settings.AXES_FAILURE_LIMIT)
    assert sign_in(client).status_code == 429
    call_command("axes_reset", verbosity=0)
    assert sign_in(client).status_code == 302
    assert signed_in(client)


def test_success_resets_the_failure_count(client, user):
    limit = settings.AXES_FAILURE_LIMIT
    assert fail(client, limit - 1) == [200] * (limit - 1)
    assert sign_in(client).status_code == 302
    client.post(reverse("logout"))
    assert fail(client, limit - 1) == [200] * (limit - 1)
    assert sign_in(client).status_code == 302


# Signing out


def test_sign_out(client, user):
    sign_in(client)
    assert signed_in(client)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse(settings.LOGOUT_REDIRECT_URL)
    assert not signed_in(client)


def test_sign_out_needs_post(client, user):
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405
    assert signed_in(client)


# Changing a password


def change_password(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    return client.post(
        reverse("password_change"),
        {
            "old_password": current,
            "new_password1": new,
            "new_password2": new if confirm is None else confirm,
        },
    )


def test_change_password_needs_sign_in(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_change_password_page(client, user):
    client.force_login(user)
    response = client.get(reverse("password_change"))
    assert response.status_code == 200
    assert title(response) == "Change your password – SEND Improvement Portal"
    assert response.text.count('autocomplete="new-password"') == 2
    assert 'autocomplete="current-password"' in response.text
    assert "Use at least 12 characters." in response.text
    assert "autofocus" not in response.text


def test_change_password_blank(client, user):
    client.force_login(user)
    response = change_password(client, current="", new="")
    assert response.status_code == 200
    for message in (
        "Enter your current password",
        "Enter a new password",
        "Confirm your new password",
    ):
        assert message in response.text
    assert title(response).startswith("Error: ")


def test_change_password_wrong_current_password(client, user):
    client.force_login(user)
    response = change_password(client, current="not-my-password")
    assert response.status_code == 200
    assert "Your current password is incorrect" in response.text
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_change_password_mismatch(client, user):
    client.force_login(user)
    response = change_password(client, confirm="violet-lantern-orchards")
    assert response.status_code == 200
    assert response.context["form"].errors == {"new_password2": ["The passwords do not match"]}
    assert "The passwords do not match" in response.text


def test_change_password_too_short(client, user):
    client.force_login(user)
    response = change_password(client, new="short-pw1")
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "new_password1": ["Your new password must be at least 12 characters"]
    }
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_change_password_shows_one_message_per_field(client, user):
    client.force_login(user)
    response = change_password(client, new="1234")  # too short, too common and all numbers
    assert response.context["form"].errors == {
        "new_password1": ["Your new password must be at least 12 characters"]
    }


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("password1234", "Your new password is too common"),
        ("123456789012345", "Your new password must not be only numbers"),
        ("sam.officer-2026", "Your new password is too like your username or email address"),
    ],
)
def test_change_password_other_rules(client, user, new, message):
    client.force_login(user)
    response = change_password(client, new=new)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["new_password1"])


def test_change_password(client, user):
    client.force_login(user)
    response = change_password(client)
    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # Still signed in: the session follows the new password.
    response = client.get(response.url)
    assert response.status_code == 200
    assert "Your password has been changed" in response.text
    assert signed_in(client)
    assert client.get(reverse("password_change")).status_code == 200


# Resetting a forgotten password


def test_reset_page(client):
    response = client.get(reverse("password_reset"))
    assert response.status_code == 200
    assert title(response) == "Reset your password – SEND Improvement Portal"
    assert 'autocomplete="email"' in response.text


def test_reset_email_errors(client):
    response = client.post(reverse("password_reset"), {"email": ""})
    assert "Enter your email address" in response.text
    response = client.post(reverse("password_reset"), {"email": "not-an-address"})
    assert "Enter an email address in the correct format, like name@example.com" in response.text
    assert title(response).startswith("Error: ")
    assert mail.outbox == []


def test_reset_for_a_known_address(client, user):
    response = client.post(reverse("password_reset"), {"email": "Sam.Officer@example.org"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sam.officer@example.org"]
    assert message.subject == "Reset your password for the SEND Improvement Portal"
    assert "sam.officer" in message.body
    assert "expires in 3 days" in message.body
    assert "GOV.UK" not in message.subject + message.body
    assert "&" not in message.body  # plain text, nothing HTML-escaped

    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body).group(1)
    response = client.get(link)
    assert response.status_code == 302  # to the same address with the token hidden
    set_password_url = response.url
    response = client.get(set_password_url)
    assert response.status_code == 200
    assert title(response) == "Choose a new password – SEND Improvement Portal"

    response = client.post(set_password_url, {"new_password1": "short", "new_password2": "shorter"})
    assert response.status_code == 200
    assert "The passwords do not match" in response.text
    assert "Your new password must be at least 12 characters" in response.text

    response = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("password_reset_complete")
    response = client.get(response.url)
    assert "Your password has been changed" in response.text
    assert f'href="{reverse("login")}"' in response.text

    assert sign_in(client, password=PASSWORD).status_code == 200
    assert sign_in(client, password=NEW_PASSWORD).status_code == 302
    assert signed_in(client)

    # The link works once.
    client.post(reverse("logout"))
    response = client.get(link, follow=True)
    assert "This link does not work" in response.text


def test_reset_for_an_unknown_address_looks_the_same(client, user):
    known = client.post(reverse("password_reset"), {"email": "sam.officer@example.org"})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert len(mail.outbox) == 1
    assert unknown.status_code == known.status_code == 302
    assert unknown.url == known.url == reverse("password_reset_done")
    done = client.get(unknown.url)
    assert done.status_code == 200
    assert "Check your email" in done.text
    assert "If a portal account uses the email address you entered" in done.text
    assert "nobody@example.org" not in done.text


def test_reset_sends_nothing_to_an_inactive_user(client, user):
    user.is_active = False
    user.save()
    client.post(reverse("password_reset"), {"email": "sam.officer@example.org"})
    assert mail.outbox == []


# No government branding


def test_templates_are_not_branded():
    for template in TEMPLATES.iterdir():
        assert "GOV.UK" not in template.read_text(), template.name


def test_pages_are_not_branded(client, user):
    pages = [
        client.get(reverse("login")),
        client.post(reverse("login"), {"username": "", "password": ""}),
        client.get(reverse("password_reset")),
        client.get(reverse("password_reset_done")),
        client.get(reverse("password_reset_complete")),
        client.get(reverse("password_reset_confirm", args=["bad", "link"])),
    ]
    client.force_login(user)
    pages += [client.get(reverse("password_change")), client.get(reverse("password_change_done"))]
    for page in pages:
        assert page.status_code == 200
        assert "GOV.UK" not in page.text


def test_forms_use_the_portal_layout(user):
    forms = [
        PortalAuthenticationForm(),
        PortalPasswordChangeForm(user),
        PortalSetPasswordForm(user),
        PortalPasswordResetForm(),
    ]
    labels = [form.helper.layout.fields[-1].value for form in forms]
    assert labels == ["Sign in", "Change password", "Save new password", "Send reset link"]


@pytest.mark.parametrize(
    ("hours", "wait"), [(1 / 60, "Wait 1 minute, then"), (2, "Wait 120 minutes, then")]
)
def test_lockout_message_follows_the_cool_off(client, user, settings, hours, wait):
    settings.AXES_COOLOFF_TIME = hours
    fail(client, settings.AXES_FAILURE_LIMIT)
    response = sign_in(client)
    assert response.status_code == 429
    assert wait in response.text


# Weak passwords


@pytest.mark.parametrize(
    "weak",
    [
        " " * 12,
        "aaaaaaaaaaaa",
        "passwordpassword",
        "abcabcabcabc",
        "abcdefghijklmn",
        "qwertyuiopas",
        "123456789012",
        "zzzzyyyyxxxx",
    ],
)
def test_weak_passwords_are_refused(client, user, weak):
    client.force_login(user)
    response = change_password(client, new=weak)
    assert response.status_code == 200
    assert "error-summary" in response.text
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_repetition_rule_explains_itself():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    messages = {}
    for password in ("aaaaaaaaaaaa", "passwordpassword", "abcdefghijklmn"):
        with pytest.raises(ValidationError) as caught:
            validate_password(password)
        messages[password] = " ".join(caught.value.messages)
    assert "at least 5 different characters" in messages["aaaaaaaaaaaa"]
    assert "the same few characters repeated" in messages["passwordpassword"]
    assert "in order" in messages["abcdefghijklmn"]
    validate_password(NEW_PASSWORD)  # a good one passes


# The reset page does the same work for every address, and is rate limited


def test_reset_does_the_same_work_for_known_and_unknown_addresses(client, user, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    from django.tasks import default_task_backend

    queries = {}
    for email in ("sam.officer@example.org", "nobody@example.org"):
        with CaptureQueriesContext(connection) as captured:
            response = client.post(reverse("password_reset"), {"email": email})
        assert response.status_code == 302
        queries[email] = [q["sql"] for q in captured.captured_queries]
    # The page never looks the address up: the worker does.
    assert queries["sam.officer@example.org"] == queries["nobody@example.org"]
    assert not any("auth_user" in sql for sql in queries["nobody@example.org"])
    enqueued = [
        result.args_kwargs if hasattr(result, "args_kwargs") else result.kwargs
        for result in default_task_backend.results
    ]
    assert [kwargs["email"] for kwargs in enqueued] == [
        "sam.officer@example.org",
        "nobody@example.org",
    ]
    assert mail.outbox == []


def test_reset_is_rate_limited_per_address_typed(client, user, settings):
    for _ in range(settings.PASSWORD_RESET_PER_EMAIL):
        assert (
            client.post(reverse("password_reset"), {"email": "nobody@example.org"}).status_code
            == 302
        )
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 429
    assert "You have asked for too many reset links" in response.text
    # The same for an address with an account: nothing tells them apart.
    for _ in range(settings.PASSWORD_RESET_PER_EMAIL):
        client.post(
            reverse("password_reset"), {"email": "sam.officer@example.org"}, REMOTE_ADDR="10.0.0.9"
        )
    assert len(mail.outbox) == settings.PASSWORD_RESET_PER_EMAIL
    response = client.post(
        reverse("password_reset"), {"email": "sam.officer@example.org"}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 429
    assert len(mail.outbox) == settings.PASSWORD_RESET_PER_EMAIL


def test_reset_is_rate_limited_per_visitor(client, settings):
    for number in range(settings.PASSWORD_RESET_PER_IP):
        response = client.post(reverse("password_reset"), {"email": f"person{number}@example.org"})
        assert response.status_code == 302
    response = client.post(reverse("password_reset"), {"email": "another@example.org"})
    assert response.status_code == 429
    # Another visitor is not held up.
    response = client.post(
        reverse("password_reset"), {"email": "another@example.org"}, REMOTE_ADDR="10.0.0.77"
    )
    assert response.status_code == 302


def test_every_page_sends_a_permissions_policy(client):
    for url in (reverse("login"), reverse("public:home")):
        policy = client.get(url)["Permissions-Policy"]
        assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy
