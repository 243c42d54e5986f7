"""Settings shared by every run. Unset environment means the embedded default:
SQLite next to manage.py, Celery tasks executed in process, periodic sweeps in process."""

from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from config.encryption import checked_fernet_keys, derived_key
from config.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY", "embedded-default-not-for-production")
# The citizen's name, phone and address are stored encrypted (demands.fields): comma-separated
# Fernet keys, the first encrypts, all decrypt (README.md, "Rotating the personal-data key").
# Production requires them; elsewhere a key derived from SECRET_KEY serves.
PERSONAL_DATA_KEYS = checked_fernet_keys(
    env_list("PERSONAL_DATA_KEYS", [derived_key(SECRET_KEY, "minsheng.personal-data")])
)
# The keyed hash that finds a caller's demands without the number in clear (demands.phones): a
# copy of the database cannot be searched for a phone without it. Changing it needs
# `manage.py rotate_personal_data_key --rehash-phones`.
PHONE_HASH_KEY = env_str("PHONE_HASH_KEY", derived_key(SECRET_KEY, "minsheng.phone-hash"))

# Query codes are kept as HMAC(QUERY_CODE_KEY, sha256(number:code)): a copied table alone gives
# no way to try codes offline. Changing it makes every query code issued so far fail.
QUERY_CODE_KEY = env_str("QUERY_CODE_KEY", "") or derived_key(SECRET_KEY, "minsheng.query-code")
# Every demand event and contact disclosure carries an HMAC with this key over its content and its
# predecessor's hash (demands.audit_chain): kept outside the database, so whoever can write to the
# database cannot rewrite the trail unseen. Changing it makes `verify_audit_log` report every row.
AUDIT_CHAIN_KEY = env_str("AUDIT_CHAIN_KEY", "") or derived_key(SECRET_KEY, "minsheng.audit-chain")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, for the renderer below
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "departments",
    "responsibility_lists",
    "demands",
    "routing",
    "dispatch",
    "assessment",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Production puts WhiteNoise right after SecurityMiddleware: static files answer before the
    # two below, so they keep their far-future cache headers and need no policy of their own.
    "config.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.NulCookiesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChosenLanguageMiddleware",
    "config.middleware.InputLimitsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# The map tiles behind the public map and the desk's place maps (Leaflet, served from
# static/vendor/leaflet). OpenStreetMap by default; a district in China would use 天地图 (Tianditu,
# with its key in the URL) or another licensed provider. The tiles' host is allowed in img-src.
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env_str(
    "MAP_TILE_ATTRIBUTION", '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
)


