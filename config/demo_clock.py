"""Setting the platform's clock back, for the loaders of sample and demo data only.

Every service, model default and tracking number reads the time from django.utils.timezone.now,
the platform's one clock. A demo that should show weeks of history (a list in force since some
time ago, demands submitted on different days and handled later) tells each step at its own
moment by setting that clock for the step, through the same services as live work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from unittest import mock


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield
