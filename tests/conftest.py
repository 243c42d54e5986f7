from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from config import throttle
from demands.services import Submission, demand_submit
from departments.selectors import clear_department_cache, clear_place_cache
from tests.citizens import Phones
from tests.factories import District, build_district


@pytest.fixture
def district(db) -> District:
    return build_district()


@pytest.fixture(autouse=True)
def _fresh_router_cache():
    # Version ids repeat across tests (each test's database starts empty), so the router's
    # per-version cache must not outlive a test.
    from routing import learned, router
    from routing.thresholds import auto_dispatch_thresholds

    router.clear_caches()
    auto_dispatch_thresholds.clear()
    learned._cache.clear()
    clear_place_cache()
    clear_department_cache()
    cache.clear()
    # The counts kept while a cache is unreachable live in the process, like the router's caches.
    throttle.local_windows.clear()
    throttle.outage.down = False
    yield


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    # A request in English leaves English active in the thread (LocaleMiddleware activates it
    # and nothing deactivates it), and the next test would read English messages.
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture
def phones(settings) -> Iterator[type[Phones]]:
    """Text messages go to a recorder instead of the log: what each phone was sent."""
    from demands.citizen_messages import _sender_class

    Phones.sent = []
    settings.CITIZEN_MESSAGE_SENDER = "tests.citizens.Phones"
    _sender_class.cache_clear()
    yield Phones
    _sender_class.cache_clear()


@pytest.fixture
def submit(district, django_capture_on_commit_callbacks):
    """Submit a demand as a citizen. Routing is queued on commit; the test's transaction never
    commits, so the captured callbacks are run as a commit would run them (eager Celery)."""

    def _submit(
        title: str = "工地半夜施工噪音太大",
        content: str = "六和城旁边的工地每天半夜施工打桩，吵得无法入睡，请尽快处理。",
        location_text: str = "坪山街道六和城",
        **extra,
    ) -> Submission:
        with django_capture_on_commit_callbacks(execute=True):
            submission = demand_submit(
                title=title,
                content=content,
                location_text=location_text,
                citizen_name=extra.pop("citizen_name", "张三"),
                citizen_phone=extra.pop("citizen_phone", "13812345678"),
                **extra,
            )
        submission.demand.refresh_from_db()
        return submission

    return _submit


# Triggers that refuse DELETE on SQLite: the published list versions' and the audit trail's.
GUARD_MIGRATIONS = (
    "responsibility_lists.migrations.0003_frozen_version_triggers",
    "demands.migrations.0015_append_only_audit_tables",
    "demands.migrations.0018_append_only_phone_searches",
)


def _sqlite_guards() -> tuple[list[str], list[str]]:
    install: list[str] = []
    remove: list[str] = []
    for name in GUARD_MIGRATIONS:
        module = importlib.import_module(name)
        statements = (
            module._sqlite_statements() if hasattr(module, "_sqlite_statements") else module.sqlite_statements()
        )
        install += statements[0]
        remove += statements[1]
    return install, remove


@pytest.fixture(autouse=True, scope="session")
def _guards_lifted_for_flush() -> Iterator[None]:
    """SQLite empties tables with DELETE, which the append-only triggers refuse (PostgreSQL
    truncates, which they do not see): a test whose work commits could not be cleaned up after.
    Every flush lifts them and puts them back."""
    if connection.vendor != "sqlite":
        yield
        return
    DatabaseOperations = type(connection.ops)
    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        install, remove = _sqlite_guards()
        with self.connection.cursor() as cursor:
            for statement in remove:
                cursor.execute(statement)
            try:
                original(self, sql_list)
            finally:
                for statement in install:
                    cursor.execute(statement)

    DatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    DatabaseOperations.execute_sql_flush = original


@pytest.fixture
def committed_sample_district(transactional_db):
    """The sample district, committed (for tests whose work must commit: a live server, or
    routing queued on commit), and emptied again afterwards."""
    call_command("load_sample_district", verbosity=0)
    yield
    if connection.vendor == "sqlite":
        call_command("flush", interactive=False, verbosity=0)
