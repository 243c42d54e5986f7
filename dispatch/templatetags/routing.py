"""Template filters for the router's suggestions."""

from __future__ import annotations

from django import template

from dispatch.routing.reasons import describe

register = template.Library()


@register.filter
def reason_text(candidate: dict) -> str:
    """A stored suggestion's reasons in the reader's language; suggestions stored before the
    reasons were kept as data have only their Chinese text."""
    reasons = candidate.get("reasons")
    return describe(reasons) if reasons else candidate.get("reason", "")
