"""Figures a page shows that cost a pass over many cases at city scale: the desk's queue counts and
each department's figures above its inbox.

With PAGE_FIGURES_MAX_AGE_SECONDS at 0 (the default, right for a district) they are counted on
every visit. Above 0, a page reads them from the cache when they were counted at most that long
ago, and the workers count them again every PAGE_FIGURES_REFRESH_SECONDS (`refresh`, on beat), so
that no visit waits for the count: at ten million demands counting a department's last 30 days
takes seconds, reading them back a millisecond. A figure a page cannot find is counted there and
then, and kept for the next visit."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from departments.models import Department
from dispatch.department_figures import DepartmentFigures, count_departments, total
from dispatch.desk_queues import QUEUE_KEYS, DeskFilters, queue_counts

PREFIX = "page-figures"


def _max_age() -> int:
    return settings.PAGE_FIGURES_MAX_AGE_SECONDS


def _department_key(department_id: int) -> str:
    return f"{PREFIX}:department:{department_id}"


def _desk_key(filters: DeskFilters) -> str:
    digest = hashlib.blake2b(repr(filters).encode(), digest_size=12).hexdigest()
    return f"{PREFIX}:desk:{digest}"


def department_figures(department_ids: Collection[int], *, now: datetime | None = None) -> DepartmentFigures:
    """The departments' figures, summed: counted at `now` when given, otherwise as kept."""
    if now is not None or _max_age() <= 0:
        return total(count_departments(department_ids, now=now).values())
    keys = {department_id: _department_key(department_id) for department_id in department_ids}
    kept = cache.get_many(keys.values())
    figures = {department_id: kept[key] for department_id, key in keys.items() if key in kept}
    missing = [department_id for department_id in department_ids if department_id not in figures]
    if missing:
        counted = count_departments(missing)
        # A department with nothing to count is kept as such: its next visit need not count again.
        nothing = DepartmentFigures(as_of=timezone.now())
        counted = {department_id: counted.get(department_id, nothing) for department_id in missing}
        cache.set_many({keys[department_id]: value for department_id, value in counted.items()}, _max_age())
        figures.update(counted)
    return total(figures.values())


def desk_counts(filters: DeskFilters, keys: tuple[str, ...] = QUEUE_KEYS) -> dict[str, int]:
    """The desk's queue counts under the officer's filters. Kept, they are kept for every queue:
    one entry serves the dispatchers and the supervisors, who see some of the queues."""
    if _max_age() <= 0:
        return queue_counts(filters, keys)
    counts = cache.get(_desk_key(filters))
    if counts is None:
        counts = queue_counts(filters)
        cache.set(_desk_key(filters), counts, _max_age())
    return {key: counts[key] for key in keys}


def refresh() -> int:
    """Count again what the pages read most: every department's figures and the desk's counts
    with no filter. Returns the number of departments counted; nothing is counted at max age 0."""
    if _max_age() <= 0:
        return 0
    counted = count_departments(None)
    ids = Department.objects.values_list("pk", flat=True)
    nothing = DepartmentFigures(as_of=timezone.now())
    cache.set_many(
        {_department_key(pk): counted.get(pk, nothing) for pk in ids},
        _max_age(),
    )
    cache.set(_desk_key(DeskFilters()), queue_counts(DeskFilters()), _max_age())
    return len(counted)
