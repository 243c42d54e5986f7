"""Template filters for the router's suggestions."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from django import template

from dispatch.routing.reasons import describe

register = template.Library()


@register.filter
def reason_text(candidate: dict) -> str:
    """A stored suggestion's reasons in the reader's language; suggestions stored before the
    reasons were kept as data have only their Chinese text."""
    reasons = candidate.get("reasons")
    return describe(reasons) if reasons else candidate.get("reason", "")


@register.filter
def confidence(value: object) -> str:
    """A confidence to two decimals, rounded down: 0.795 under a threshold of 0.80 must not read
    as 0.80 in a queue of demands below it."""
    if not isinstance(value, (int, float, Decimal)):
        return ""  # a missing value reaches a filter as ""
    return str(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_FLOOR))
