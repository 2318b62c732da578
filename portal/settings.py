"""The one settings module. Everything that differs between machines comes from the environment.

Defaults are for a developer's laptop: SQLite, tasks run in-process, mail on the console. The README
lists every variable.
"""
import zoneinfo
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.env import env_bool, env_choice, env_int, env_list, env_networks, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "string (for example from `python -c 'import secrets; print(secrets.token_urlsafe(50))'`), "
            "or set DEBUG=true for local development."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not ALLOWED_HOSTS and not DEBUG:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. Set it to the host names people reach the portal at "
        "(comma-separated, e.g. hall.example.gov.cn), or set DEBUG=true for local development."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Before the admin, so the admin's forms know the translated fields.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "django_prometheus",
    "portal.accounts",
    "portal.notifications",
    "portal.hall",
    "portal.cases",
    "services",
    "volunteers",
    "points",
    "suggestions",
    "portal",
]

MIDDLEWARE = [
    # First: the request id is set before anything logs; the access line is the last thing written.
    "portal.observability.RequestIdMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "portal.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.LoginRedirectMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.DomainErrorMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last, so it sees the flag a refused sign-in left on the request and answers 429 instead.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_url("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
                       schemes=("sqlite", "postgres", "postgresql", "pgsql"))
try:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for the write lock instead of failing at once when two requests write together.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and cache -----------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", "", schemes=("redis", "rediss", "unix"))
# Seconds to wait for Redis (connect and each command) before giving up. A request hands its
# notifications to the broker after the commit; with Redis down it must answer at once, and the
# outbox re-send delivers later. Without these, kombu and redis-py retry for ~20 s.
REDIS_TIMEOUT = env_int("REDIS_TIMEOUT", 1, minimum=1)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal",
            "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 5000}}
    }
    # Without a broker, tasks run in the calling process, so the laptop setup needs no worker.
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Shanghai"
# /healthz waits at most this long (milliseconds) for each of database, cache and broker.
HEALTHZ_TIMEOUT_MS = env_int("HEALTHZ_TIMEOUT_MS", 1000, minimum=50)
if HEALTHZ_TIMEOUT_MS > 1000:
    raise ImproperlyConfigured(f"HEALTHZ_TIMEOUT_MS must be at most 1000, got {HEALTHZ_TIMEOUT_MS}.")

# --- Page cache (portal/pagecache.py): pages kept until the next write to the database ----------
PAGE_CACHE = env_bool("PAGE_CACHE", True)
# What changes with the clock alone (a slot starting, a deadline passing) shows within this.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 60, minimum=1)
# make bench only: mounts the floor views under /bench/ (portal/bench.py).
BENCH_FLOOR = env_bool("BENCH_FLOOR", False)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The worker keeps the LOGGING below (JSON lines with the request id) instead of its own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing: one try, short socket timeouts (the outbox makes a failed hand-over harmless). The
# worker still reconnects when Redis comes back (broker_connection_retry).
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": max(REDIS_TIMEOUT, 5), "max_retries": 0,
}
CELERY_TASK_PUBLISH_RETRY = False
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = max(REDIS_TIMEOUT, 5)
CELERY_REDIS_RETRY_ON_TIMEOUT = False
# A task that runs longer is stopped: SoftTimeLimitExceeded first, then the process is killed.
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240, minimum=1)
if CELERY_TASK_SOFT_TIME_LIMIT >= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        f"CELERY_TASK_SOFT_TIME_LIMIT ({CELERY_TASK_SOFT_TIME_LIMIT}) must be below "
        f"CELERY_TASK_TIME_LIMIT ({CELERY_TASK_TIME_LIMIT})."
    )
# Periodic jobs (run by `celery -A portal beat`). Each app adds its entries below.
CELERY_BEAT_SCHEDULE: dict = {}

