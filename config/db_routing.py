"""Reports read from a replica when one is configured (DATABASE_REPLICA_URL); everything else
reads and writes the primary.

The auditors' pages, the figures and ranking APIs and the exports only read, and read a lot: a
month's figures, a million-row export. On a replica they leave the primary to intake and the
staff's pages. They are the only reads sent there, and only while marked (`reading_reports`),
because a replica runs a few seconds behind: a page that has just written something (a
dispatch, a reply) must read it back, and a session or token made a moment ago must be found.
The marks sit inside the role checks, so the signed-in user is read from the primary."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.conf import settings

PRIMARY = "default"

_reading_reports: ContextVar[bool] = ContextVar("reading_reports", default=False)

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


@contextmanager
def reading_reports() -> Iterator[None]:
    """Reads inside go to REPORTS_DATABASE; writes still go to the primary."""
    token = _reading_reports.set(True)
    try:
        yield
    finally:
        _reading_reports.reset(token)


def reads_reports(view: Callable[P, R]) -> Callable[P, R]:
    """A view (or an API view's handler) whose reads are reports'. Put it under the role check."""

    @wraps(view)
    def marked(*args: P.args, **kwargs: P.kwargs) -> R:
        with reading_reports():
            return view(*args, **kwargs)

    return marked


def reporting_while_iterated(items: Iterable[T]) -> Iterator[T]:
    """A streamed response's rows are read after its view has returned, while the server sends
    them: each is fetched under the mark, which is lifted again before it is handed on (a
    generator that yielded under the mark would leave it on in the server's code)."""
    iterator = iter(items)
    while True:
        with reading_reports():
            try:
                item = next(iterator)
            except StopIteration:
                return
        yield item


class ReportsRouter:
    """Installed when a replica is configured (config/settings/base.py)."""

    def db_for_read(self, model: type, **hints: Any) -> str:
        # The primary unless marked: without an answer here Django would follow an instance
        # read from the replica, and a page's reads would drift behind its own writes.
        return settings.REPORTS_DATABASE if _reading_reports.get() else PRIMARY

    def db_for_write(self, model: type, **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the primary's rows: one database, read in two places

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY
