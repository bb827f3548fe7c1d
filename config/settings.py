"""Settings, read from the environment and parsed strictly (see ``config/env.py``).

Two modes:
- development / tests (default): SQLite unless ``DATABASE_URL`` is set, insecure dev secret key;
- production (``PRODUCTION=true``): refuses to start without ``SECRET_KEY`` and ``ALLOWED_HOSTS``,
  turns on secure cookies, HSTS, SSL redirect and WhiteNoise's compressed manifest storage.
"""

import os
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from tempfile import gettempdir
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from core.env import env_bool, env_decimal, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

PRODUCTION = env_bool("PRODUCTION", False)
DEBUG = env_bool("DEBUG", False)

if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("DEBUG=true is not allowed with PRODUCTION=true.")
    SECRET_KEY = env_str("SECRET_KEY")
    if not SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("PRODUCTION=true requires SECRET_KEY (at least 50 random characters).")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("PRODUCTION=true requires ALLOWED_HOSTS (comma-separated host names).")
else:
    SECRET_KEY = env_str("SECRET_KEY", "dev-only-secret-key-not-for-production-7f3a9c1e5b2d8f4a6c0e9b1d3f5a7c9e")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Links in e-mails: SITE_URL, else the address `make run` serves (its HOST and PORT).
_SERVED_HOST = env_str("HOST", "127.0.0.1")
_SERVED_HOST = "127.0.0.1" if _SERVED_HOST in ("0.0.0.0", "::") else _SERVED_HOST  # noqa: S104
_SERVED_HOST = f"[{_SERVED_HOST}]" if ":" in _SERVED_HOST else _SERVED_HOST
SITE_URL = env_str("SITE_URL", f"http://{_SERVED_HOST}:{env_int('PORT', 8000, minimum=1)}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "widget_tweaks",
    "dsfr",
    "crispy_forms",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "csp",
    # The project's apps, from the bottom up: each one builds only on those listed before it.
    "core",
    "accounts",
    "campaigns",
    "requests_app",
    "allocations",
    "reports",
    "reminders",
    "verification",
    "home",
    "demo",  # the generator of demo and benchmark data (``seed_demo``): on top, imported by no app
]

MIDDLEWARE = [
    "core.observability.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.PrivateResponsesMiddleware",
    "core.middleware.RejectNulMiddleware",
    "core.middleware.FormMethodsOnlyMiddleware",
    "core.middleware.LoginRequiredMiddleware",
    "core.middleware.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "home.context_processors.service",
            ],
            "builtins": ["core.templatetags.hse"],  # |fr, |jour, |jour_heure everywhere
        },
    }
]


