from allauth.account.internal.flows.login import perform_password_login
from allauth.account.models import Login
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.http import Http404
from django.urls import path, reverse

from inspections.models import LocalArea

from .auth_forms import (
    PortalAuthenticationForm,
    PortalPasswordChangeForm,
    PortalPasswordResetForm,
    PortalSetPasswordForm,
)
from .security import RateLimit, client_ip


def demo_sign_ins():
    """The demo's sign-ins that exist here: (username, who it is), as load_demo made them."""
    from demo.management.commands.load_demo import ROLES

    wanted = [("admin", "Superuser: the administration site")]
    for area in LocalArea.objects.order_by("name"):
        wanted += [(f"{area.slug}-{suffix}", f"{label}, {area.name}") for suffix, _, label in ROLES]
    users = get_user_model().objects.filter(
        username__in=[username for username, _ in wanted], is_active=True
    )
    existing = {
        user.username
        for user in users.only("username", "is_superuser")
        if user.username != "admin" or user.is_superuser  # "admin" is the demo's superuser
    }
    return [(username, who) for username, who in wanted if username in existing]


def single_sign_on_apps(request):
    """The OpenID Connect providers configured (SOCIALACCOUNT_PROVIDERS): (name, sign-in URL)."""
    return [
        (app.name, reverse("openid_connect_login", kwargs={"provider_id": app.provider_id}))
        for app in get_social_adapter().list_apps(request, provider="openid_connect")
    ]


class PortalLoginView(auth_views.LoginView):
    """Sign in with a username and password, or with single sign-on.

    The form (PortalAuthenticationForm) checks the password, with django-axes's
    lockout and the account slow-down; a correct one is handed to django-allauth's
    sign-in steps, which ask for the second step of two-step sign-in when the
    person has set it up, and record how the session signed in
    (send_portal/mfa_policy.py). With DEBUG on (the demo), the page also lists
    the demo's sign-ins.
    """

    authentication_form = PortalAuthenticationForm
    template_name = "registration/login.html"

    def form_valid(self, form):
        login = Login(user=form.get_user(), redirect_url=self.get_success_url())
        try:
            return perform_password_login(
                self.request, {"username": form.cleaned_data["username"]}, login
            )
        except ImmediateHttpResponse as response:
            return response.response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["single_sign_on"] = single_sign_on_apps(self.request)
        context["mfa_required_roles"] = settings.PORTAL_MFA_REQUIRED_ROLES
        if settings.DEBUG:
            from demo.management.commands.load_demo import DEMO_PASSWORD

            sign_ins = demo_sign_ins()
            if sign_ins:
                context["demo_sign_ins"] = sign_ins
                context["demo_password"] = DEMO_PASSWORD
        return context


class PortalPasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link: rate limited by address typed and by visitor's address.

    The limits count every request alike, whether or not an account uses the
    address, so hitting one says nothing about who has an account.
    """

    form_class = PortalPasswordResetForm
    template_name = "registration/password_reset_form.html"
    too_many = (
        "You have asked for too many reset links. Wait an hour, then try again. "
        "If a link has already been sent, it is in your email."
    )

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        by_email = RateLimit(
            "password-reset-email", limit=settings.PASSWORD_RESET_PER_EMAIL, window=3600
        )
        by_address = RateLimit(
            "password-reset-ip", limit=settings.PASSWORD_RESET_PER_IP, window=3600
        )
        allowed_address = by_address.hit(client_ip(self.request) or "unknown")
        allowed_email = by_email.hit(email)
        if not (allowed_address and allowed_email):
            form.add_error(None, self.too_many)
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)


def not_offered(request, *args, **kwargs):
    """django-allauth pages the portal does not offer: area administrators manage accounts."""
    raise Http404


urlpatterns = [
    path("login/", PortalLoginView.as_view(), name="login"),
    # Before django-allauth's own URLs (send_portal/urls.py), so these win.
    path("signup/", not_offered),
    path("email/", not_offered),
    path("password/set/", not_offered),
    path("3rdparty/", not_offered),
    path("3rdparty/signup/", not_offered),
    path("login/code/", not_offered),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(
            form_class=PortalPasswordChangeForm,
            template_name="registration/password_change_form.html",
        ),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/password_change_done.html",
        ),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        PortalPasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="registration/password_reset_done.html",
        ),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            form_class=PortalSetPasswordForm,
            template_name="registration/password_reset_confirm.html",
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/password_reset_complete.html",
        ),
        name="password_reset_complete",
    ),
]
