"""Tollgate settings: the only settings module. Every value comes from the environment.

Environments differ only in environment variables (see README.md, "Configuration").
Defaults are safe: DEBUG off, no hosts allowed, secure cookies and HSTS on.
"""

from __future__ import annotations

from pathlib import Path

import plotly
from django.core.exceptions import ImproperlyConfigured

from config.env import BASE_DIR, env, env_secret, env_value

VAR_DIR = BASE_DIR / "var"

# --- Core -------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env_secret("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off. Set it (or "
            "DJANGO_SECRET_KEY_FILE) to a long random string, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    # Development only: a fixed key so sessions survive restarts of `make run`.
    SECRET_KEY = "django-insecure-tollgate-development-only-key-do-not-deploy"  # noqa: S105

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
]
LOCAL_APPS = [
    "apps.core",
    "apps.accounts",
    "apps.audit",
    "apps.rubrics",
    "apps.assessments",
    "apps.repos",
    "apps.roadmaps",
    "apps.dashboards",
    "apps.webhooks",
    "apps.registry",
    "apps.reports",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    # First, so its duration covers the other middleware (apps/core/logs.py).
    "apps.core.logs.AccessLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "apps.core.middleware.RequestContextMiddleware",
    # A NUL in a path, query or form field is a 400 naming it (PostgreSQL refuses NUL).
    "apps.core.middleware.NulRefusalMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:directory"
LOGOUT_REDIRECT_URL = "accounts:login"

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
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------
# The embedded default is a SQLite file under var/; production sets DATABASE_URL to
# PostgreSQL (postgres://user:pass@host:5432/name).
DATABASES = {
    "default": env.db_url_config(
        env_value("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tollgate.sqlite3'}")
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend with one writer per process at a time (apps/core/sqlite).
    DATABASES["default"]["ENGINE"] = "apps.core.sqlite"
    # IMMEDIATE takes the write lock when a transaction starts, so two writers never
    # both read the audit chain head and then race to append (SQLite has no row locks).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# Kept open between requests: on SQLite too, where opening runs the PRAGMAs above.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", 60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_url_config(env_value("CACHE_URL", "locmemcache://"))}
if CACHES["default"]["BACKEND"].endswith(".RedisCache"):
    # django-redis (django-environ's choice once it is installed), told that when Redis
    # is down or restarting a read is a miss and a write is skipped, each logged: the
    # API keeps answering, unthrottled, and dashboards are read afresh, rather than
    # every request failing.
    CACHES["default"]["BACKEND"] = "django_redis.cache.RedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(
        IGNORE_EXCEPTIONS=True, SOCKET_CONNECT_TIMEOUT=1, SOCKET_TIMEOUT=1
    )
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "tollgate.cache"

# --- Passwords and sessions ---------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 60 * 60)

# --- Security (safe unless DEBUG) ---------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers probe over plain HTTP and treat a redirect as a failure.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int(
    "DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Internationalisation -----------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media files ---------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_value("DJANGO_STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # The dashboards' one plotly.js: the bundle shipped inside the plotly package, so
    # the browser runs the plotly.js the Python figures were built for. Served as
    # static/plotly/plotly.min.js; never copied into the repository, never a CDN.
    ("plotly", Path(plotly.__file__).parent / "package_data"),
]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_value("DJANGO_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- REST API -----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [],
    "DEFAULT_THROTTLE_CLASSES": [
        "apps.core.api.throttling.AnonRateThrottle",
        "apps.core.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/min"),
        "user": env.str("API_THROTTLE_USER", default="1200/min"),
    },
    "DEFAULT_SCHEMA_CLASS": "apps.core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.api.errors.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tollgate API",
    "DESCRIPTION": "MLOps maturity assessment, evidence and model governance.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `kind`; each set of choices gets its own name.
    "ENUM_NAME_OVERRIDES": {"ReportKindEnum": "apps.reports.models.Report.Kind"},
}

# --- Celery -------------------------------------------------------------------------
# An empty broker URL means the embedded mode: tasks run in-process (eager).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = (
    env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL) or None
)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
# No caller reads task results: every task records its outcome in the database.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "audit-verify-all-chains": {
        "task": "apps.audit.tasks.audit_verify_all_chains",
        "schedule": 24 * 60 * 60,
    },
    # Expire stale approvals, flag overdue revalidations, suspend unratified
    # break-glass promotions.
    "registry-daily": {
        "task": "apps.registry.tasks.registry_daily",
        "schedule": 24 * 60 * 60,
    },
    # Retry webhook deliveries that are due (and recover any whose message was lost).
    "webhooks-requeue-due": {
        "task": "apps.webhooks.tasks.webhook_deliveries_requeue_due",
        "schedule": 60,
    },
    # Import from each organisation's MLflow server; report protected aliases moved
    # there.
    "registry-mlflow-sync": {
        "task": "apps.registry.mlflow.tasks.mlflow_sync_all",
        "schedule": 60 * 60,
    },
    # Rescan every enabled repository daily (webhooks and rescans come on top).
    "repos-scan-due": {
        "task": "apps.repos.tasks.scans_schedule_due",
        "schedule": 60 * 60,
    },
    # Send again scans whose task message was lost or whose worker died mid-scan.
    "repos-resend-stale-scans": {
        "task": "apps.repos.tasks.scans_resend_stale",
        "schedule": 5 * 60,
    },
    # The same for reports: a lost message, or a worker that died mid-render.
    "reports-resend-stale": {
        "task": "apps.reports.tasks.reports_resend_stale",
        "schedule": 5 * 60,
    },
}
# Scans run on their own queue (`celery worker -Q scans`), so a slow clone never
# holds up webhooks or the registry's tasks; a worker may serve both queues.
CELERY_TASK_ROUTES = {
    "apps.repos.tasks.collect_signals": {"queue": "scans"},
    # PDFs take seconds to minutes to lay out: their own queue and workers.
    "apps.reports.tasks.render_report": {"queue": "reports"},
}

