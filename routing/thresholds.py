"""The confidence a routed demand needs to be dispatched without a person."""

from __future__ import annotations

from django.conf import settings

from config.caching import cached_for
from responsibility_lists.models import Matter
from routing.models import CategoryThreshold


@cached_for(60)
def auto_dispatch_thresholds() -> dict[str, float]:
    """Per-category thresholds by 大类 name, kept a minute: every routed demand reads them."""
    return dict(CategoryThreshold.objects.values_list("category_name", "threshold"))


def threshold_for(matter: Matter | None) -> float:
    """The confidence the best candidate's matter needs: its 大类's own, else the district default."""
    default = settings.ROUTING_AUTO_DISPATCH_THRESHOLD
    thresholds = auto_dispatch_thresholds.get()
    if matter is None or not thresholds:
        return default
    category = matter.category
    top = category.parent.name if category.parent is not None else category.name
    return thresholds.get(top, default)