# --- Auth -------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:me"
LOGOUT_REDIRECT_URL = "home"
# Axes first: it refuses a locked-out account or address before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Sign-in throttling (django-axes) ---------------------------------------------------------
# After LOGIN_FAILURE_LIMIT wrong passwords for one account (from anywhere) or from one address
# (for any account), signing in there is refused with 429 for LOGIN_COOLOFF_MINUTES; every refused
# try starts the pause again. The sign-in page, the admin's and the API token endpoint all count.
# LOGIN_LOCKOUT_PARAMETERS: comma-separated, "username", "ip_address", or both joined with "+"
# for the pair (behind a proxy that hides client addresses, use "username" alone).
AXES_ENABLED = env_bool("LOGIN_THROTTLE_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [
    item if "+" not in item else [part.strip() for part in item.split("+")]
    for item in env_list("LOGIN_LOCKOUT_PARAMETERS", ["username", "ip_address"])
]
for _parameter in AXES_LOCKOUT_PARAMETERS:
    for _name in [_parameter] if isinstance(_parameter, str) else _parameter:
        if _name not in ("username", "ip_address"):
            raise ImproperlyConfigured(
                f"LOGIN_LOCKOUT_PARAMETERS may name only username and ip_address, got {_name!r}."
            )
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_LOCKOUT_CALLABLE = "portal.accounts.views.locked_out"
# The client's address is the one nginx saw (X-Forwarded-For from a trusted proxy only, see
# portal/observability.py), so a lockout by address locks the person, not the proxy.
AXES_CLIENT_IP_CALLABLE = "portal.observability.client_ip"
# Sign-in attempts keep no passwords; the access log of successful sign-ins is kept for staff.
AXES_SENSITIVE_PARAMETERS = ["password", "password1", "password2", "old_password", "new_password1", "new_password2"]

# --- Internationalisation ---------------------------------------------------------------------
# Filters' empty choice reads "All" (in the page's language), not django-filter's "---------".
FILTERS_EMPTY_CHOICE_LABEL = _("All")
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# django-modeltranslation: each translated field has a column per language (name_zh_hans, name_en);
# an English column left empty falls back to the Chinese one.
MODELTRANSLATION_DEFAULT_LANGUAGE = "zh-hans"
MODELTRANSLATION_LANGUAGES = ("zh-hans", "en")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("zh-hans",)
# A record created in code while English is active (a test, a script) still gets its Chinese.
MODELTRANSLATION_AUTO_POPULATE = "default"
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE must be a time zone name such as Asia/Shanghai, got {TIME_ZONE!r}.")
USE_I18N = True
USE_TZ = True

# --- Static and media files -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Uploads that are personal (evidence, application materials) live here, with no URL: only a
# view that has checked who asks serves them (portal/files.py).
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private")))
# The largest upload portal/files.py accepts, and the largest image in pixels (decompression bombs).
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
UPLOAD_MAX_PIXELS = env_int("UPLOAD_MAX_PIXELS", 40_000_000)
# The largest request body, files included, refused with 413 before it is read
# (portal.middleware.RequestSizeLimitMiddleware): the largest upload plus room for the form.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", UPLOAD_MAX_BYTES + 1024 * 1024, minimum=1)
# Django's own caps: the non-file part of a body (more is a 400), and the size above which an
# uploaded file is streamed to a temporary file instead of held in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440, minimum=1)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 2_621_440, minimum=1)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Tests and `make run` serve files straight from static/ without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "tmp" / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "青年友好型政务大厅 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Outgoing webhook for notifications (a chat-work adapter); empty means off ----------------
NOTIFY_WEBHOOK_URL = env_str("NOTIFY_WEBHOOK_URL")
NOTIFY_WEBHOOK_TIMEOUT = env_int("NOTIFY_WEBHOOK_TIMEOUT", 5, minimum=1)
# The notification outbox: failed deliveries are retried with back-off, then given up (shown in
# the admin for staff to retry). A claimed row is claimed again after the lease, which must
# outlast a task's hard time limit so a live worker's row is never taken from it.
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 5, minimum=1)
NOTIFY_LEASE_SECONDS = env_int("NOTIFY_LEASE_SECONDS", 600, minimum=10)
NOTIFY_BATCH_SIZE = env_int("NOTIFY_BATCH_SIZE", 200, minimum=1)
NOTIFY_RESEND_SECONDS = env_int("NOTIFY_RESEND_SECONDS", 60, minimum=10)
if NOTIFY_LEASE_SECONDS <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        f"NOTIFY_LEASE_SECONDS ({NOTIFY_LEASE_SECONDS}) must be above CELERY_TASK_TIME_LIMIT "
        f"({CELERY_TASK_TIME_LIMIT})."
    )