DATABASE_URL = env_str("DATABASE_URL")
# A database that accepts connections but never answers must not hold every request until the worker is
# killed: connecting gives up after DB_CONNECT_TIMEOUT seconds, a statement after DB_STATEMENT_TIMEOUT (0: none).
DB_CONNECT_TIMEOUT = env_int("DB_CONNECT_TIMEOUT", 3, minimum=1)
DB_STATEMENT_TIMEOUT = env_int("DB_STATEMENT_TIMEOUT", 30, minimum=0)
# The planner's cost of reading a page out of order: PostgreSQL's default (4) is meant for spinning disks and
# makes it scan a whole campaign's requests to keep one region's; 1.1 suits SSDs and memory-resident data (the
# regional board's grouped query at 10x: 6 ms -> 1.8 ms). 0 leaves the server's setting.
DB_RANDOM_PAGE_COST = env_decimal("DB_RANDOM_PAGE_COST", Decimal("1.1"), minimum=Decimal(0))
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0), conn_health_checks=True
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # sqlite:/// URLs take none of these
        _options = DATABASES["default"].setdefault("OPTIONS", {})
        _options.setdefault("connect_timeout", DB_CONNECT_TIMEOUT)
        _server = [f"-c statement_timeout={DB_STATEMENT_TIMEOUT * 1000}"] if DB_STATEMENT_TIMEOUT else []
        if DB_RANDOM_PAGE_COST:
            _server.append(f"-c random_page_cost={DB_RANDOM_PAGE_COST}")
        if _server:
            _options["options"] = " ".join([_options.get("options", ""), *_server]).strip()
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {
                # Writers queue instead of failing with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # A file (one per test run), so that the worker and server processes started by tests/operations
            # share it.
            "TEST": {"NAME": env_str("SQLITE_TEST_PATH", str(Path(gettempdir()) / f"hse-test-{os.getpid()}.sqlite3"))},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# ProConnect (OpenID Connect) for State agents, off unless configured; see accounts/proconnect.py.
PROCONNECT_DISCOVERY_URL = env_str("PROCONNECT_DISCOVERY_URL")
OIDC_RP_CLIENT_ID = env_str("PROCONNECT_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("PROCONNECT_CLIENT_SECRET")
if PROCONNECT_DISCOVERY_URL:
    if not (OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET):
        raise ImproperlyConfigured(
            "PROCONNECT_DISCOVERY_URL requires PROCONNECT_CLIENT_ID and PROCONNECT_CLIENT_SECRET."
        )
    AUTHENTICATION_BACKENDS.append("accounts.proconnect.ProConnectBackend")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = env_str("PROCONNECT_SCOPES", "openid email given_name usual_name")
OIDC_AUTH_REQUEST_EXTRA_PARAMS = {"acr_values": env_str("PROCONNECT_ACR_VALUES", "eidas1")}
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:proconnect_callback"
OIDC_CREATE_USER = False
OIDC_STORE_ID_TOKEN = True  # ended at ProConnect too on sign-out (id_token_hint)
OIDC_TIMEOUT = env_int("PROCONNECT_TIMEOUT_SECONDS", 10, minimum=1)

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions end after a period of inactivity: activity pushes the expiry back (at most once a minute, see
# config/middleware.py).
SESSION_IDLE_TIMEOUT_MINUTES = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 60, minimum=1)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Reverse proxies in front of the application: the client's address is the one the outermost of them saw
# (core/network.py); without proxies, X-Forwarded-For is ignored.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)

# Lockout after repeated failed sign-ins (django-axes), per account *and* client address: a stranger who types
# wrong passwords locks out their own attempts, never the account's owner elsewhere. The account is the e-mail
# address normalised like every sign-in form does (accounts/signin.py), at /connexion/ and /admin/login/ alike.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.signin.axes_username"
AXES_CLIENT_IP_CALLABLE = "core.network.client_ip"
AXES_VERBOSE = False

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"  # never routed: stored documents are only served through views that check permissions

# Stored documents (frozen PDFs, letters, generated national documents) go through Django's storage API: the
# local MEDIA_ROOT by default, an S3-compatible bucket when S3_BUCKET is set (every node then shares them).
S3_BUCKET = env_str("S3_BUCKET")
if S3_BUCKET:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL"),
            "region_name": env_str("S3_REGION"),
            "access_key": env_str("S3_ACCESS_KEY_ID"),
            "secret_key": env_str("S3_SECRET_ACCESS_KEY"),
            "location": env_str("S3_PREFIX", ""),
            "addressing_style": env_str("S3_ADDRESSING_STYLE", "path"),
            "signature_version": "s3v4",
            "default_acl": None,  # the bucket's own (private) policy
            "file_overwrite": False,  # a frozen document is never replaced
            "querystring_auth": True,
            "querystring_expire": env_int("S3_URL_EXPIRE_SECONDS", 60, minimum=1),
        },
    }
elif PRODUCTION and env_bool("REQUIRE_SHARED_STORAGE", False):
    raise ImproperlyConfigured("REQUIRE_SHARED_STORAGE=true needs S3_BUCKET (documents shared by every node).")
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}

STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "core.staticfiles.StaticFilesStorage"  # WhiteNoise's, each address worked out once
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Outside production WhiteNoise serves straight from the apps' static folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

CRISPY_ALLOWED_TEMPLATE_PACKS = ("crispy_dsfr",)
CRISPY_TEMPLATE_PACK = "crispy_dsfr"
CRISPY_FAIL_SILENTLY = False

# E-mail: SMTP when EMAIL_HOST is set, otherwise printed on the console (development).
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
elif PRODUCTION:
    raise ImproperlyConfigured("PRODUCTION=true requires EMAIL_HOST (receipts, notifications, password reset).")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Seconds for each SMTP operation: a silent mail server never holds a worker long (requests never wait on it).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
