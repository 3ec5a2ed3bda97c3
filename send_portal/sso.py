"""Single sign-on with OpenID Connect (Microsoft Entra ID, or any other provider), by django-allauth.

Nobody gets an account by signing on: area administrators add people
(inspections' members page). Single sign-on signs in a person who already has
an account, found

* by a link made before: a social account (provider, subject) for the user,
  made on an earlier sign-on or by a superuser in the admin site; or
* with ``OIDC_TRUST_EMAIL`` on, by the email address the provider gives
  (``email``, or ``preferred_username`` when it is an address, such as Entra
  ID's user principal name), when exactly one active account uses it. The
  link is then kept, so the next sign-on finds the person by their subject.
  Only turn it on for a provider whose addresses the organisation controls
  (a council's own Entra ID tenant): whoever can set an address there could
  otherwise sign in as the portal's user with that address. A provider that
  says an address is not verified (``email_verified`` false) is never trusted.

Anyone else sees "Your organisation's account is not linked to the portal",
which tells them to ask their area's portal administrator.
"""

import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.shortcuts import render

# allauth's own notices that add nothing on the portal's pages.
QUIET_MESSAGES = {
    "account/messages/logged_in.txt",
    "account/messages/logged_out.txt",
}


class PortalAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False

    def login(self, request, user):
        # After single sign-on or the second step no backend has checked a password;
        # the session is kept by Django's own (allauth's would also accept usernames
        # in any case, which the portal's password sign-in does not).
        if not hasattr(user, "backend"):
            user.backend = "django.contrib.auth.backends.ModelBackend"
        super().login(request, user)

    def is_reauthentication_required(self, *, app, **kwargs):
        """Ask for the password again before changing two-step sign-in, unless just signed in.

        allauth counts only a password typed again; a sign-in less than
        ACCOUNT_REAUTHENTICATION_TIMEOUT ago (5 minutes) counts here too, so
        someone sent to set up two-step sign-in straight after signing in is
        not asked for the password twice.
        """
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        request = context.request
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return True
        records = get_authentication_records(request, user)
        if not records:
            return True
        return time.time() - records[-1]["at"] >= account_settings.REAUTHENTICATION_TIMEOUT

    def add_message(self, request, level, message_template=None, *args, **kwargs):
        if message_template in QUIET_MESSAGES:
            return
        super().add_message(request, level, message_template, *args, **kwargs)


def _claims(sociallogin):
    """The provider's claims: the ID token's, with the user info endpoint's over them."""
    data = sociallogin.account.extra_data or {}
    claims = {}
    for part in ("id_token", "userinfo"):
        if isinstance(data.get(part), dict):
            claims.update(data[part])
    if not claims:
        claims = dict(data)
    return claims


def trusted_addresses(claims):
    """The addresses the provider vouches for, when the deployment trusts it to."""
    if not settings.OIDC_TRUST_EMAIL:
        return []
    if str(claims.get("email_verified", "")).lower() in {"false", "0"}:
        return []
    addresses = []
    for claim in ("email", "preferred_username"):
        value = claims.get(claim)
        if not isinstance(value, str):
            continue
        try:
            validate_email(value)
        except ValidationError:
            continue  # not an address (a user principal name may not be one): not used
        if value.lower() not in addresses:
            addresses.append(value.lower())
    return addresses


def account_for(claims):
    """The one active account the provider's trusted address belongs to, or None."""
    users = get_user_model().objects.filter(is_active=True)
    for address in trusted_addresses(claims):
        matches = list(users.filter(email__iexact=address)[:2])
        if len(matches) == 1:
            return matches[0]
    return None


def not_linked(request, sociallogin=None):
    """The page for someone whose provider account matches nobody's in the portal (403)."""
    provider = getattr(sociallogin.account, "get_provider", None) if sociallogin else None
    name = provider().name if provider else settings.OIDC_PROVIDER_NAME
    return render(request, "socialaccount/not_linked.html", {"provider_name": name}, status=403)


class PortalSocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        return False

    def pre_social_login(self, request, sociallogin):
        if sociallogin.state.get("process") not in (None, "login"):
            # Linking from a signed-in session ("connect") is not offered.
            raise ImmediateHttpResponse(not_linked(request, sociallogin))
        if sociallogin.is_existing:
            if not sociallogin.user.is_active:
                raise ImmediateHttpResponse(not_linked(request, sociallogin))
            return  # linked before
        user = account_for(_claims(sociallogin))
        if user is None:
            raise ImmediateHttpResponse(not_linked(request, sociallogin))
        sociallogin.connect(request, user)