CELERY_BEAT_SCHEDULE["notifications-resend"] = {
    "task": "portal.notifications.tasks.resend_notifications", "schedule": float(NOTIFY_RESEND_SECONDS),
}

# --- Security: secure by default once DEBUG is off ------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
# The proxies whose X-Forwarded-For (and X-Forwarded-Proto) we believe: nginx on this machine by
# default. A request from anywhere else is taken at its REMOTE_ADDR.
TRUSTED_PROXY_NETWORKS = env_networks("TRUSTED_PROXY_IPS", ["127.0.0.1", "::1"])
# /metrics answers only these addresses (404 for anyone else); Prometheus scrapes from here.
METRICS_ALLOWED_NETWORKS = env_networks("METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    # Only behind a proxy that sets X-Forwarded-Proto itself and strips it from clients.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp) on every response: scripts, styles, images and fonts only from
# this site, no inline script or style (templates use classes and static/js, static/css), no
# plugins, never framed, forms post only here. Images may also be data: URLs, which the admin's
# and Swagger UI's stylesheets use for their icons.
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
    },
}

# --- REST framework ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: a request without credentials then gets 401 with WWW-Authenticate (API.md),
    # where session-first would answer 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": env_int("API_PAGE_SIZE", 20, minimum=1),
    "DEFAULT_SCHEMA_CLASS": "portal.schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "portal.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Youth service hall portal API",
    "DESCRIPTION": "One-thing services, bookings, cases, teams, Qingfeng points and golden ideas.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from our own static files: nothing loads from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Logging ----------------------------------------------------------------------------------
