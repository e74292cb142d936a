"""Settings of the fact-check claim database, all read from the environment.

Embedded defaults run the demo with nothing installed: SQLite, Celery tasks run eagerly in-process,
a local-memory cache, e-mail printed to the console. Production sets ``DATABASE_URL`` (PostgreSQL),
``REDIS_URL`` (Celery broker and cache), ``SECRET_KEY``, ``ALLOWED_HOSTS`` — see the README's table.

A malformed value stops the start with ``ImproperlyConfigured`` naming the variable, rather than
failing later (or worse, silently falling back to a default).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import environ
import langcodes
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off.")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def _database_from_url(url: str) -> dict[str, Any]:
    scheme = urlsplit(url).scheme
    if scheme not in {"postgres", "postgresql", "sqlite"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL has scheme {scheme!r}: use postgres://user:password@host:port/name "
            "or sqlite:////absolute/path.sqlite3."
        )
    try:
        config: dict[str, Any] = environ.Env.db_url_config(url)
    except Exception as exc:  # environ raises several types for malformed URLs
        raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from None
    if not config.get("NAME"):
        raise ImproperlyConfigured("DATABASE_URL names no database (the path after the host).")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    if config["ENGINE"] == "django.db.backends.postgresql":
        # Search (pg_trgm, lower()) needs a UTF-8 ctype; the test database is made from template0 with
        # UTF-8 so a server whose template1 is SQL_ASCII cannot give us a broken test database.
        config["TEST"] = {"TEMPLATE": "template0", "CHARSET": "UTF8"}
        config["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
        config["CONN_HEALTH_CHECKS"] = True
        config["ENGINE"] = "factcheck.postgresql"  # Django's, reading timestamps faster (its docstring)
    return config


def _redis_url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in {"redis", "rediss"} or not parts.hostname:
        raise ImproperlyConfigured(f"REDIS_URL={raw!r} is not a redis:// or rediss:// URL with a host.")
    try:
        parts.port  # noqa: B018 - raises ValueError on a non-numeric port
    except ValueError:
        raise ImproperlyConfigured(f"REDIS_URL={raw!r} has an invalid port.") from None
    return raw


def _language_code(raw: str) -> str:
    if not langcodes.tag_is_valid(raw):
        raise ImproperlyConfigured(f"LANGUAGE_CODE={raw!r} is not a valid BCP 47 language tag.")
    return langcodes.standardize_tag(raw).lower()


# --- Core -------------------------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see the README's table).")
    SECRET_KEY = "insecure-development-key-only-for-DEBUG-runs"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Absolute base of public URLs (API `url` fields, feeds, ClaimReview), without a trailing slash.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if urlsplit(SITE_URL).scheme not in {"http", "https"}:
    raise ImproperlyConfigured(f"SITE_URL={SITE_URL!r} must be an http(s) URL.")

# The newsroom, as named in ClaimReview markup and on the public site.
NEWSROOM_NAME = env_str("NEWSROOM_NAME", "Factcheck Demo Newsroom")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_ratelimit",
    "csp",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "claims",
    "sources",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "claims.pagecache.PageCacheMiddleware",  # last: it stores what the view rendered
]

ROOT_URLCONF = "factcheck.urls"
WSGI_APPLICATION = "factcheck.wsgi.application"

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
                "django.template.context_processors.i18n",
                "claims.context_processors.site",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL")
DATABASES = {
    "default": _database_from_url(DATABASE_URL)
    if DATABASE_URL
    else {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "db.sqlite3",
        # IMMEDIATE: a transaction takes the write lock at BEGIN, so two workflow steps on the same
        # claim queue up instead of failing with "database is locked" half-way.
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = _redis_url(env_str("REDIS_URL")) if env_str("REDIS_URL") else ""

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Seconds a rendered public page is kept for anonymous readers (claims.pagecache; 0: none). Any change
# to what the pages show replaces them at once; this bounds only changes made behind the ORM's back.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 60)

# Rate limits of the public forms (django-ratelimit counts in the default cache). Its checks flag
# Django's own Redis backend as "not officially supported" (its incr is Redis's atomic INCR) and the
# local-memory cache as not shared, which is true only across processes: the embedded default serves
# from one. Production sets REDIS_URL, and every process then counts in Redis.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"] + ([] if REDIS_URL else ["django_ratelimit.E003"])
# Submissions through the public forms ("submit a claim", complaints) per client IP.
PUBLIC_FORM_RATE = env_str("PUBLIC_FORM_RATE", "10/hour")
# Public searches (a `q` on /claims/) per client IP.
PUBLIC_SEARCH_RATE = env_str("PUBLIC_SEARCH_RATE", "120/minute")
# Behind a reverse proxy, the header that carries the client's address (e.g. HTTP_X_REAL_IP).
RATELIMIT_IP_META_KEY = env_str("RATELIMIT_IP_META_KEY", "") or None

# --- Background work --------------------------------------------------------------------------------

# Without a broker, tasks run eagerly in-process (the embedded demo); with REDIS_URL, a real worker.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a task killed mid-run is redelivered; tasks are idempotent
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A message a worker took and never acknowledged (it died mid-task) goes back to the queue after this
# many seconds. Longer than any task runs; the sweeps re-send lost work sooner where it matters.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=1)}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "flag-due-rechecks": {"task": "claims.tasks.flag_due_rechecks", "schedule": 3600.0},
    "refresh-recent-search-index": {"task": "claims.tasks.refresh_recent_search_index", "schedule": 3600.0},
    "sweep-duplicate-scans": {"task": "claims.tasks.sweep_duplicate_scans", "schedule": 300.0},
    "sweep-pending-fetches": {"task": "sources.tasks.sweep_pending_fetches", "schedule": 300.0},
    "sweep-claim-candidates": {"task": "claims.tasks.sweep_claim_candidates", "schedule": 300.0},
    "recheck-source-links": {"task": "sources.tasks.recheck_source_links", "schedule": 3600.0},
    "sweep-pending-imports": {"task": "claims.tasks.sweep_pending_imports", "schedule": 300.0},
    "sweep-notifications": {"task": "claims.tasks.sweep_notifications", "schedule": 300.0},
}

# Fetching a source's page (sources.fetching). Only public addresses are fetched; FETCH_ALLOWED_HOSTS
# names hosts (never IP literals) let through even when they resolve to private addresses, e.g. an
# intranet archive. Timeouts in seconds, the size cap in bytes of the (decompressed) body.
FETCH_ALLOWED_HOSTS = [host.lower().rstrip(".") for host in env_list("FETCH_ALLOWED_HOSTS", [])]
FETCH_CONNECT_TIMEOUT = env_int("FETCH_CONNECT_TIMEOUT", 5, minimum=1)
FETCH_READ_TIMEOUT = env_int("FETCH_READ_TIMEOUT", 15, minimum=1)
FETCH_MAX_BYTES = env_int("FETCH_MAX_BYTES", 5_000_000, minimum=1)
FETCH_MAX_REDIRECTS = env_int("FETCH_MAX_REDIRECTS", 5)
# Languages the detector may answer (ISO 639-1 codes known to py3langid).
FETCH_LANGUAGES = env_list("FETCH_LANGUAGES", ["vi", "en", "fr", "ru", "ar", "zh", "es", "de"])
for _code in FETCH_LANGUAGES:
    if not langcodes.tag_is_valid(_code):
        raise ImproperlyConfigured(f"FETCH_LANGUAGES has {_code!r}, which is not a language code like vi or en.")
#: Seconds before the first retry of a fetch that failed for a passing reason; doubled at each retry.
FETCH_RETRY_DELAY = env_int("FETCH_RETRY_DELAY", 60, minimum=1)
#: Cited sources' pages are fetched again this often to catch changed and vanished pages (link rot).
SOURCE_RECHECK_DAYS = env_int("SOURCE_RECHECK_DAYS", 30, minimum=1)
FETCH_USER_AGENT = env_str("FETCH_USER_AGENT", f"factcheck-claim-database/0.1 (+{SITE_URL})")

# --- E-mail -----------------------------------------------------------------------------------------

EMAIL_URL = env_str("EMAIL_URL")
if EMAIL_URL:
    try:
        vars().update(environ.Env.email_url_config(EMAIL_URL))
    except Exception as exc:
        raise ImproperlyConfigured(f"EMAIL_URL is malformed: {exc}") from None
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "factcheck@localhost")

# --- Auth -------------------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# --- Security ---------------------------------------------------------------------------------------

# Transport. The defaults follow SITE_URL: a site served over https (production, as the README sets it)
# redirects http to https, marks its cookies Secure and sends HSTS; one served over plain http (`make run`,
# the tests) does none of that, and `manage.py check --deploy` names each protection left off.
_HTTPS = urlsplit(SITE_URL).scheme == "https"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain http
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", _HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", _HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # Preloading is a commitment browsers keep for months, and anyone may submit a domain whose header
    # asks for it: the operator opts in (SECURE_HSTS_PRELOAD=1); leaving it off is not a finding.
    SILENCED_SYSTEM_CHECKS += ["security.W021"]
# Behind a proxy that terminates TLS: the header it sets to "https" on secure requests (X-Forwarded-Proto).
# Only behind such a proxy, and one that overwrites the header a client sends: otherwise anyone can claim
# a secure request. Unset, requests are secure when they reach Django over https.
_proxy_header = env_str("SECURE_PROXY_SSL_HEADER")
if _proxy_header and not all(part.isalnum() for part in _proxy_header.split("-")):
    raise ImproperlyConfigured(
        f"SECURE_PROXY_SSL_HEADER={_proxy_header!r} is not a header name like X-Forwarded-Proto."
    )
SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https") if _proxy_header else None

# Headers on every answer (pages, API, admin). Referrers stay on the site: search words are in our URLs.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): everything from this site, nothing inline, no nonces (a cached
# page would carry a stale one). Scripts and styles are static files; the JSON-LD block is data, which
# script-src does not govern. data: images are Swagger UI's icons, drawn in its stylesheet.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Request sizes. A body (JSON, a form) over 2.5 MB is refused with a 400 (the API's bodies and every form;
# the longest text the API takes, 500,000 characters, fits as UTF-8); an uploaded ClaimReview feed has the
# same cap, checked by its form. Uploads over 2.5 MB go to a temporary file, not memory. The admin's
# largest forms (a claim with its inlines) send a few hundred fields; the only file field takes one file.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 5

# Password and token guessing (factcheck.security), counted like the public forms' limits: failed admin
# logins per client address and username, and per address whatever the username; invalid API tokens per
# address. Rates as django-ratelimit reads them, "N/[multiplier]unit": 5/15m is five per 15 minutes.
# A refused editor waits until the window ends, at most its length, whatever an attacker keeps sending.
ADMIN_LOGIN_RATE = env_str("ADMIN_LOGIN_RATE", "5/15m")
ADMIN_LOGIN_ADDRESS_RATE = env_str("ADMIN_LOGIN_ADDRESS_RATE", "30/h")
API_INVALID_TOKEN_RATE = env_str("API_INVALID_TOKEN_RATE", "30/h")
for _name, _rate in (
    ("ADMIN_LOGIN_RATE", ADMIN_LOGIN_RATE),
    ("ADMIN_LOGIN_ADDRESS_RATE", ADMIN_LOGIN_ADDRESS_RATE),
    ("API_INVALID_TOKEN_RATE", API_INVALID_TOKEN_RATE),
):
    if not re.fullmatch(r"[1-9]\d*/([1-9]\d*)?(s|m|h|d|second|minute|hour|day)", _rate):
        raise ImproperlyConfigured(f"{_name}={_rate!r} is not a rate like 5/15m or 30/hour.")

# --- Languages and time -----------------------------------------------------------------------------

LANGUAGE_CODE = _language_code(env_str("LANGUAGE_CODE", "vi"))
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
if LANGUAGE_CODE not in {code for code, _name in LANGUAGES}:
    raise ImproperlyConfigured(
        f"LANGUAGE_CODE={LANGUAGE_CODE!r} has no interface catalogue: use one of "
        + ", ".join(code for code, _name in LANGUAGES)
    )
LOCALE_PATHS = [BASE_DIR / "factcheck" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Ho_Chi_Minh")
try:
    import zoneinfo

    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE={TIME_ZONE!r} is not a known time zone.") from None
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- API --------------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "factcheck.security.TokenAuthentication",  # DRF's, counting invalid tokens per address
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["sources.api.ReadOrAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "sources.api.Cursor",
    "DEFAULT_THROTTLE_CLASSES": ["sources.api.AnonThrottle", "sources.api.UserThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "sources.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": ["sources.api.SafeJSONParser"],  # the API speaks JSON only
    "DEFAULT_RENDERER_CLASSES": [
        "sources.api.OrjsonRenderer",  # DRF's JSON bytes, written by orjson
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_VERSIONING_CLASS": None,
    "UNICODE_JSON": True,
    "STRICT_JSON": True,
}
# Requests per client: "N/second|minute|hour|day". Anonymous by IP, tokens by user.
API_ANON_RATE = env_str("API_ANON_RATE", "300/minute")
API_USER_RATE = env_str("API_USER_RATE", "3000/minute")
for _name, _rate in (
    ("API_ANON_RATE", API_ANON_RATE),
    ("API_USER_RATE", API_USER_RATE),
    ("PUBLIC_FORM_RATE", PUBLIC_FORM_RATE),
    ("PUBLIC_SEARCH_RATE", PUBLIC_SEARCH_RATE),
):
    _count, _slash, _period = _rate.partition("/")
    if not _count.isdigit() or _period not in {"second", "minute", "hour", "day", "s", "m", "h", "d"}:
        raise ImproperlyConfigured(f"{_name}={_rate!r} is not a rate like 300/minute.")

SPECTACULAR_SETTINGS = {
    "TITLE": "Fact-check claim database API",
    "DESCRIPTION": (
        "Published claims and verdicts, their sources and ClaimReview markup. Reads are open (throttled); "
        "writes need a token (`Authorization: Token <key>`) and follow the newsroom's editorial workflow. "
        'Errors are JSON: `{"error": {"status", "code", "message", "fields"}}`. Text limits: claim '
        "5,000 characters, quote 5,000, verdict explanation 20,000, headline 300, source text 500,000."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "SourceKindEnum": "sources.models.SourceKind",
        "ActorKindEnum": "sources.models.Actor.Kind",
        "ClaimStatusEnum": "claims.models.ClaimStatus",
    },
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "claims.api.document_errors"],
}

# --- Logging ----------------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO").upper()},
    # Eager tasks would log every run at INFO; the worker logs its own.
    "loggers": {"celery.app.trace": {"level": "WARNING"}},
}
