"""Settings for the SEND Improvement Portal.

Every setting that differs between the demo, CI and production comes from an
environment variable, read through the helpers below so that a typo fails
loudly at start-up instead of silently falling back. The defaults are the safe
production ones (DEBUG off, secure cookies), except the database: with no
DATABASE_URL the portal uses an embedded SQLite file under var/.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name, default=None):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if SECRET_KEY is None:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Set SECRET_KEY (a long random string), or set DEBUG=true to run the demo."
        )
    # Only reachable with DEBUG on, which production never sets.
    SECRET_KEY = "insecure-demo-key-only-for-local-development-do-not-deploy"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "send_portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "crispy_forms",
    "crispy_forms_gds",
    "django_tasks_db",
    "axes",
    # Sign-in: two-step sign-in (TOTP, recovery codes, passkeys) and single sign-on
    # with OpenID Connect, by django-allauth (send_portal/sso.py, send_portal/mfa_policy.py).
    "django.contrib.humanize",  # allauth's list of passkeys says when each was last used
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    # The portal's own apps, lowest layer first (docs/architecture.md).
    "kit",
    "inspections",
    "actions",
    "progress",
    "notices",
    "board",
    "public",
    "demo",
    # The top layer's own commands: backup_portal, restore_portal (send_portal/backup.py).
    "send_portal.apps.PortalConfig",
]

MIDDLEWARE = [
    # First: every request gets an id for its log lines (send_portal/middleware.py).
    "send_portal.middleware.RequestIdMiddleware",
    # /healthz, answered before the host check and the HTTPS redirect (send_portal/health.py).
    "send_portal.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # django-allauth's: sends a request that needs the password again to that page.
    "allauth.account.middleware.AccountMiddleware",
    # Officers, area administrators and superusers set up two-step sign-in first
    # (PORTAL_MFA_REQUIRED_ROLES; send_portal/mfa_policy.py).
    "send_portal.mfa_policy.MFARequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Permissions-Policy: no camera, microphone, location... (send_portal/middleware.py).
    "send_portal.middleware.PermissionsPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "board:home"
LOGOUT_REDIRECT_URL = "public:home"

# Repeated failed sign-ins lock out the address they come from (the attacker's),
# whatever usernames it tries. A username is never locked: many failures on one
# account, from anywhere, only slow it down to one try every
# SIGN_IN_SLOWDOWN_SECONDS (send_portal/security.py), so nobody can lock a real
# person out by typing their username. Behind proxies, the visitor's address is
# read from X-Forwarded-For as the AXES_PROXY_COUNT-th entry from the right.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
TRUSTED_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "send_portal.security.client_ip"
SIGN_IN_SLOWDOWN_AFTER = env_int("SIGN_IN_SLOWDOWN_AFTER", 10)
SIGN_IN_SLOWDOWN_SECONDS = env_int("SIGN_IN_SLOWDOWN_SECONDS", 30)
# Reset links asked for, per hour: per email address typed, and per visitor's address.
PASSWORD_RESET_PER_EMAIL = env_int("PASSWORD_RESET_PER_EMAIL", 3)
PASSWORD_RESET_PER_IP = env_int("PASSWORD_RESET_PER_IP", 10)

# Sign-in with django-allauth (docs/deploy.md, "Sign-in: single sign-on and two-step
# sign-in"). The portal's own password form (send_portal/auth_urls.py) hands a correct
# username and password to allauth's sign-in steps, so two-step sign-in is asked for
# there; nobody signs themselves up: area administrators add people.
ACCOUNT_ADAPTER = "send_portal.sso.PortalAccountAdapter"
SOCIALACCOUNT_ADAPTER = "send_portal.sso.PortalSocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_PREVENT_ENUMERATION = True
# allauth's own copies of the password pages are not used: Django's, with the
# portal's rate limits, are at the same addresses (send_portal/auth_urls.py).
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# Two-step sign-in: a code from an authenticator app (TOTP), one-time recovery
# codes, and security keys or passkeys (WebAuthn), asked for after the password.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_ADAPTER = "send_portal.mfa_policy.PortalMFAAdapter"
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_TOTP_ISSUER = env_str("PORTAL_NAME", "SEND Improvement Portal")
MFA_RECOVERY_CODE_COUNT = 10
# A passkey is tied to the site's host name, and browsers allow it only over
# HTTPS, except on localhost in the demo.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
# Who must use two-step sign-in (or single sign-on): people with any of these roles
# in any area (inspections.models.Membership.Role), and superusers always when the
# list is not empty. PORTAL_MFA_REQUIRED_ROLES= (set but empty) turns it off.
# Unset: officers and area administrators (officer,area_admin), except in the demo
# (DEBUG), where it is off so that reviewers can look round with the demo's sign-ins.
_mfa_roles = os.environ.get("PORTAL_MFA_REQUIRED_ROLES")
if _mfa_roles is None:
    _mfa_roles = "" if DEBUG else "officer,area_admin"
PORTAL_MFA_REQUIRED_ROLES = [role.strip() for role in _mfa_roles.split(",") if role.strip()]
_unknown_roles = set(PORTAL_MFA_REQUIRED_ROLES) - {"board_member", "officer", "area_admin", "forum"}
if _unknown_roles:
    raise ImproperlyConfigured(
        "PORTAL_MFA_REQUIRED_ROLES may list board_member, officer, area_admin and forum, "
        f"not {', '.join(sorted(_unknown_roles))}"
    )
# Single sign-on with one OpenID Connect provider (Microsoft Entra ID or any other),
# shown on the sign-in page only when OIDC_SERVER_URL and OIDC_CLIENT_ID are set.
# It signs in only people who already have an account: linked to it before, or,
# with OIDC_TRUST_EMAIL=true, whose email address the provider vouches for.
OIDC_PROVIDER_ID = env_str("OIDC_PROVIDER_ID", "entra")
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "Sign in with your council account")
OIDC_SERVER_URL = env_str("OIDC_SERVER_URL")
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID")
OIDC_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET", "")
OIDC_TRUST_EMAIL = env_bool("OIDC_TRUST_EMAIL", False)
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": (
            [
                {
                    "provider_id": OIDC_PROVIDER_ID,
                    "name": OIDC_PROVIDER_NAME,
                    "client_id": OIDC_CLIENT_ID,
                    "secret": OIDC_CLIENT_SECRET,
                    "settings": {"server_url": OIDC_SERVER_URL},
                }
            ]
            if OIDC_SERVER_URL and OIDC_CLIENT_ID
            else []
        ),
    }
}
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_AUTO_SIGNUP = False
# Finding people by email address is send_portal/sso.py's, only with OIDC_TRUST_EMAIL.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False

ROOT_URLCONF = "send_portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "send_portal.wsgi.application"

# Database: PostgreSQL in production and CI through DATABASE_URL; an embedded
# SQLite file for the demo when it is not set.
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    # Connections are kept for a minute and checked before reuse, so a connection the
    # server dropped (a restart, a fail-over) is replaced instead of failing a request.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "portal.sqlite3",
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }

# The public pages' fixed queries are prepared once on each PostgreSQL connection
# (kit.prepared). Off only behind a pooler in transaction mode that does not carry
# prepared statements between server connections (docs/deploy.md).
DATABASE_SERVER_PREPARES = env_bool("DATABASE_SERVER_PREPARES", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Long only by repeating itself: "aaaaaaaaaaaa", "passwordpassword", "abcdefghijkl".
    {"NAME": "send_portal.security.RepetitionValidator", "OPTIONS": {"min_unique": 5}},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "/media/"
# Longest a progress report's PDF may take to draw before it is stopped.
REPORT_RENDER_TIMEOUT = env_int("REPORT_RENDER_TIMEOUT", 120)
# The most memory a report's render process may use, in MB (0: no limit).
REPORT_RENDER_MAX_MB = env_int("REPORT_RENDER_MAX_MB", 1500)
# The two-person rule: whoever wrote or changed public text (a plan's summary for
# families, a board meeting's public summary, a "You said, we did" entry) cannot
# also make it public; another officer or area administrator does. On by default.
PORTAL_TWO_PERSON_RULE = env_bool("PORTAL_TWO_PERSON_RULE", True)
# Evidence files are checked by content and size (progress/evidence.py).
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_MB", 10) * 1024 * 1024
# Action-plan spreadsheets: the largest upload, and the most rows with content read from one.
IMPORT_MAX_MB = env_int("IMPORT_MAX_MB", 5)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 5000)
# Public text with a higher reading age needs "Publish anyway" ticked (kit/plain_english.py).
PLAIN_ENGLISH_MAX_READING_AGE = env_int("PLAIN_ENGLISH_MAX_READING_AGE", 12)
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Evidence files and report PDFs: in a folder under MEDIA_ROOT (FILE_STORAGE=filesystem, the
# default) or in a private bucket of S3-compatible object storage that every web server
# shares (FILE_STORAGE=s3). Either way they are sent only through the portal's own pages,
# which check who may see them; no page links to the storage (docs/deploy.md, "Files").
FILE_STORAGE = env_str("FILE_STORAGE", "filesystem")
if FILE_STORAGE == "filesystem":
    file_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif FILE_STORAGE == "s3":
    if not env_str("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("FILE_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    # The keys are boto3's own: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the server's role.
    file_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL"),
            "region_name": env_str("AWS_S3_REGION_NAME"),
            "location": env_str("AWS_LOCATION", ""),
            "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE"),
            # Private: no ACL on objects (the bucket's own), only signed addresses, and a
            # stored file is never replaced (a name in use gets a new one, as in a folder).
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            # A file read back is held in memory up to 5 MB, beyond that in a temporary file.
            "max_memory_size": 5 * 1024 * 1024,
        },
    }
else:
    raise ImproperlyConfigured(f"FILE_STORAGE must be filesystem or s3, not {FILE_STORAGE!r}")
STORAGES = {
    "default": file_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security: safe by default, relaxed only for the local demo over plain HTTP.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Preloading is a commitment for the whole parent domain (often a council's),
# which the portal cannot make for it; SECURE_HSTS_PRELOAD=true opts in.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 8)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Browser features no page uses, turned off for every page (send_portal/middleware.py).
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), "
    "fullscreen=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), "
    "payment=(), picture-in-picture=(), screen-wake-lock=(), "
    "sync-xhr=(), usb=(), xr-spatial-tracking=(), interest-cohort=(), "
    # Passkeys and security keys for two-step sign-in, on the portal's own pages only.
    "publickey-credentials-get=(self), publickey-credentials-create=(self)"
)
SECURE_CSP = {
    "default-src": [CSP.SELF],
    # No inline scripts at all: pages carry no per-request nonce, so they can be cached.
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
if SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]:
    # The single sign-on button's form is sent on to the provider's sign-in page.
    _oidc = urlsplit(OIDC_SERVER_URL)
    SECURE_CSP["form-action"].append(f"{_oidc.scheme}://{_oidc.netloc}")

# Outgoing mail (Django 6.1's MAILERS): the console in the demo, SMTP otherwise,
# or GOV.UK Notify with EMAIL_BACKEND=notices.notify.NotifyEmailBackend (docs/notices.md).
_email_backend = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
_email_options = {}
if _email_backend.endswith("smtp.EmailBackend"):
    _email_options = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
    }
elif _email_backend == "notices.notify.NotifyEmailBackend":
    # One Notify email template whose subject is ((subject)) and body ((body)).
    _email_options = {
        "api_key": env_str("NOTIFY_API_KEY"),
        "template_id": env_str("NOTIFY_TEMPLATE_ID"),
        "base_url": env_str("NOTIFY_BASE_URL"),  # unset: Notify's own API address
    }
    if not (_email_options["api_key"] and _email_options["template_id"]):
        raise ImproperlyConfigured(
            "Set NOTIFY_API_KEY and NOTIFY_TEMPLATE_ID to send email through GOV.UK Notify."
        )
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "send-portal@localhost")
# The portal's address as people reach it, for the links in emails (no trailing slash).
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Cache for public pages (public/cache.py). With more than one process it must be
# shared, or a page taken off the site is still served by the others: redis://
# (Redis, recommended; rediss:// for TLS) or db://TABLE (a database table: run
# manage.py createcachetable). Unset, or locmem://, keeps it in each process's
# memory: fine for the demo and tests, refused by check --deploy (send_portal/checks.py).
_cache_url = env_str("CACHE_URL", "locmem://")
CACHE_KEY_PREFIX = env_str("CACHE_KEY_PREFIX", "send-portal")
if _cache_url.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            # A cache that stops answering must not hold requests for long.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
elif _cache_url.startswith("db://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": _cache_url.removeprefix("db://") or "portal_cache",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            # Room for every cached page, so the pages' generation counters are not culled.
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 20000)},
        }
    }
elif _cache_url == "locmem://":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            # Room for every area's pages and home-page rows, not Django's 300 entries.
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 20000)},
        }
    }
else:
    # Not echoed: the address may hold a password.
    raise ImproperlyConfigured(
        "CACHE_URL must look like redis://HOST:6379/0, db://TABLE_NAME or locmem://"
    )

# History: the reason for a change can be long; store it as text.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
# crispy-forms-gds styles text, email and password inputs as GOV.UK inputs; number and
# web address inputs need it too, or their text stays at the browser's fixed size when
# someone makes the text bigger (WCAG 1.4.4).
CRISPY_CLASS_CONVERTERS = {
    "numberinput": "govuk-input govuk-input--width-10",
    "urlinput": "govuk-input",
}

# Background work: the database-backed queue in production; tests and the
# demo may choose the immediate backend with TASKS_BACKEND=immediate.
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
_task_backend = env_str("TASKS_BACKEND", "database")
if _task_backend not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}, not {_task_backend!r}"
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_task_backend]}}

# Logs go to standard error: one JSON object a line in production (LOG_FORMAT=json),
# plain lines in the demo (LOG_FORMAT=text); each line carries the request's id
# (send_portal/logging.py, send_portal/middleware.py).
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "send_portal.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "send_portal.logging.JSONFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# The pages shown when something goes wrong (send_portal/errors.py, templates/4xx/500.html).
CSRF_FAILURE_VIEW = "send_portal.errors.csrf_failure"
# /healthz fails when a background task has waited longer than this to start (send_portal/health.py).
HEALTHZ_TASK_WAIT_MINUTES = env_int("HEALTHZ_TASK_WAIT_MINUTES", 10)

PORTAL_NAME = env_str("PORTAL_NAME", "SEND Improvement Portal")
# Who runs the portal (named in the accessibility statement, as the model statement
# requires) and where people write. Unset, the help page and the statement say so and send
# people to their council instead of showing made-up details; `check --deploy` warns
# while they are unset (send_portal/checks.py).
PORTAL_OPERATOR = env_str("PORTAL_OPERATOR", "")
PORTAL_ACCESSIBILITY_EMAIL = env_str("PORTAL_ACCESSIBILITY_EMAIL", "")
# Offered on the error pages for help; the accessibility address unless set.
PORTAL_CONTACT_EMAIL = env_str("PORTAL_CONTACT_EMAIL", PORTAL_ACCESSIBILITY_EMAIL)