# One line a record on standard output (journald keeps it). LOG_FORMAT=json (the default once
# DEBUG is off) writes one JSON object a line with the request id (portal/observability.py);
# every request writes one access line (logger portal.access).
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMAT = env_choice("LOG_FORMAT", "text" if DEBUG else "json", ("json", "text"))
LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", _LEVELS)
# One line a request, at INFO: on by default once DEBUG is off, unless LOG_LEVEL asks for less.
ACCESS_LOG = env_bool("ACCESS_LOG", not DEBUG and LOG_LEVEL in ("DEBUG", "INFO"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.observability.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "portal.observability.JsonFormatter"},
        "text": {"format": "%(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # django-axes logs every successful sign-in at INFO; failures and lockouts are warnings.
        "axes": {"level": env_choice("LOGIN_LOG_LEVEL", "WARNING", _LEVELS)},
        # One line a request; ACCESS_LOG=false leaves it to nginx's own access log.
        "portal.access": {"level": "INFO" if ACCESS_LOG else "WARNING"},
        # Django's own per-request lines repeat what portal.access says.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}

# --- The hall itself: shown in the footer of every page, used for absolute links ---------------
# SITE_URL is the address people reach the portal at; links in e-mails and webhook messages start
# with it. The contact values default to the demo hall's (translated); set them for a real hall.
SITE_URL = env_url("SITE_URL", "http://localhost:8000", schemes=("http", "https")).rstrip("/")
HALL_CONTACT = {
    "address": env_str("HALL_ADDRESS") or _("Youth Zone, Government Service Centre, 1 Innovation Avenue, Development Zone"),
    "hours": env_str("HALL_OPENING_HOURS") or _("Monday to Friday 9:00-12:00 and 13:30-17:30; Saturday 9:00-12:00"),
    "phone": env_str("HALL_PHONE", "0571-8888 1234"),
    "host": env_str("HALL_HOST_ORGANISATION") or _("Development Zone Administrative Approval Bureau"),
}

# --- The hall's own rules ---------------------------------------------------------------------
# Each app keeps its tunable rules here, read from the environment; code reads them at call time.
BOOKING_CANCEL_CUTOFF_HOURS = env_int("BOOKING_CANCEL_CUTOFF_HOURS", 2, minimum=0)
# Booking: how many days ahead the slot picker lists open slots.
BOOKING_PICKER_DAYS = env_int("BOOKING_PICKER_DAYS", 21, minimum=1)
# Booking: how many active (booked or checked-in, from today on) bookings one person may hold for
# the same bundle or item at once; 0 lifts the cap.
BOOKING_MAX_ACTIVE_PER_PERSON = env_int("BOOKING_MAX_ACTIVE_PER_PERSON", 1, minimum=0)
# The queue at the windows (services). A person may check themselves in from the booking page on
# the booking's day, from QUEUE_CHECK_IN_EARLY_MINUTES before the slot starts until
# QUEUE_CHECK_IN_LATE_MINUTES after; the desk checks in anyone booked for the day. A window
# marks a number as a no-show only after calling it again QUEUE_MAX_RECALLS times. The calling
# screen reloads itself every QUEUE_SCREEN_REFRESH_SECONDS.
QUEUE_CHECK_IN_EARLY_MINUTES = env_int("QUEUE_CHECK_IN_EARLY_MINUTES", 60, minimum=0)
QUEUE_CHECK_IN_LATE_MINUTES = env_int("QUEUE_CHECK_IN_LATE_MINUTES", 30, minimum=0)
QUEUE_MAX_RECALLS = env_int("QUEUE_MAX_RECALLS", 2, minimum=0)
QUEUE_SCREEN_REFRESH_SECONDS = env_int("QUEUE_SCREEN_REFRESH_SECONDS", 5, minimum=1)
# Reminders to applicants (services): the day before their visit (BOOKING_REMINDER_DAY_BEFORE_HOURS
# before the slot starts) and shortly before it (BOOKING_REMINDER_SOON_HOURS), by site, mail and
# webhook, once per appointment time; 0 switches one off. The sweep runs every
# BOOKING_REMINDER_SWEEP_SECONDS and reads BOOKING_REMINDER_BATCH_SIZE bookings per query.
BOOKING_REMINDER_DAY_BEFORE_HOURS = env_int("BOOKING_REMINDER_DAY_BEFORE_HOURS", 24, minimum=0)
BOOKING_REMINDER_SOON_HOURS = env_int("BOOKING_REMINDER_SOON_HOURS", 2, minimum=0)
BOOKING_REMINDER_SWEEP_SECONDS = env_int("BOOKING_REMINDER_SWEEP_SECONDS", 300, minimum=10)
BOOKING_REMINDER_BATCH_SIZE = env_int("BOOKING_REMINDER_BATCH_SIZE", 200, minimum=1)
CELERY_BEAT_SCHEDULE["booking-reminders"] = {
    "task": "services.tasks.booking_reminders_sweep", "schedule": float(BOOKING_REMINDER_SWEEP_SECONDS),
}
# Pre-check of materials (材料预审, services). The department checks an upload within this many
# working days, and by the visit's start at the latest; uploads get a reminder on the due day at
# PRECHECK_REMINDER_HOUR and one once overdue. A booking whose materials are not all accepted
# PRECHECK_NOT_READY_HOURS before its start is flagged to the applicant and hall staff. Files are
# deleted PRECHECK_RETENTION_DAYS after the booking's slot ends (the record of what was checked
# stays). Each file at most PRECHECK_MAX_BYTES and (PDF) PRECHECK_MAX_PAGES pages; at most PRECHECK_MAX_FILES files a version.
PRECHECK_DEADLINE_WORKING_DAYS = env_int("PRECHECK_DEADLINE_WORKING_DAYS", 1, minimum=0)
PRECHECK_REMINDER_HOUR = env_int("PRECHECK_REMINDER_HOUR", 9, minimum=0)
if PRECHECK_REMINDER_HOUR > 23:
    raise ImproperlyConfigured(f"PRECHECK_REMINDER_HOUR must be an hour from 0 to 23, got {PRECHECK_REMINDER_HOUR}.")
PRECHECK_NOT_READY_HOURS = env_int("PRECHECK_NOT_READY_HOURS", 24, minimum=1)
PRECHECK_RETENTION_DAYS = env_int("PRECHECK_RETENTION_DAYS", 30, minimum=0)
PRECHECK_MAX_BYTES = env_int("PRECHECK_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
PRECHECK_MAX_PAGES = env_int("PRECHECK_MAX_PAGES", 20, minimum=1)
PRECHECK_MAX_FILES = env_int("PRECHECK_MAX_FILES", 10, minimum=1)
PRECHECK_SWEEP_SECONDS = env_int("PRECHECK_SWEEP_SECONDS", 300, minimum=10)
PRECHECK_BATCH_SIZE = env_int("PRECHECK_BATCH_SIZE", 200, minimum=1)
CELERY_BEAT_SCHEDULE["precheck-reminders"] = {
    "task": "services.tasks.precheck_reminders_sweep", "schedule": PRECHECK_SWEEP_SECONDS,
}
CELERY_BEAT_SCHEDULE["precheck-files-purge"] = {"task": "services.tasks.precheck_files_purge", "schedule": 3600.0}

# Golden-ideas ledger (suggestions).
SUGGESTION_ANSWER_WORKING_DAYS = env_int("SUGGESTION_ANSWER_WORKING_DAYS", 10, minimum=1)
SUGGESTION_HOURLY_LIMIT = env_int("SUGGESTION_HOURLY_LIMIT", 5, minimum=1)
SUGGESTION_REOPEN_DAYS = env_int("SUGGESTION_REOPEN_DAYS", 15, minimum=0)
SUGGESTION_FOLLOWUP_DAYS = env_int("SUGGESTION_FOLLOWUP_DAYS", 7, minimum=0)
SUGGESTION_SWEEP_BATCH = env_int("SUGGESTION_SWEEP_BATCH", 200, minimum=1)
CELERY_BEAT_SCHEDULE["suggestions-overdue-answers"] = {
    "task": "suggestions.tasks.remind_overdue_answers", "schedule": 3600.0,
}
CELERY_BEAT_SCHEDULE["suggestions-follow-up"] = {"task": "suggestions.tasks.ask_follow_up", "schedule": 3600.0}

# Qingfeng points (points app). Star levels: a total (or a team's average) at or above the
# threshold earns that many stars; below the two-star threshold is one star.
POINTS_FIVE_STAR_MIN = env_int("POINTS_FIVE_STAR_MIN", 90, minimum=0)
POINTS_FOUR_STAR_MIN = env_int("POINTS_FOUR_STAR_MIN", 80, minimum=0)
POINTS_THREE_STAR_MIN = env_int("POINTS_THREE_STAR_MIN", 70, minimum=0)
POINTS_TWO_STAR_MIN = env_int("POINTS_TWO_STAR_MIN", 60, minimum=0)
# 政务服务好青年: members at or above this total, at most this many per team (best first).
POINTS_GOOD_YOUTH_MIN_TOTAL = env_int("POINTS_GOOD_YOUTH_MIN_TOTAL", 90, minimum=0)
POINTS_GOOD_YOUTH_PER_TEAM = env_int("POINTS_GOOD_YOUTH_PER_TEAM", 3, minimum=0)
# 青年先锋岗: teams whose average is at or above this.
POINTS_PIONEER_POST_MIN_AVERAGE = env_int("POINTS_PIONEER_POST_MIN_AVERAGE", 85, minimum=0)
POINTS_APPEAL_WINDOW_DAYS = env_int("POINTS_APPEAL_WINDOW_DAYS", 7, minimum=0)
POINTS_EVIDENCE_MAX_BYTES = env_int("POINTS_EVIDENCE_MAX_BYTES", 5 * 1024 * 1024, minimum=1)
POINTS_PER_SERVICE_HOUR = env_int("POINTS_PER_SERVICE_HOUR", 2, minimum=0)
POINTS_REMINDER_HOURS_BEFORE = env_int("POINTS_REMINDER_HOURS_BEFORE", 24, minimum=0)
CELERY_BEAT_SCHEDULE["points-stage-reminders"] = {"task": "points.tasks.send_period_reminders", "schedule": 3600.0}

# Cross-department cases (portal.cases): the reminder ladder. A reminder this many working days
# before a task's deadline, one on the day (both at CASE_REMINDER_HOUR local time), one once it is
# overdue, and an escalation to the committee reviewers and the lead department's officers when it
# is still open this many working days after the deadline. The sweep runs every CASE_REMINDER_SWEEP_SECONDS
# (Celery beat) and handles at most CASE_REMINDER_BATCH_SIZE tasks per query.
CASE_REMINDER_LEAD_WORKING_DAYS = env_int("CASE_REMINDER_LEAD_WORKING_DAYS", 1, minimum=0)
CASE_ESCALATION_GRACE_WORKING_DAYS = env_int("CASE_ESCALATION_GRACE_WORKING_DAYS", 2, minimum=0)
CASE_REMINDER_HOUR = env_int("CASE_REMINDER_HOUR", 9, minimum=0)
if CASE_REMINDER_HOUR > 23:
    raise ImproperlyConfigured(f"CASE_REMINDER_HOUR must be an hour from 0 to 23, got {CASE_REMINDER_HOUR}.")
CASE_REMINDER_SWEEP_SECONDS = env_int("CASE_REMINDER_SWEEP_SECONDS", 300, minimum=10)
CASE_REMINDER_BATCH_SIZE = env_int("CASE_REMINDER_BATCH_SIZE", 200, minimum=1)
# The task keeps the name it had in the services app (see portal/cases/tasks.py).
CELERY_BEAT_SCHEDULE["case-reminders-sweep"] = {
    "task": "services.tasks.case_reminders_sweep",
    "schedule": CASE_REMINDER_SWEEP_SECONDS,
}
# Volunteers: check-in opens this many minutes before an activity starts; check-in/out stay open
# this many hours after it ends; the calendar feeds cover this many days back and ahead.
VOLUNTEER_CHECK_IN_OPENS_MINUTES = env_int("VOLUNTEER_CHECK_IN_OPENS_MINUTES", 30, minimum=0)
VOLUNTEER_CHECK_OUT_GRACE_HOURS = env_int("VOLUNTEER_CHECK_OUT_GRACE_HOURS", 2, minimum=0)
VOLUNTEER_FEED_PAST_DAYS = env_int("VOLUNTEER_FEED_PAST_DAYS", 28, minimum=0)
VOLUNTEER_FEED_FUTURE_DAYS = env_int("VOLUNTEER_FEED_FUTURE_DAYS", 90, minimum=1)
# Volunteers: people signed up for an activity are reminded ACTIVITY_REMINDER_HOURS before it
# starts (site, mail, webhook; once per activity start; 0 switches it off), by a sweep every
# ACTIVITY_REMINDER_SWEEP_SECONDS reading ACTIVITY_REMINDER_BATCH_SIZE sign-ups per query.
ACTIVITY_REMINDER_HOURS = env_int("ACTIVITY_REMINDER_HOURS", 24, minimum=0)
ACTIVITY_REMINDER_SWEEP_SECONDS = env_int("ACTIVITY_REMINDER_SWEEP_SECONDS", 300, minimum=10)
ACTIVITY_REMINDER_BATCH_SIZE = env_int("ACTIVITY_REMINDER_BATCH_SIZE", 200, minimum=1)
CELERY_BEAT_SCHEDULE["activity-reminders"] = {
    "task": "volunteers.tasks.activity_reminders_sweep", "schedule": float(ACTIVITY_REMINDER_SWEEP_SECONDS),
}

# 好差评 (services): a person who has not rated a completed booking EVALUATION_INVITE_DAYS days
# after completion is invited once (bookings completed up to EVALUATION_INVITE_WITHIN_DAYS ago, so
# a first run does not invite for years-old visits). Every bad review opens a rectification due in
# RECTIFICATION_DAYS working days; its reminders and escalation use the case tasks' ladder
# (CASE_REMINDER_LEAD_WORKING_DAYS, CASE_ESCALATION_GRACE_WORKING_DAYS, CASE_REMINDER_HOUR).
EVALUATION_INVITE_DAYS = env_int("EVALUATION_INVITE_DAYS", 3, minimum=1)
EVALUATION_INVITE_WITHIN_DAYS = env_int("EVALUATION_INVITE_WITHIN_DAYS", 30, minimum=2)
EVALUATION_INVITE_BATCH_SIZE = env_int("EVALUATION_INVITE_BATCH_SIZE", 200, minimum=1)
RECTIFICATION_DAYS = env_int("RECTIFICATION_DAYS", 15, minimum=1)
if RECTIFICATION_DAYS > 250:
    raise ImproperlyConfigured(f"RECTIFICATION_DAYS must be 1 to 250 working days, got {RECTIFICATION_DAYS}.")
EVALUATION_SWEEP_SECONDS = env_int("EVALUATION_SWEEP_SECONDS", 900, minimum=10)
CELERY_BEAT_SCHEDULE["evaluation-sweep"] = {
    "task": "services.tasks.evaluation_sweep", "schedule": float(EVALUATION_SWEEP_SECONDS),
}