# --- Tollgate -----------------------------------------------------------------------
API_TOKEN_MAX_AGE_DAYS = env.int("API_TOKEN_MAX_AGE_DAYS", default=365)
# The rubric new assessments use (its latest published version).
DEFAULT_RUBRIC_SLUG = env.str("DEFAULT_RUBRIC_SLUG", default="mlops-default")
# Aliases that move only through promotion requests, besides every policy target.
REGISTRY_PROTECTED_ALIASES = env.list(
    "REGISTRY_PROTECTED_ALIASES", default=["production", "staging"]
)
# Fernet keys encrypting small secrets at rest (apps/core/crypto.py), comma-separated:
# the first encrypts, all decrypt (rotation). Empty: one key derived from SECRET_KEY.
TOLLGATE_ENCRYPTION_KEYS = [
    key.strip()
    for key in (env_secret("TOLLGATE_ENCRYPTION_KEYS", default="") or "").split(",")
    if key.strip()
]
# Ed25519 private key (PEM text, or base64 of its 32 raw bytes) signing the audit
# checkpoints embedded in governance reports (apps/audit/checkpoints.py). Empty: the
# reports carry the head hash and verification result unsigned.
TOLLGATE_AUDIT_SIGNING_KEY = env_secret("TOLLGATE_AUDIT_SIGNING_KEY", default="") or ""
# Governance reports embed the audit chain's export up to this many events; above it,
# the appendix says how to export it with `manage.py audit_export`.
REPORTS_EMBED_EVENTS_MAX = env.int("REPORTS_EMBED_EVENTS_MAX", default=200_000)
# Seconds a dashboard panel's drawing (figure and table) stays cached under its data's
# digest (apps/dashboards/memo.py); new data is a new entry, never a stale one. 0: off.
DASHBOARDS_DRAWING_CACHE_SECONDS = env.int(
    "DASHBOARDS_DRAWING_CACHE_SECONDS", default=3600
)
# Seconds a dashboard page's figures stay cached while no event changes the
# organisation's data (apps/dashboards/memo.py); a change is a new entry. 0: off.
DASHBOARDS_FIGURES_CACHE_SECONDS = env.int(
    "DASHBOARDS_FIGURES_CACHE_SECONDS", default=3600
)
# Let outbound webhooks reach private, loopback and link-local addresses. Off: only
# public addresses (the SSRF guard in apps/webhooks/ssrf.py).
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool(
    "WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=False
)
# Linked repositories. Clone URLs (https or ssh) must name one of these hosts.
REPOS_ALLOWED_HOSTS = env.list(
    "REPOS_ALLOWED_HOSTS", default=["github.com", "gitlab.com"]
)
# Local paths as repositories: off unless an admin names the folders they may be in.
REPOS_LOCAL_ROOTS = env.list("REPOS_LOCAL_ROOTS", default=[])
# Scan bounds: files listed, bytes read, seconds (clone included).
REPOS_SCAN_MAX_FILES = env.int("REPOS_SCAN_MAX_FILES", default=100_000)
REPOS_SCAN_MAX_BYTES = env.int("REPOS_SCAN_MAX_BYTES", default=64 * 1024 * 1024)
REPOS_SCAN_TIMEOUT = env.int("REPOS_SCAN_TIMEOUT", default=300)
# A scan stops itself at REPOS_SCAN_TIMEOUT; the task's limits only catch a stuck one.
CELERY_TASK_ANNOTATIONS = {
    "apps.repos.tasks.collect_signals": {
        "soft_time_limit": REPOS_SCAN_TIMEOUT + 60,
        "time_limit": REPOS_SCAN_TIMEOUT + 120,
    }
}
# Seconds a report may take to render; a worker stops it then (a failed report).
REPORTS_RENDER_TIMEOUT = env.int("REPORTS_RENDER_TIMEOUT", default=600)
CELERY_TASK_ANNOTATIONS["apps.reports.tasks.render_report"] = {
    "soft_time_limit": REPORTS_RENDER_TIMEOUT,
    "time_limit": REPORTS_RENDER_TIMEOUT + 60,
}
# The CI providers' APIs: GitHub Enterprise Server is https://HOST/api/v3, a
# self-managed GitLab its https://HOST.
REPOS_GITHUB_API_URL = env.str("REPOS_GITHUB_API_URL", default="https://api.github.com")
REPOS_GITLAB_URL = env.str("REPOS_GITLAB_URL", default="https://gitlab.com")
# A signal older than this no longer counts as evidence in scores.
REPOS_SIGNAL_FRESHNESS_DAYS = env.int("REPOS_SIGNAL_FRESHNESS_DAYS", default=30)

# --- Logging ------------------------------------------------------------------------
# `plain` for reading on a terminal; `json` (production): one object per line with the
# request or task id, for a log collector (apps/core/logs.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured("LOG_FORMAT must be `plain` or `json`.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "apps.core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # One line per request, with JSON only: runserver already prints its own.
        "tollgate.access": {"level": "INFO" if LOG_FORMAT == "json" else "WARNING"},
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint and fontTools narrate every layout step and font subset at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # kaleido and its browser driver narrate each export and their shutdown.
        "kaleido": {"level": "WARNING"},
        "choreographer": {"level": "WARNING"},
    },
}
