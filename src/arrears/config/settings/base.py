"""Settings shared by every environment; what a deployment changes comes from ARREARS_* vars."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent.parent  # src/arrears
WORK_DIR = Path(os.environ.get("ARREARS_HOME", Path.cwd()))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("ARREARS_SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("ARREARS_DEBUG", False)
ALLOWED_HOSTS = [
    h for h in os.environ.get("ARREARS_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "arrears.common",
    "arrears.identity",
    "arrears.servicing",
    "arrears.compliance",
    "arrears.engagement",
    "arrears.hardship",
    "arrears.collection",
    "arrears.care",
    "arrears.analytics",
    "arrears.console",
    "arrears.portal",
    "arrears.demo",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # staff whose role requires a second factor set it up before any console page
    "arrears.identity.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # last, as django-axes asks: it turns a locked-out sign-in into the lockout page
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a sign-in while the username or address is locked out
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "arrears.config.urls"
WSGI_APPLICATION = "arrears.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def database_from_env() -> dict[str, object]:
    """ARREARS_DATABASE_URL, else an embedded SQLite file in the working folder (WAL mode)."""
    url = os.environ.get("ARREARS_DATABASE_URL")
    if url:
        config = dict(dj_database_url.parse(url, conn_max_age=60))
    else:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(WORK_DIR / "arrears.sqlite3")}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    return config


DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("ARREARS_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("ARREARS_TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

STATIC_URL = "static/"
#: Front-end packages from npm, copied here by `make assets` (never committed).
STATICFILES_DIRS = [PACKAGE_DIR / "static_build"]
STATIC_ROOT = Path(os.environ.get("ARREARS_STATIC_ROOT", WORK_DIR / "staticfiles"))

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

# --- security of the consoles (docs/security.md) ---------------------------------------------
#: Sign-in throttling (django-axes): this many failures for one username from one address
#: locks that pair out for the cool-off; a success resets the count.
AXES_FAILURE_LIMIT = int(os.environ.get("ARREARS_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("ARREARS_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "identity/locked_out.html"
#: Content-security policy (django-csp): scripts, styles and connections from our origin only;
#: no inline script or style anywhere, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
#: Second factor (django-otp, TOTP): staff may enrol an authenticator app; once enrolled, their
#: sign-in needs its code. OTP_TOTP_ISSUER names the lender in the authenticator app.
OTP_TOTP_ISSUER = os.environ.get("ARREARS_OTP_ISSUER", "Arrears")
#: Roles whose members must use a second factor (comma-separated, e.g. "admin,compliance"):
#: until they set one up, every console page sends them to do so. Default: none (optional).
ARREARS_REQUIRE_SECOND_FACTOR_ROLES = tuple(
    role.strip()
    for role in os.environ.get("ARREARS_REQUIRE_SECOND_FACTOR_ROLES", "").split(",")
    if role.strip()
)
#: Sessions expire after this many seconds (default 8 hours: a working day) and when the
#: browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("ARREARS_SESSION_SECONDS", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

#: The lender's home jurisdiction and default calendar, used when a product does not say.
ARREARS_DEFAULT_COUNTRY = os.environ.get("ARREARS_DEFAULT_COUNTRY", "CN")

#: Autopay: the direct-debit provider class (dotted path; empty = refuse to collect until set),
#: and the retries of a refused debit, in days after the first attempt (default: 2 and 4 days).
ARREARS_DIRECT_DEBIT_PROVIDER = os.environ.get("ARREARS_DIRECT_DEBIT_PROVIDER", "")
#: The portal's card payments (servicing.card_payments); production refuses until it is set.
ARREARS_CARD_PAYMENT_PROVIDER = os.environ.get("ARREARS_CARD_PAYMENT_PROVIDER", "")
#: How many days ahead a borrower may promise a payment in the portal.
ARREARS_PORTAL_PROMISE_DAYS = int(os.environ.get("ARREARS_PORTAL_PROMISE_DAYS", "30"))
ARREARS_AUTOPAY_RETRY_DAYS = tuple(
    int(days) for days in os.environ.get("ARREARS_AUTOPAY_RETRY_DAYS", "2,4").split(",") if days
)
#: Notice periods for product terms changes, overriding core.notice_periods (e.g. "CN=45,IE=60").
ARREARS_TERMS_CHANGE_NOTICE_DAYS = {
    code.strip().upper(): int(days)
    for code, _sep, days in (
        item.partition("=")
        for item in os.environ.get("ARREARS_TERMS_CHANGE_NOTICE_DAYS", "").split(",")
        if item.strip()
    )
}

#: The lender's house rules laid over every compliance profile: a YAML path, "none", or empty
#: for the example shipped with Arrears (core/compliance/data/profiles/house.yaml).
ARREARS_HOUSE_RULES = os.environ.get("ARREARS_HOUSE_RULES", "")
#: How long a compliance permit stays valid (it never outlives the contact window).
ARREARS_PERMIT_VALID_SECONDS = int(os.environ.get("ARREARS_PERMIT_VALID_SECONDS", "900"))
#: The nightly notices skip a business date more than this many days before today (a catch-up
#: or replay of old dates never sends stale reminders).
ARREARS_NOTICE_CATCH_UP_DAYS = int(os.environ.get("ARREARS_NOTICE_CATCH_UP_DAYS", "2"))
# The borrower's self-service page (pay, set up a plan, book a callback) linked from messages.
ARREARS_SELF_SERVICE_URL = os.environ.get(
    "ARREARS_SELF_SERVICE_URL", "http://127.0.0.1:8000/self-service/"
)

# --- channels and the outbox (docs/operations.md, docs/engagement-channels.md) ---------------
#: Background tasks: the database backend by default (a worker runs `manage.py db_worker`).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("ARREARS_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
    }
}
ARREARS_EMAIL_BACKEND = os.environ.get(
    "ARREARS_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)
ARREARS_EMAIL_HOST = os.environ.get("ARREARS_EMAIL_HOST", "localhost")
ARREARS_EMAIL_PORT = int(os.environ.get("ARREARS_EMAIL_PORT", "25"))
ARREARS_EMAIL_USER = os.environ.get("ARREARS_EMAIL_USER", "")
ARREARS_EMAIL_PASSWORD = os.environ.get("ARREARS_EMAIL_PASSWORD", "")
ARREARS_EMAIL_USE_TLS = env_bool("ARREARS_EMAIL_USE_TLS", False)
ARREARS_EMAIL_USE_SSL = env_bool("ARREARS_EMAIL_USE_SSL", False)
ARREARS_EMAIL_TIMEOUT = int(os.environ.get("ARREARS_EMAIL_TIMEOUT", "10"))
ARREARS_EMAIL_FROM = os.environ.get("ARREARS_EMAIL_FROM", "Arrears <no-reply@localhost>")
ARREARS_EMAIL_MESSAGE_ID_DOMAIN = os.environ.get(
    "ARREARS_EMAIL_MESSAGE_ID_DOMAIN", "arrears.invalid"
)
#: SMS: "http" (a Twilio-style provider API) or "recording" (kept in memory: demo, tests).
ARREARS_SMS_PROVIDER = os.environ.get("ARREARS_SMS_PROVIDER", "recording")
ARREARS_SMS_URL = os.environ.get("ARREARS_SMS_URL", "")
ARREARS_SMS_ACCOUNT = os.environ.get("ARREARS_SMS_ACCOUNT", "")
ARREARS_SMS_TOKEN = os.environ.get("ARREARS_SMS_TOKEN", "")
ARREARS_SMS_FROM = os.environ.get("ARREARS_SMS_FROM", "")
ARREARS_SMS_STATUS_CALLBACK = os.environ.get("ARREARS_SMS_STATUS_CALLBACK", "")
ARREARS_SMS_WEBHOOK_SECRET = os.environ.get("ARREARS_SMS_WEBHOOK_SECRET", "")
ARREARS_SMS_TIMEOUT = float(os.environ.get("ARREARS_SMS_TIMEOUT", "10"))
#: Letters: the folder a print-and-post service collects PDFs from, and who signs them.
ARREARS_LETTER_DIR = Path(os.environ.get("ARREARS_LETTER_DIR", WORK_DIR / "letters"))
ARREARS_LENDER_NAME = os.environ.get("ARREARS_LENDER_NAME", "Arrears Lending")
ARREARS_LAW_FIRM_NAME = os.environ.get("ARREARS_LAW_FIRM_NAME", "")
#: The dispatcher: retries with back-off (base · 2^n seconds), and the lease after which a
#: message left `sending` by a dead dispatcher is taken up again.
ARREARS_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("ARREARS_OUTBOX_MAX_ATTEMPTS", "6"))
ARREARS_OUTBOX_RETRY_SECONDS = int(os.environ.get("ARREARS_OUTBOX_RETRY_SECONDS", "60"))
ARREARS_OUTBOX_LEASE_SECONDS = int(os.environ.get("ARREARS_OUTBOX_LEASE_SECONDS", "300"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ARREARS_LOG_LEVEL", "WARNING")},
}
