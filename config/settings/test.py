"""The test suite. DATABASE_URL and CELERY_BROKER_URL, when set, point the suite at real services;
the tests that need them are skipped with a reason when they are not reachable."""

from .base import *  # noqa: F403
from .base import DATABASES

# Tests decide themselves when tasks run: eager in process, or on a real worker (integration).
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LANGUAGE_CODE = "zh-hans"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
# The reports' replica, in tests a second connection to the same database (a test mirror). Reports
# read from it only in the tests that install the router (tests/test_reports_replica.py); on
# PostgreSQL it refuses writes, as a standby does, so a write routed there by mistake fails.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
    options = DATABASES["default"].get("OPTIONS", {})
    DATABASES["replica"]["OPTIONS"] = {
        **options,
        "options": f"{options.get('options', '')} -c default_transaction_read_only=on".strip(),
    }
CITIZEN_SUBMIT_RATE = CITIZEN_SUBMIT_ADDRESS_RATE = CITIZEN_TRACK_RATE = "1000/minute"
