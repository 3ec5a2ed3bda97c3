"""Who must use two-step sign-in, and keeping them to setting it up until they do.

``PORTAL_MFA_REQUIRED_ROLES`` (settings) lists the roles that must: by default
officers and area administrators, who can see internal narratives, export
them and approve others' updates. Superusers must too whenever the list is
not empty. Board members and parent carer forum representatives may set it up
but need not.

A signed-in person who must, and whose session was signed in with a password
alone (no second step), reaches only the two-step sign-in pages, the page
that asks for their password again, signing out and static files; any other
page sends them to "Set up two-step sign-in", which says why. The admin site
is no exception.

A session signed in through single sign-on (OpenID Connect) is exempt: the
organisation's own sign-in asks for its second step (councils should require it
in Microsoft Entra ID's Conditional Access, see docs/deploy.md).

How the session signed in is read from django-allauth's record of it
(``allauth.account.authentication.get_authentication_records``): "password",
"mfa" (a code, a recovery code or a passkey at sign-in, or just set up) and
"socialaccount" (single sign-on).

A session that was signed in without allauth's steps at all (the admin site's
own login form, say) by someone who has two-step sign-in set up skipped the
second step: it is signed out, whatever the setting.
"""

from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponseRedirect
from django.urls import reverse

from inspections.models import Membership

# Set on a session signed in without allauth's steps by someone with two-step sign-in.
SKIPPED_SECOND_STEP = "portal_mfa_skipped"
# What counts as a second step, or as sign-in through the organisation's own.
STRONG_METHODS = {"mfa", "socialaccount"}


def signed_in_strongly(request):
    """Did this session sign in with a second step, or through single sign-on?"""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") in STRONG_METHODS for record in records)


def must_use_mfa(user):
    """Must this person use two-step sign-in (or single sign-on), by the deployment's setting?"""
    roles = settings.PORTAL_MFA_REQUIRED_ROLES
    if not roles or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, role__in=roles).exists()


def _allowed_paths():
    return (
        reverse("mfa_index"),  # every two-step sign-in page is under it
        reverse("account_reauthenticate"),
        reverse("logout"),
        settings.STATIC_URL,
    )


class MFARequiredMiddleware:
    """Send people who must use two-step sign-in, and have not, to set it up.

    After AuthenticationMiddleware and MessageMiddleware. Costs no query for a
    session that signed in with a second step or single sign-on, or when the
    setting is off.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        request.mfa_setup_required = False
        if not user.is_authenticated:
            return self.get_response(request)
        if request.session.get(SKIPPED_SECOND_STEP):
            return self._sign_out(request)
        if not settings.PORTAL_MFA_REQUIRED_ROLES or signed_in_strongly(request):
            return self.get_response(request)
        if not must_use_mfa(user):
            return self.get_response(request)
        if not get_authentication_records(request, user) and is_mfa_enabled(user):
            # A session from before the rule, or from another sign-in form.
            return self._sign_out(request)
        request.mfa_setup_required = True
        if request.path_info.startswith(_allowed_paths()):
            return self.get_response(request)
        return HttpResponseRedirect(reverse("mfa_index"))

    def _sign_out(self, request):
        logout(request)
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return HttpResponseRedirect(reverse("login") + (f"?{query}" if query else ""))


@receiver(authenticator_added, dispatch_uid="portal-mfa-just-set-up")
def _just_set_up(sender, request, user, authenticator, **kwargs):
    """Setting up a code or a passkey proves the second step for this session."""
    if authenticator.type in (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN):
        record_authentication(
            request, user, method="mfa", type=authenticator.type, id=authenticator.pk
        )


@receiver(user_logged_in, dispatch_uid="portal-mfa-skipped")
def _signed_in(sender, request, user, **kwargs):
    """Mark a session signed in without allauth's steps by someone who has a second step."""
    if request is None or not hasattr(request, "session"):
        return
    if get_authentication_records(request, user):
        return  # signed in through allauth's steps, which asked for the second
    if is_mfa_enabled(user):
        request.session[SKIPPED_SECOND_STEP] = True


class PortalMFAAdapter(DefaultMFAAdapter):
    """django-allauth's two-step sign-in, with the portal's words and its rule."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": (
            "The code is not right. Enter the code your authenticator app shows now, "
            "or one of your recovery codes"
        ),
        "cannot_delete_authenticator": (
            "You cannot turn this off: people in your role must use two-step sign-in. "
            "Add a passkey or security key first if you want to stop using the app"
        ),
        "unverified_email": (
            "You cannot set up two-step sign-in until your email address is confirmed. "
            "Ask your area's portal administrator"
        ),
    }

    def _get_site_name(self):
        # What passkeys are saved under in a phone or browser (allauth uses the host name).
        return settings.PORTAL_NAME

    def can_delete_authenticator(self, authenticator):
        """Someone who must use two-step sign-in keeps at least one app or key."""
        user = authenticator.user
        if not must_use_mfa(user):
            return super().can_delete_authenticator(authenticator)
        others = Authenticator.objects.filter(
            user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        ).exclude(pk=authenticator.pk)
        return authenticator.type == Authenticator.Type.RECOVERY_CODES or others.exists()
