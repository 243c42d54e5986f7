"""Reads on the responsibility list."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from responsibility_lists.models import Category, ListVersion, Matter, VersionStatus


def version_in_force(at: datetime | None = None) -> ListVersion | None:
    """The published version that is law at `at` (now by default): the one with the latest
    effective date not after that moment."""
    moment = at or timezone.now()
    return (
        ListVersion.objects.filter(
            status__in=[VersionStatus.PUBLISHED, VersionStatus.RETIRED], effective_from__lte=moment
        )
        .order_by("-effective_from", "-number")
        .first()
    )


def matters_of(version: ListVersion) -> QuerySet[Matter]:
    return (
        Matter.objects.filter(version=version)
        .select_related("category", "category__parent", "lead_department")
        .prefetch_related("assisting_departments")
        .order_by("code")
    )


def matter_top_categories(version: ListVersion) -> dict[int, str]:
    """Matter id → the name of its 大类 (its category's parent, or the category itself when it is
    a top one): the name per-category thresholds (CategoryThreshold) are keyed by."""
    rows = Matter.objects.filter(version=version).values_list("pk", "category__parent__name", "category__name")
    return {pk: parent or own for pk, parent, own in rows}


def top_categories_of(version: ListVersion) -> QuerySet[Category]:
    return Category.objects.filter(version=version, parent__isnull=True).prefetch_related("children")


def top_category_names() -> list[str]:
    """The 大类 of the list in force, for a citizen's optional choice of category."""
    version = version_in_force()
    if version is None:
        return []
    return list(top_categories_of(version).values_list("name", flat=True))
