"""Settings shared by every environment.

Everything that differs between a laptop and production is read from the environment through
django-environ. With nothing set, the system runs on embedded defaults: a SQLite file and kombu's
filesystem broker, both under the git-ignored ``var/`` folder.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local .env file is convenient for developers; the environment always wins over it.
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

# Run-time state of the embedded defaults (SQLite file, filesystem broker, uploads), git-ignored.
VAR_DIR = Path(env.str("CASEWORK_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=[])

INSTALLED_APPS = [
    "ops.apps.CaseworkAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "django_fsm",
    # The floors, from the ground up: each imports only the ones listed before it
    # (tests/test_layers.py; docs/architecture.md).
    "casework",
    "cases",
    "notifications",
    "intake",
    "supervision",
    "ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "casework.middleware.SecurityHeadersMiddleware",
    "casework.middleware.RequestSizeLimitMiddleware",
    "casework.middleware.RefuseControlCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "casework.middleware.RequestRoleCache",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "casework.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "casework.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'casework.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compiling: PostgreSQL compiles any statement it estimates as costly (over
    # jit_above_cost), and the estimates of a page's correlated subqueries are high while their
    # work is small. A 20,000-row export spent 380 of its 700 ms compiling (8,800 -> 11,300
    # rows/s without it at 1 M cases); the reports were no faster with it.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) share the file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "casework.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    # Model permissions follow from the roles held (memberships), see casework/permissions.py.
    "casework.permissions.RolePermissionBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Language and time: Simplified Chinese by default, English available; China Standard Time.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("CASEWORK_MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Celery. The broker URL is CELERY_BROKER_URL, else REDIS_URL, else kombu's filesystem transport,
# which needs no server and suits one machine (see ../shared/stack.md).
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://localhost/")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "queue"),
        "data_folder_out": str(_queue_dir / "queue"),
        "processed_folder": str(_queue_dir / "processed"),
        "store_processed": False,
        # Broadcast exchanges (worker control): kombu's default is ./control in the working folder.
        "control_folder": str(_queue_dir / "control"),
    }
    for _folder in ("queue", "processed", "control"):
        (_queue_dir / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Reminders and escalation: what is due, found in the database every minute.
    "tick": {
        "task": "notifications.tasks.tick",
        "schedule": float(env.int("CASEWORK_TICK_SECONDS", default=60)),
    },
    # The weekly circular (通报), Monday 09:00 Asia/Shanghai.
    "weekly-circular": {
        "task": "notifications.tasks.weekly_circular",
        "schedule": crontab(day_of_week=1, hour=9, minute=0),
    },
    # The monthly dispatch (月度调度): chases the progress reports missing on the set day.
    "monthly-dispatch": {
        "task": "notifications.tasks.monthly_dispatch",
        "schedule": crontab(hour=9, minute=5),
    },
    # The monthly 通报: last month's county ranking, on the 1st at 09:30.
    "monthly-ranking": {
        "task": "supervision.tasks.monthly_ranking",
        "schedule": crontab(day_of_month=1, hour=9, minute=30),
    },
    # The supervisors' daily digest.
    "daily-digest": {
        "task": "notifications.tasks.daily_digest",
        "schedule": crontab(hour=8, minute=30),
    },
    # Background ledger exports older than CASEWORK_EXPORT_KEEP_DAYS: their files removed.
    "prune-exports": {
        "task": "supervision.tasks.prune_exports",
        "schedule": crontab(hour=3, minute=15),
    },
}

# The city whose office supervises (GB/T 2260): its supervisors get digests, circulars, alerts.
CASEWORK_CITY_CODE = env.str("CASEWORK_CITY_CODE", default="360800")
# The day of each month by which open findings and 阶段性办结 petitions owe a progress report
# (月度调度); a missing one is chased from that day on, once a month.
CASEWORK_DISPATCH_DAY = env.int("CASEWORK_DISPATCH_DAY", default=25)
# Whose name the ladder's rungs (函告、催办、督办) are sent in, to the units.
CASEWORK_OFFICE_NAME = env.str(
    "CASEWORK_OFFICE_NAME", default="吉安市生态环境保护督察整改工作领导小组办公室"
)
# /healthz reports the reminder scan unhealthy when its last success is older than this.
CASEWORK_SCAN_STALE_AFTER_SECONDS = env.int("CASEWORK_SCAN_STALE_AFTER_SECONDS", default=300)
# Where chat robot messages may go (notifications.outbound): https, these hosts, public addresses.
CASEWORK_WEBHOOK_HOSTS = env.list(
    "CASEWORK_WEBHOOK_HOSTS",
    default=["qyapi.weixin.qq.com", "oapi.dingtalk.com", "open.feishu.cn"],
)
CASEWORK_WEBHOOK_REQUIRE_HTTPS = True
CASEWORK_WEBHOOK_ALLOW_PRIVATE = False  # tests alone turn these two for their local robot
# A worker's claim on a delivery: an attempt not finished by then (the worker died) is made again.
# Longer than the transports' timeouts (5 s), so that a slow but living worker is never doubled.
CASEWORK_DELIVERY_LEASE_SECONDS = env.int("CASEWORK_DELIVERY_LEASE_SECONDS", default=300)
# A case list's export of more rows than this is written by a worker (supervision.export_runs);
# up to it, at once in the request (~10,000 rows a second on 2 cores; make bench).
CASEWORK_EXPORT_INLINE_ROWS = env.int("CASEWORK_EXPORT_INLINE_ROWS", default=5000)
# How long a background export's file is kept (its row stays, marked expired: export again).
CASEWORK_EXPORT_KEEP_DAYS = env.int("CASEWORK_EXPORT_KEEP_DAYS", default=14)
CASEWORK_SMS_BACKEND = env.str(
    "CASEWORK_SMS_BACKEND", default="notifications.transports.LogSmsBackend"
)
EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="casework@localhost")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Mobile clients: hashed, expiring, per-device tokens ("Authorization: Token <token>").
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["casework.drf.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "casework.drf.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_standardized_errors.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "casework.drf.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "casework.drf_parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Throttles read the connection's address, never a client's X-Forwarded-For.
    "NUM_PROXIES": env.int("CASEWORK_TRUSTED_PROXIES", default=0),
    "DEFAULT_VERSIONING_CLASS": None,
}
# Password guessing (casework.login_guard): failures per account and per address, in the cache.
CASEWORK_TRUSTED_PROXIES = env.int("CASEWORK_TRUSTED_PROXIES", default=0)
CASEWORK_LOGIN_FAILURES_PER_ACCOUNT = env.int("CASEWORK_LOGIN_FAILURES_PER_ACCOUNT", default=5)
CASEWORK_LOGIN_FAILURES_PER_ADDRESS = env.int("CASEWORK_LOGIN_FAILURES_PER_ADDRESS", default=30)
CASEWORK_LOGIN_LOCK_SECONDS = env.int("CASEWORK_LOGIN_LOCK_SECONDS", default=15 * 60)
# The cache holds those counts for every process: Redis when there is one, else files under var/.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    }
}

REST_KNOX = {
    "TOKEN_TTL": dt.timedelta(days=env.int("CASEWORK_TOKEN_DAYS", default=30)),
    "AUTO_REFRESH": True,
    "TOKEN_LIMIT_PER_USER": 10,
    "AUTH_HEADER_PREFIX": "Token",
}
_ERRORS = "drf_standardized_errors.openapi_serializers"
SPECTACULAR_SETTINGS = {
    "TITLE": "Casework API",
    "DESCRIPTION": "Cases, transitions, progress, extensions and notifications for mobile clients.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs are documentation, readable without logging in.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ValidationErrorEnum": f"{_ERRORS}.ValidationErrorEnum.choices",
        "ClientErrorEnum": f"{_ERRORS}.ClientErrorEnum.choices",
        "ServerErrorEnum": f"{_ERRORS}.ServerErrorEnum.choices",
        "CaseKindEnum": "cases.models.CaseKind",
        "ChannelEnum": "cases.models.Channel",
        "ImportKindEnum": "intake.models.ImportKind",
        "ImportStateEnum": "intake.models.ImportState",
        "NotificationKindEnum": "notifications.models.Kind",
        "CaseStateEnum": "cases.models.State",
        "FeedbackOutcomeEnum": "cases.models.FeedbackOutcome",
        "EvidenceKindEnum": "cases.models.EvidenceKind",
        "SatisfactionEnum": "cases.models.Satisfaction",
        "FieldCheckResultEnum": "cases.models.FieldCheckResult",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
    ],
}
DRF_STANDARDIZED_ERRORS = {"ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": True}
# Bodies and uploads have limits.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
CASEWORK_MAX_REQUEST_BYTES = env.int("CASEWORK_MAX_REQUEST_BYTES", default=100 * 1024 * 1024)

LOGIN_URL = "admin:login"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}
