"""Which real services the suite can reach. Tests that need one are skipped with the reason when
it is not there, except in CI (REQUIRE_SERVICES=1), where a missing service fails the test."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1)")
    pytest.skip(reason)


def require_postgres() -> None:
    if connection.vendor != "postgresql":
        _skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://… (CI does)")


@contextmanager
def scratch_database(name: str) -> Iterator[str]:
    """The address of a PostgreSQL database `name` on the test server, for a benchmark to create
    and fill as it does; dropped afterwards, whatever happened."""
    require_postgres()
    import psycopg2

    db = settings.DATABASES["default"]
    server = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    try:
        yield f"{server}/{name}"
    finally:
        admin = psycopg2.connect(f"{server}/postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def require_redis() -> None:
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith("redis") or not _reachable(broker, 6379):
        _skip_or_fail("needs Redis: set CELERY_BROKER_URL=redis://… (CI does)")


def require_chromium() -> str:
    """The browser the browser tests drive: Debian's chromium (Playwright cannot download its own
    here). BROWSER_EXECUTABLE overrides the path."""
    executable = os.environ.get("BROWSER_EXECUTABLE") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(executable, os.X_OK):
        _skip_or_fail(f"needs Chromium at {executable}: apt-get install chromium (CI does)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _skip_or_fail("needs the playwright package: make install-dev")
    return executable