def _tile_origin(url: str) -> list[str]:
    """The scheme and host of the tile URL, for the CSP; {s} subdomains become a wildcard."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return []
    return [f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"]


# Content-Security-Policy: scripts and styles from this site's own files only, never inline, so
# text a citizen typed cannot run as script even if a template ever failed to escape it. The API
# docs page widens it for itself (config/urls.py); the admin needs nothing more.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *_tile_origin(MAP_TILE_URL)],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

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
                "django.template.context_processors.i18n",
                "dispatch.context_processors.staff_roles",
            ],
            "libraries": {"punctuation": "config.punctuation", "select_options": "config.select_options"},
        },
    },
]

# Widgets render through the project's templates, so that templates/django/forms can replace one:
# a select's options are written inline there, not through two includes per option (a case page
# offers about 300 options, and the includes were a sixth of its time).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# PostgreSQL's JIT compiles a query whose cost estimate passes jit_above_cost; for the short
# queries of pages it costs more than it saves (at 10 M demands each desk queue's counts took
# 15 ms longer with it; the workers' refresh of every figure took the same either way).
DATABASE_JIT = env_bool("DATABASE_JIT", False)


def _without_jit(database: dj_database_url.DBConfig) -> dj_database_url.DBConfig:
    if database.get("ENGINE") == "django.db.backends.postgresql" and not DATABASE_JIT:
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    return database


_without_jit(DATABASES["default"])
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded run serves pages while the in-process scheduler writes; WAL and a busy
    # timeout keep SQLite from answering "database is locked" under that light concurrency.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
# Reports (the auditors' pages, the figures APIs, the exports) may read from a streaming replica
# (config/db_routing.py); every write and every other read stays on the primary. Set
# hot_standby_feedback on the replica, or a long export is cancelled when the primary vacuums
# the rows it is reading.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = _without_jit(
        dj_database_url.parse(
            DATABASE_REPLICA_URL,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    )
    DATABASE_ROUTERS = ["config.db_routing.ReportsRouter"]
REPORTS_DATABASE = "replica" if DATABASE_REPLICA_URL else "default"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Every login (the staff page, the admin's, the API token) goes through the lockout check.
AUTHENTICATION_BACKENDS = ["departments.login_guard.GuardedModelBackend"]
# After this many failed logins for one username, or LOGIN_ADDRESS_FAILURE_LIMIT from one client
# address (a district office shares one), within the window, further attempts are refused until
# the oldest of them is older than the window, even with the right password. Counted in the
# database, so the limit holds while Redis is away.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 50)
LOGIN_FAILURE_WINDOW_MINUTES = env_int("LOGIN_FAILURE_WINDOW_MINUTES", 15)
# API tokens are refused this long after they were issued (and revoked on logout, when the
# account is disabled and when its password changes).
API_TOKEN_LIFETIME_HOURS = env_float("API_TOKEN_LIFETIME_HOURS", 12)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff-home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

REST_FRAMEWORK: dict[str, Any] = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so a refused token answers 401 with WWW-Authenticate (DRF takes the header from
        # the first class; the session's has none, and would turn it into a 403).
        "departments.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.CursorPage",
    "EXCEPTION_HANDLER": "config.exception_handlers.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "config.api_schema.OperationSchema",
    # Behind no proxy X-Forwarded-For is the client's own word: trusting it would let anyone dodge
    # the citizen limits with a made-up address. Production must say how many proxies there are.
    "NUM_PROXIES": env_int("TRUSTED_PROXIES", 0),
}

# The citizen limits (web form and API alike, config.throttle), each "count/period" per client
# address. Submitting and looking up are separate allowances, so lookups never block a
# submission. A submission counts per address and phone at CITIZEN_SUBMIT_RATE (the citizens
# behind one company network or service centre do not share it) and per address alone under
# CITIZEN_SUBMIT_ADDRESS_RATE. CITIZEN_THROTTLE_RATE is the old name of both rates.
CITIZEN_SUBMIT_RATE = env_str("CITIZEN_SUBMIT_RATE", env_str("CITIZEN_THROTTLE_RATE", "30/hour"))
CITIZEN_SUBMIT_ADDRESS_RATE = env_str("CITIZEN_SUBMIT_ADDRESS_RATE", "600/hour")
# Tracking lookups (query code or one-time phone code tries, rating, reopening, adding details).
CITIZEN_TRACK_RATE = env_str("CITIZEN_TRACK_RATE", env_str("CITIZEN_THROTTLE_RATE", "30/hour"))
# How often one client may ask for one-time codes to look demands up by phone (each is a text
# message the district pays for; one phone also gets at most three an hour, see phone_access).
CITIZEN_CODE_THROTTLE_RATE = env_str("CITIZEN_CODE_THROTTLE_RATE", "10/hour")
# Submissions per source system (the city's 12345 platform, an app): it speaks for many citizens.
SOURCE_SYSTEM_SUBMIT_RATE = env_str("SOURCE_SYSTEM_SUBMIT_RATE", "6000/hour")
# Webhooks (dispatch/webhooks.py): how long a receiver may take, the first wait after a failed
# delivery (doubling each time) and the longest, and how many deliveries one run sends.
WEBHOOK_TIMEOUT_SECONDS = env_float("WEBHOOK_TIMEOUT_SECONDS", 5)
WEBHOOK_RETRY_BASE_SECONDS = env_float("WEBHOOK_RETRY_BASE_SECONDS", 30)
WEBHOOK_RETRY_MAX_SECONDS = env_float("WEBHOOK_RETRY_MAX_SECONDS", 3600)
WEBHOOK_BATCH = env_int("WEBHOOK_BATCH", 200)
# Open311 GeoReport v2 (dispatch/open311): the jurisdiction_id clients may name, and the contact
# its discovery document gives.
OPEN311_JURISDICTION_ID = env_str("OPEN311_JURISDICTION_ID", "pingshan")
OPEN311_CONTACT = env_str("OPEN311_CONTACT", "坪山区民生诉求服务中心 12345")
# How long an API create's Idempotency-Key is remembered, per client (dispatch/api/idempotency.py).
IDEMPOTENCY_KEY_HOURS = env_int("IDEMPOTENCY_KEY_HOURS", 24)

SPECTACULAR_SETTINGS = {
    # Read in the language of the request (the docs page's, from its cookie or header).
    "TITLE": _("坪山区民生诉求服务平台 API"),
    "DESCRIPTION": _("提交和查询群众诉求；分拨、办理和答复诉求。"),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from the package, not a CDN: the platform must work on a closed government network.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Open311's `.json`/`.xml` URLs too (DRF leaves such URLs out), and the one error body on every
    # operation's 4xx answers.
    "DEFAULT_GENERATOR_CLASS": "config.api_schema.OperationSchemaGenerator",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api_schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "DemandStatusEnum": "demands.workflow.Status",
        "AssignmentStatusEnum": "dispatch.models.AssignmentStatus",
        "ReportKindEnum": "assessment.models.ReportKind",
        "KeyProblemStatusEnum": "assessment.models.KeyProblemStatus",
    },
}

# --- Background work -------------------------------------------------------------------------
EMBEDDED_TASKS = not env_str("CELERY_BROKER_URL", "")
# Embedded: tasks run eagerly in process and the in-memory transport is never really used.
# (A host in the address, or kombu warns on every start that none was supplied.)
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "") or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = EMBEDDED_TASKS
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged only after it ran, and handed back if its worker dies, so a crash
# redelivers the work instead of dropping it. Tasks are idempotent, so a redelivery is safe.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# When the broker is down, give up publishing quickly: the request must not hang, and the
# reconciler re-enqueues whatever was left undone.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_DEFAULT_QUEUE = "minsheng"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "reconcile-unrouted-demands": {
        "task": "dispatch.reconcile_unrouted",
        "schedule": timedelta(seconds=env_int("RECONCILE_INTERVAL_SECONDS", 60)),
    },
    "retire-superseded-list-versions": {
        "task": "responsibility_lists.retire_superseded",
        "schedule": timedelta(seconds=60),
    },
    "train-router": {
        "task": "routing.train_router",
        "schedule": timedelta(hours=env_int("ROUTER_TRAINING_INTERVAL_HOURS", 24)),
    },
    "sweep-deadlines": {
        "task": "dispatch.sweep_deadlines",
        "schedule": timedelta(seconds=env_int("DEADLINE_SWEEP_INTERVAL_SECONDS", 60)),
    },
    "reconcile-export-jobs": {
        "task": "assessment.reconcile_exports",
        "schedule": timedelta(minutes=5),
    },
    "purge-old-exports": {
        "task": "assessment.purge_old_exports",
        "schedule": timedelta(hours=6),
    },
    "resend-citizen-messages": {
        "task": "demands.resend_citizen_messages",
        "schedule": timedelta(minutes=5),
    },
    "auto-close-replied-demands": {
        "task": "dispatch.auto_close_replied",
        "schedule": timedelta(minutes=env_int("AUTO_CLOSE_INTERVAL_MINUTES", 30)),
    },
    # The audit chains' heads, signed, where the event table cannot change them (verify_audit_log).
    "audit-checkpoint": {
        "task": "demands.audit_checkpoint",
        "schedule": timedelta(hours=env_int("AUDIT_CHECKPOINT_INTERVAL_HOURS", 24)),
    },
    # Personal data of demands closed longer ago than PERSONAL_DATA_RETENTION_DAYS goes.
    "anonymise-closed-demands": {
        "task": "demands.anonymise_closed_demands",
        "schedule": timedelta(hours=24),
    },
    # Tells the supervisors once of each new cluster of similar demands at one place (未诉先办).
    "notify-hot-topic-clusters": {
        "task": "assessment.notify_hot_topic_clusters",
        "schedule": timedelta(hours=env_int("HOT_TOPIC_CLUSTER_INTERVAL_HOURS", 1)),
    },
    # Visits whose message was lost are created, visits whose answer was superseded cancelled.
    "reconcile-callback-visits": {
        "task": "assessment.reconcile_visits",
        "schedule": timedelta(minutes=10),
    },
    # The days of the assessment figures touched since the last run are rebuilt (assessment/daily.py).
    "refresh-daily-figures": {
        "task": "assessment.refresh_daily_figures",
        "schedule": timedelta(seconds=env_int("DAILY_FIGURES_REFRESH_SECONDS", 300)),
    },
    # The counts the desk and the inboxes show, kept in the cache at city scale (dispatch/recent_figures.py).
    "refresh-page-figures": {
        "task": "dispatch.refresh_page_figures",
        "schedule": timedelta(seconds=env_int("PAGE_FIGURES_REFRESH_SECONDS", 30)),
    },
    # Webhook deliveries whose time has come (retries; sending lost with the broker).
    "retry-webhooks": {
        "task": "dispatch.retry_webhooks",
        "schedule": timedelta(seconds=env_int("WEBHOOK_RETRY_SWEEP_SECONDS", 30)),
    },
    # Idempotency-Keys older than IDEMPOTENCY_KEY_HOURS are forgotten.
    "purge-idempotency-records": {
        "task": "dispatch.purge_idempotency_records",
        "schedule": timedelta(hours=1),
    },
    # Tells administrators once per year when a coming year has no official holiday notice yet.
    "warn-uncovered-calendar-years": {
        "task": "dispatch.warn_uncovered_calendar",
        "schedule": timedelta(hours=6),
    },
}

# --- Domain settings --------------------------------------------------------------------------
DISTRICT_CODE = env_str("DISTRICT_CODE", "PS")
# A router answer at or above this confidence is dispatched without a person looking at it.
ROUTING_AUTO_DISPATCH_THRESHOLD = env_float("ROUTING_AUTO_DISPATCH_THRESHOLD", 0.8)
# A demand left in "submitted" this long is routed again by the reconciler.
RECONCILE_AFTER = timedelta(seconds=env_int("RECONCILE_AFTER_SECONDS", 120))
# Replied demands the citizen has not rated are closed after this many days.
AUTO_CLOSE_AFTER_DAYS = env_int("AUTO_CLOSE_AFTER_DAYS", 7)
# Time limits used when a demand is dispatched without a matter of the list.
DEFAULT_SIGN_FOR_HOURS = env_float("DEFAULT_SIGN_FOR_HOURS", 4)
DEFAULT_HANDLING_DAYS = env_float("DEFAULT_HANDLING_DAYS", 10)
# The escalation ladder: a yellow warning at this share of the handling time, supervision
# (督办) this many working hours after the deadline, escalation to district level after more.
ESCALATION_WARN_SHARE = env_float("ESCALATION_WARN_SHARE", 0.75)
SUPERVISE_AFTER_WORKING_HOURS = env_float("SUPERVISE_AFTER_WORKING_HOURS", 4)
ESCALATE_AFTER_WORKING_HOURS = env_float("ESCALATE_AFTER_WORKING_HOURS", 14)
SUPERVISION_RESPONSE_WORKING_HOURS = env_float("SUPERVISION_RESPONSE_WORKING_HOURS", 7)
# How long the clock may stand still waiting for a citizen's answer before it runs again.
INFO_REQUEST_WAIT_WORKING_DAYS = env_float("INFO_REQUEST_WAIT_WORKING_DAYS", 3)
# Finished exports (files included) are deleted after this many days.
EXPORT_RETENTION_DAYS = env_int("EXPORT_RETENTION_DAYS", 7)
# A department head may appeal a case of a month for this many working days after the month closes.
APPEAL_WINDOW_WORKING_DAYS = env_int("APPEAL_WINDOW_WORKING_DAYS", 5)
# The assessment figures read a day from the daily figures when nothing touched it since it was
# built, and count it from the cases otherwise (exact, slower). At city scale, where something
# touches most recent days every minute, this many seconds of staleness may be accepted instead:
# a touched day built at most that long ago is still read from the table (assessment/daily.py).
DAILY_FIGURES_TOLERANCE_SECONDS = env_int("DAILY_FIGURES_TOLERANCE_SECONDS", 0)
# The desk's queue counts and each department's figures above its inbox are counted on every visit
# at 0. At city scale a page may read them counted at most this many seconds ago instead, which
# the workers keep counted (dispatch/recent_figures.py); PAGE_FIGURES_REFRESH_SECONDS should be
# well under it.
PAGE_FIGURES_MAX_AGE_SECONDS = env_int("PAGE_FIGURES_MAX_AGE_SECONDS", 0)
# A demand closed, merged or refused this many days ago loses its citizen's personal data (name,
# phone, address, attachments, text-message bodies, phone codes); the case stays for the figures.
PERSONAL_DATA_RETENTION_DAYS = env_int("PERSONAL_DATA_RETENTION_DAYS", 730)
# Notifications go by email too (Django's email backend) to users with an address.
NOTIFICATION_EMAILS = env_bool("NOTIFICATION_EMAILS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "坪山区民生诉求服务平台 <noreply@localhost>")
# Text messages to citizens (受理, 答复, 合并, 补充信息, 不予受理): the class that sends them
# (demands.citizen_messages.LogSender writes them to the log; WebhookSender posts them to a
# gateway) and the signature an SMS gateway requires in front of each.
CITIZEN_MESSAGE_SENDER = env_str("CITIZEN_MESSAGE_SENDER", "demands.citizen_messages.LogSender")
CITIZEN_MESSAGE_WEBHOOK_URL = env_str("CITIZEN_MESSAGE_WEBHOOK_URL", "")
CITIZEN_MESSAGE_WEBHOOK_TOKEN = env_str("CITIZEN_MESSAGE_WEBHOOK_TOKEN", "")
CITIZEN_MESSAGE_SIGNATURE = env_str("CITIZEN_MESSAGE_SIGNATURE", "【坪山区民生诉求】")
# The platform's public address (https://12345.example.gov.cn): the receipt text message tells
# citizens to look their demand up at its /track/ page. Unset, the message names the page instead.
CITIZEN_PORTAL_URL = env_str("CITIZEN_PORTAL_URL", "")
# A department may return a case within this many working hours of its dispatch.
RETURN_WINDOW_WORKING_HOURS = env_float("RETURN_WINDOW_WORKING_HOURS", 2)
# A new demand this similar to an open one from the same place within the window is offered
# to the dispatch officer as a duplicate to merge.
DUPLICATE_WINDOW_DAYS = env_int("DUPLICATE_WINDOW_DAYS", 7)
DUPLICATE_SIMILARITY = env_float("DUPLICATE_SIMILARITY", 0.6)
# A new submission this similar to an open demand left with the same phone number is shown to
# the citizen as a repeat ("你已反映过此事"), to add to that demand as a follow-up (催办).
REPEAT_SIMILARITY = env_float("REPEAT_SIMILARITY", 0.6)
# Phone searches on the desk, per user and rolling hour: a masked number (139****5678) leaves
# 10,000 candidates, which this keeps out of reach; each search is recorded (demands.PhoneSearch).
PHONE_SEARCHES_PER_HOUR = env_int("PHONE_SEARCHES_PER_HOUR", 20)
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# One submission (the citizen form, the intake form) carries at most this many files and bytes
# in all. The first upload handler drops files past either limit as the body streams in, and a
# body longer than the limits allow is refused before it is read (config.uploads).
ATTACHMENTS_PER_SUBMISSION = env_int("ATTACHMENTS_PER_SUBMISSION", 5)
ATTACHMENTS_TOTAL_MAX_BYTES = env_int("ATTACHMENTS_TOTAL_MAX_BYTES", 20 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "config.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# A file up to this size is held in memory while a request is read, a larger one goes to a
# temporary file: one request holds at most ATTACHMENTS_PER_SUBMISSION of these in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Past this many file parts Django refuses the request outright (400) before reading them; up to
# it, the files past ATTACHMENTS_PER_SUBMISSION are dropped and the form says why.
DATA_UPLOAD_MAX_NUMBER_FILES = 2 * ATTACHMENTS_PER_SUBMISSION
ATTACHMENT_CONTENT_TYPES = ["image/jpeg", "image/png", "image/webp", "application/pdf"]
REOPEN_LIMIT = 1
# Review of replies (答复审核): besides the replies of the categories and matters named in the
# admin's centre review rules, the centre reviews every reply on a case that is or was under
# supervision (督办) when this is on.
CENTRE_REVIEWS_SUPERVISED_REPLIES = env_bool("CENTRE_REVIEWS_SUPERVISED_REPLIES", False)
# Callback visits (回访): which answers the callback staff phone the citizen about. "all", or the
# share of each department's answers (e.g. "0.3"), chosen by a hash of the case so the choice is the
# same whenever it is made; each department still has its first VISIT_SAMPLE_MINIMUM answers of a
# month visited, so a department with few cases is never left unassessed.
VISIT_SAMPLE = env_str("VISIT_SAMPLE", "all")
VISIT_SAMPLE_MINIMUM = env_int("VISIT_SAMPLE_MINIMUM", 10)
# A visit is due this many working days after the answer went out.
VISIT_WITHIN_WORKING_DAYS = env_float("VISIT_WITHIN_WORKING_DAYS", 2)
# Exports up to this many rows are written while the auditor waits; larger ones go to a worker
# (a web request must not hold a process for minutes, and a proxy would cut it off).
EXPORT_INLINE_MAX_ROWS = env_int("EXPORT_INLINE_MAX_ROWS", 5000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Django's own console handler would print each of its records a second time, beside the root's.
    "loggers": {
        "django": {"handlers": [], "level": env_str("LOG_LEVEL", "INFO"), "propagate": True},
        # In process, every task's "succeeded in 0.002s" would bury what the terminal is for (the
        # address, the text messages sent, the errors); a worker of its own still logs them.
        **({"celery.app.trace": {"level": "WARNING"}} if EMBEDDED_TASKS else {}),
    },
}