# The outbox (core/outbox.py): a temporary refusal is retried, first after EMAIL_RETRY_FIRST_SECONDS, then
# doubling up to EMAIL_RETRY_MAX_SECONDS between attempts, for EMAIL_RETRY_HOURS (at least 24 h).
EMAIL_RETRY_HOURS = env_int("EMAIL_RETRY_HOURS", 48, minimum=24)
EMAIL_RETRY_FIRST_SECONDS = env_int("EMAIL_RETRY_FIRST_SECONDS", 60, minimum=1)
EMAIL_RETRY_MAX_SECONDS = env_int("EMAIL_RETRY_MAX_SECONDS", 3600, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "HSE appui personnalisé <ne-pas-repondre@hse-appui.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The service's contact address shown on the accessibility statement (none shown when unset).
CONTACT_EMAIL = env_str("CONTACT_EMAIL", "")
if CONTACT_EMAIL and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", CONTACT_EMAIL):
    raise ImproperlyConfigured(f"CONTACT_EMAIL : « {CONTACT_EMAIL} » n'est pas une adresse électronique.")

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Only the service's own scripts, styles, fonts and images (the DSFR's icons include data: images); no inline
# script or style anywhere (templates load static files only).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if PROCONNECT_DISCOVERY_URL:
    # Signing out of ProConnect: the sign-out form's answer sends the browser on to ProConnect's end-session page.
    _proconnect = urlsplit(PROCONNECT_DISCOVERY_URL)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(f"{_proconnect.scheme}://{_proconnect.netloc}")
# Browser features the service never uses (core.middleware.PrivateResponsesMiddleware sends it).
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=(), xr-spatial-tracking=()"
)
CSRF_COOKIE_HTTPONLY = False

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    if env_bool("TRUST_X_FORWARDED_PROTO", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# Background tasks: Django's tasks API (django-tasks) on the project's database (django-tasks-db), run by
# `manage.py worker` processes. TASKS_BACKEND=immediate runs each task in the caller once its transaction has
# committed (tests, scripts).
TASKS_BACKEND = env_str("TASKS_BACKEND", "database")
if TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "core.tasks.ImmediateOnCommitBackend"}}
else:
    raise ImproperlyConfigured(f"TASKS_BACKEND={TASKS_BACKEND!r}: use database or immediate.")
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 5, minimum=1)
WORKER_STALE_SECONDS = env_int("WORKER_STALE_SECONDS", 30, minimum=2)
if WORKER_STALE_SECONDS < 2 * WORKER_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured("WORKER_STALE_SECONDS must be at least twice WORKER_HEARTBEAT_SECONDS.")

# Logs on standard output: one JSON object a line (LOG_FORMAT=json, the default in production) or plain text;
# one line per request (core.observability) and per task (core.tasks), with duration and outcome.
LOG_FORMAT = env_str("LOG_FORMAT", "json" if PRODUCTION else "text")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "{asctime} {levelname} {name} {message}", "style": "{"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "{asctime}{levelname}{name}{message}",
            "style": "{",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "django.server": {"level": "WARNING"},  # runserver's access lines: the request log says it all
        "django_tasks": {"level": "WARNING"},  # the task log line (hse.tasks) says it all
        "django_tasks_db": {"level": "WARNING"},
    },
}

# Errors to Sentry (or a compatible service) when SENTRY_DSN is set: requests, tasks and error logs.
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "production" if PRODUCTION else "development"),
        traces_sample_rate=float(env_int("SENTRY_TRACES_PERCENT", 0, minimum=0)) / 100,
        send_default_pii=False,
    )

# The benchmark's reference page (a bare view behind the same middleware), only when asked for.
BENCHMARK_FLOOR = env_bool("BENCHMARK_FLOOR", False)

# The public document check page (/verifier/): at most this many checks per client address and window.
VERIFICATION_RATE_LIMIT = env_int("VERIFICATION_RATE_LIMIT", 20, minimum=1)
VERIFICATION_RATE_WINDOW_MINUTES = env_int("VERIFICATION_RATE_WINDOW_MINUTES", 10, minimum=1)

# Product settings
SERVICE_NAME = "HSE appui personnalisé"
HSE_WEEKLY_MAX = 20  # sensible upper bound for one level's request, in HSE per week
