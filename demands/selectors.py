"""Reads on demands that need no knowledge of dispatch."""

from __future__ import annotations

import hmac

from django.db.models import QuerySet

from demands.models import Demand, DemandEvent
from demands.services import hash_query_code


def demand_for_citizen(*, tracking_number: str, query_code: str) -> Demand | None:
    """The demand, if the tracking number and query code match; None otherwise (the caller says
    the same thing whichever was wrong, so neither can be guessed separately)."""
    demand = Demand.objects.filter(tracking_number=tracking_number.strip().upper()).first()
    if demand is None:
        return None
    expected = hash_query_code(demand.tracking_number, query_code)
    if not hmac.compare_digest(expected, demand.query_code_hash):
        return None
    return demand


def public_timeline(demand: Demand) -> QuerySet[DemandEvent]:
    return demand.events.filter(is_public=True).select_related("department").order_by("created_at", "pk")


def full_timeline(demand: Demand) -> QuerySet[DemandEvent]:
    return demand.events.select_related("department", "actor").order_by("created_at", "pk")
