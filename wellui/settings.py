"""Settings for wellui, read from the environment.

Development defaults are safe to run on a laptop: debug on, a SQLite file in the project, and the
local WellApp sandbox as the upstream. With ``DJANGO_DEBUG`` off, the process refuses to start
until a real secret key and a WellApp token are configured.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

_DEV_SECRET_KEY = "django-insecure-wellui-development-only"
SANDBOX_TOKEN = "sandbox-token"


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean environment variable ("1", "true", "yes", "on" are true)."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated environment variable."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_pool_sizes(name: str, default: tuple[int, int]) -> tuple[int, int] | None:
    """Read a connection pool's (min, max) sizes: unset or "0" is no pool, "1" the default
    sizes, "MIN:MAX" chosen ones."""
    raw = (os.environ.get(name) or "").strip().lower()
    if raw in {"", "0", "false", "no", "off"}:
        return None
    if raw in {"1", "true", "yes", "on"}:
        return default
    low, _, high = raw.partition(":")
    if not (low.isdigit() and high.isdigit()) or not 0 <= int(low) <= int(high) or not int(high):
        raise ImproperlyConfigured(
            f"{name} must be 1 (a pool of {default[0]} to {default[1]} connections) or MIN:MAX "
            f"with 0 <= MIN <= MAX and MAX >= 1, e.g. 2:8; not {raw!r}."
        )
    return int(low), int(high)


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "") or _DEV_SECRET_KEY

WELL_API_URL = os.environ.get("WELL_API_URL", "").rstrip("/") or "http://127.0.0.1:8001/v1"
WELL_API_TOKEN = os.environ.get("WELL_API_TOKEN", "") or (SANDBOX_TOKEN if DEBUG else "")
WELL_API_TIMEOUT = float(os.environ.get("WELL_API_TIMEOUT", "") or 10)
WELL_DEFAULT_REGION = os.environ.get("WELL_DEFAULT_REGION", "") or "US"
# Longest a create may keep a web worker waiting for WellApp, retries included.
WELL_CREATE_BUDGET = float(os.environ.get("WELL_CREATE_BUDGET", "") or 15)
# How many creates per second an import sends at most (WellApp's rate limits are undocumented).
WELL_IMPORT_SENDS_PER_SECOND = float(os.environ.get("WELL_IMPORT_SENDS_PER_SECOND", "") or 5)

# /metrics answers a scraper sending "Authorization: Bearer <this>"; unset, /metrics is 404.
WELLUI_METRICS_TOKEN = os.environ.get("WELLUI_METRICS_TOKEN", "").strip()
# Errors go to Sentry when a DSN is set (phones.error_reports); nothing is sent otherwise.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "").strip()
SENTRY_ENVIRONMENT = os.environ.get("SENTRY_ENVIRONMENT", "").strip() or (
    "development" if DEBUG else "production"
)

# A delivery of a queued create claims its entry for this long (longer than one attempt may
# take), so a worker killed mid-send frees it again after this many seconds.
OUTBOX_CLAIM_SECONDS = float(os.environ.get("WELLUI_OUTBOX_CLAIM_SECONDS", "") or 60)
# The scheduler (manage.py run_scheduler): how often each job runs, in seconds.
SCHEDULER_INTERVALS = {
    "outbox": float(os.environ.get("WELLUI_SCHEDULE_OUTBOX_SECONDS", "") or 60),
    "requeue_tasks": float(os.environ.get("WELLUI_SCHEDULE_REQUEUE_SECONDS", "") or 60),
    "upstream_probe": float(os.environ.get("WELLUI_SCHEDULE_PROBE_SECONDS", "") or 60),
    "prune": float(os.environ.get("WELLUI_SCHEDULE_PRUNE_SECONDS", "") or 3600),
}
# A task still running after this many minutes is taken to have lost its worker and is run
# again; finished task rows, and django-axes rows, older than these many days are deleted.
TASK_LEASE_MINUTES = float(os.environ.get("WELLUI_TASK_LEASE_MINUTES", "") or 10)
TASK_RETENTION_DAYS = float(os.environ.get("WELLUI_TASK_RETENTION_DAYS", "") or 7)
AXES_RETENTION_DAYS = float(os.environ.get("WELLUI_AXES_RETENTION_DAYS", "") or 30)
if OUTBOX_CLAIM_SECONDS < 30 or min(SCHEDULER_INTERVALS.values()) <= 0:
    raise ImproperlyConfigured(
        "WELLUI_OUTBOX_CLAIM_SECONDS must be at least 30 and every WELLUI_SCHEDULE_*_SECONDS "
        "above 0."
    )

if not DEBUG:
    _missing = []
    if SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 32:
        _missing.append("DJANGO_SECRET_KEY (at least 32 random characters)")
    if not WELL_API_TOKEN:
        _missing.append("WELL_API_TOKEN (the WellApp API bearer token)")
    if _missing:
        raise ImproperlyConfigured(
            "DJANGO_DEBUG is off, so wellui needs real secrets. Missing: " + "; ".join(_missing)
        )

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_htmx",
    # Before django_tasks_db: its db_worker command is phones' own (survives database outages).
    "phones",
    "django_tasks_db",
]

MIDDLEWARE = [
    # First, so every later middleware, view and log line runs under the request's id.
    "phones.middleware.request_id_middleware",
    # Before any host check or HTTPS redirect: /healthz, /readyz and /metrics answer a load
    # balancer or scraper that reaches an instance by its address over plain http.
    "phones.probes.probe_middleware",
    "phones.probes.request_metrics_middleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Early, so request.htmx is set for every later middleware and for the answers they give
    # themselves: the login redirect, the CSRF failure view, the error pages.
    "django_htmx.middleware.HtmxMiddleware",
    "phones.middleware.no_store_middleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "phones.middleware.session_refresh_middleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "phones.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

if not DEBUG:
    # In development, runserver serves static files itself.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

ROOT_URLCONF = "wellui.urls"

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
                "django.template.context_processors.csp",
                "phones.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "wellui.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "") or 60),
        # A kept connection is checked before use; with DATABASE_POOL, Django makes the pool
        # check each connection before handing it out, so one a PostgreSQL restart closed is
        # replaced, never served (tests/test_database_pool.py).
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server, the sync command and the task worker read while one writes.
    # A 64 MiB page cache per connection (kept between requests by CONN_MAX_AGE) holds the
    # indexes that searches and filters walk.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

# A pool of PostgreSQL connections per process, shared by its threads, instead of a connection
# per thread (Django's own pooling, psycopg_pool). Connections go back to the pool after each
# request, so they are not also kept by CONN_MAX_AGE.
DATABASE_POOL = env_pool_sizes("DATABASE_POOL", (2, 8))
if DATABASE_POOL is not None:
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "DATABASE_POOL is set, but connection pooling needs PostgreSQL "
            "(DATABASE_URL=postgres://...). Unset DATABASE_POOL for SQLite."
        )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": DATABASE_POOL[0],
        "max_size": DATABASE_POOL[1],
        # Longest a request waits for a free connection before failing.
        "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "") or 10),
    }

# A shared cache for every web node and worker when REDIS_URL is set; otherwise each process
# keeps its own in memory. A Redis that stops answering costs a cache miss, never a page:
# short socket timeouts, and phones.cache_backend turns its connection errors into misses.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    _redis_timeout = float(os.environ.get("REDIS_TIMEOUT", "") or 0.25)
    CACHES = {
        "default": {
            "BACKEND": "phones.cache_backend.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "wellui",
            "OPTIONS": {
                "socket_connect_timeout": _redis_timeout,
                "socket_timeout": _redis_timeout,
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out login is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five wrong passwords for one username from one address lock that pair out for 15 minutes;
# every attempt during the lockout starts the 15 minutes again.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The lock is per real client address, behind the proxies configured below.
AXES_CLIENT_IP_CALLABLE = "phones.addresses.client_ip"

# How many reverse proxies stand in front of the portal, each appending to X-Forwarded-For
# (0: none, the header is ignored), and optionally which addresses they have.
TRUSTED_PROXY_COUNT = int(os.environ.get("WELLUI_TRUSTED_PROXY_COUNT", "") or 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("WELLUI_TRUSTED_PROXY_COUNT must be 0 or more.")
TRUSTED_PROXIES = env_list("WELLUI_TRUSTED_PROXIES", [])

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "phones:list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
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

# A session ends after this many minutes without a request. A request starts them again by
# saving the session, at most once a minute (phones.middleware.session_refresh_middleware).
SESSION_IDLE_MINUTES = int(os.environ.get("WELLUI_SESSION_IDLE_MINUTES", "") or 30)
if SESSION_IDLE_MINUTES < 1:
    raise ImproperlyConfigured("WELLUI_SESSION_IDLE_MINUTES must be at least 1.")
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CSRF_FAILURE_VIEW = "phones.views.errors.csrf_failure"
# A pasted import of up to 10,000 rows can hold a few megabytes of text (the default 2.5 MB
# would refuse it with a bare 400 before the import page could say anything).
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024

# Scripts and styles come from this site only; the htmx script tag carries the per-response
# nonce. Nothing inline, no eval.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
}

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "") or 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Only for local load tests over plain http://127.0.0.1 (no TLS there): cookies without
    # the Secure flag, so a client can send them back. Never in a deployment.
    if not env_bool("DJANGO_SECURE_COOKIES", True):
        SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False

# "plain" lines for a terminal, or "json": one JSON object per line for a log collector.
LOG_FORMAT = (os.environ.get("WELLUI_LOG_FORMAT", "") or "plain").strip().lower()
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured("WELLUI_LOG_FORMAT must be plain or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "phones.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "phones.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "phones": {"level": os.environ.get("WELLUI_LOG_LEVEL", "") or "INFO"},
    },
}
