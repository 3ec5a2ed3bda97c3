"""Forms for signing in, changing a password and resetting a forgotten one.

Django's own authentication forms, with the portal's layout and plain-English
error messages for every field. A failed sign-in never says whether the
username or the password was wrong, and the reset form never says whether an
account uses the email address.
"""

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from kit.forms import PortalFormMixin, gov_errors

from .security import account_slowdown
from .tasks import send_password_reset

INVALID_LOGIN = "Enter a correct username and password. Both are case-sensitive."

# What the portal says instead of Django's password validators' own messages.
# A message from any other validator is shown as it is.
PASSWORD_RULES = {
    "password_too_short": "Your new password must be at least {min_length} characters",
    "password_too_common": "Your new password is too common – choose one that is harder to guess",
    "password_entirely_numeric": "Your new password must not be only numbers",
    "password_too_similar": "Your new password is too like your username or email address",
    # send_portal.security.RepetitionValidator's codes have their messages in the portal's style already.
}


def minimum_password_length():
    """The shortest password the validators accept (0 when none sets a minimum)."""
    lengths = [
        validator.min_length
        for validator in password_validation.get_default_password_validators()
        if isinstance(validator, password_validation.MinimumLengthValidator)
    ]
    return max(lengths, default=0)


def new_password_hint():
    length = minimum_password_length()
    rule = f"Use at least {length} characters. " if length else ""
    return (
        f"{rule}Do not use a common password, only numbers, the same few characters "
        "repeated, letters or numbers in order, or anything like your username or email address."
    )


def reset_link_lifetime():
    """How long a reset link works, in words ("3 days", "1 hour")."""
    seconds = int(settings.PASSWORD_RESET_TIMEOUT)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    count = max(1, round(seconds / 60))
    return f"{count} minute{'' if count == 1 else 's'}"


def _reworded(error):
    """The first of Django's password validation errors, reworded in the portal's style.

    One message per field, as the design system asks: once that is fixed,
    the form says what else is wrong, if anything.
    """
    first = error.error_list[0]
    rule = PASSWORD_RULES.get(first.code)
    if rule is None:
        return first
    return ValidationError(rule.format(**(first.params or {})), code=first.code)


class PortalAuthenticationForm(PortalFormMixin, auth_forms.AuthenticationForm):
    submit_label = "Sign in"

    error_messages = {
        "invalid_login": INVALID_LOGIN,
        # Only reached with a backend that lets inactive users authenticate;
        # the portal's backends treat them as a failed sign-in.
        "inactive": INVALID_LOGIN,
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.label = "Username"
        # Django sets the length after the field is made, so it is only on the
        # widget: check it too, so an absurd username never reaches the backends.
        username.validators.append(MaxLengthValidator(username.max_length))
        username.error_messages.update(
            gov_errors(
                "your username",
                max_length=f"Your username must be {username.max_length} characters or fewer",
            )
        )
        # Moving focus on load disorients screen reader users.
        username.widget.attrs.pop("autofocus", None)
        username.widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        )
        password = self.fields["password"]
        password.label = "Password"
        password.error_messages.update(gov_errors("your password"))
        password.widget.attrs["autocomplete"] = "current-password"

    def get_invalid_login_error(self):
        return ValidationError(self.error_messages["invalid_login"], code="invalid_login")

    def clean(self):
        username = self.cleaned_data.get("username")
        if not (username and self.cleaned_data.get("password")):
            return super().clean()
        # Many failures on one account slow it down (one try every so often) rather
        # than lock it; the attacker's address is what django-axes locks.
        slowdown = account_slowdown()
        wait = slowdown.wait(username)
        if wait:
            raise ValidationError(
                f"There have been many failed attempts to sign in to this account. "
                f"Wait {wait} seconds, then try again.",
                code="slowed_down",
            )
        try:
            cleaned = super().clean()
        except ValidationError as error:
            if error.code == "invalid_login":
                slowdown.failed(username)
            raise
        slowdown.succeeded(username)
        return cleaned


class PortalSetPasswordForm(PortalFormMixin, auth_forms.SetPasswordForm):
    """Choose a new password (after following a reset link)."""

    submit_label = "Save new password"

    error_messages = {
        **auth_forms.SetPasswordForm.error_messages,
        "password_mismatch": "The passwords do not match",
    }

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        new = self.fields["new_password1"]
        new.label = "New password"
        new.help_text = new_password_hint()
        new.error_messages.update(gov_errors("a new password"))
        new.widget.attrs["autocomplete"] = "new-password"
        confirm = self.fields["new_password2"]
        confirm.label = "Confirm new password"
        confirm.help_text = ""
        confirm.error_messages.update(
            gov_errors("your new password", required="Confirm your new password")
        )
        confirm.widget.attrs["autocomplete"] = "new-password"

    def clean(self):
        # Mismatches belong to the confirmation; the rules belong to the new password.
        self.validate_passwords("new_password1", "new_password2")
        password = self.cleaned_data.get("new_password1")
        if password:
            try:
                password_validation.validate_password(password, self.user)
            except ValidationError as error:
                self.add_error("new_password1", _reworded(error))
        return self.cleaned_data


class PortalPasswordChangeForm(PortalSetPasswordForm, auth_forms.PasswordChangeForm):
    """Change the password of the person signed in."""

    submit_label = "Change password"

    error_messages = {
        **PortalSetPasswordForm.error_messages,
        "password_incorrect": "Your current password is incorrect",
    }

    field_order = ["old_password", "new_password1", "new_password2"]

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        current = self.fields["old_password"]
        current.label = "Current password"
        current.error_messages.update(gov_errors("your current password"))
        current.widget.attrs.pop("autofocus", None)
        current.widget.attrs["autocomplete"] = "current-password"


class PortalPasswordResetForm(PortalFormMixin, auth_forms.PasswordResetForm):
    """Ask for a link to choose a new password."""

    submit_label = "Send reset link"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.label = "Email address"
        email.help_text = "The email address your portal account uses."
        email.error_messages.update(
            gov_errors(
                "your email address",
                invalid="Enter an email address in the correct format, like name@example.com",
                max_length="Your email address must be 254 characters or fewer",
            )
        )
        email.widget.attrs.update(
            {"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"}
        )

    def save(
        self,
        *,
        request=None,
        domain_override=None,
        use_https=False,
        extra_email_context=None,
        **kwargs,
    ):
        """Hand the address to the task worker, which looks it up and sends any link.

        The page does the same work for every address, so how long it takes
        cannot tell anyone whether an account uses it.
        """
        context = {
            "portal_name": settings.PORTAL_NAME,
            "link_lifetime": reset_link_lifetime(),
            **(extra_email_context or {}),
        }
        send_password_reset.enqueue(
            email=self.cleaned_data["email"],
            domain=domain_override or request.get_host(),
            use_https=use_https,
            extra_email_context=context,
        )
