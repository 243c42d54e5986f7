"""Reads on demands that need no knowledge of dispatch."""

from __future__ import annotations

import hmac

from django.db.models import QuerySet

from demands.models import Demand, DemandEvent
from demands.phones import phone_hash, phone_key
from demands.services import hash_query_code
from demands.workflow import OPEN_STATUSES

# How many of one phone's open demands a new submission is compared with: a caller has a few.
OPEN_FROM_ONE_PHONE_AT_MOST = 50


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


# What the repeat checks read of a caller's open demands: a whole row would decrypt the contact
# details of each of up to OPEN_FROM_ONE_PHONE_AT_MOST demands on every submission.
REPEAT_CHECK_FIELDS = ("pk", "tracking_number", "title", "content", "status", "submitted_at")


def open_demands_from(phone: str) -> list[Demand]:
    """The open demands left with this phone number (however it was typed), newest first, with
    the fields the repeat checks read (others load when first read)."""
    if len(phone_key(phone)) < 7:
        return []
    found = Demand.objects.filter(status__in=OPEN_STATUSES, citizen_phone_hash=phone_hash(phone))
    return list(found.only(*REPEAT_CHECK_FIELDS).order_by("-submitted_at", "-pk")[:OPEN_FROM_ONE_PHONE_AT_MOST])


def demands_of_phone(*, mobile: str) -> QuerySet[Demand]:
    """The demands given with this mobile number, however it was typed (spaces, dashes, +86 or
    0086 in front); newest first. Only for a citizen who proved the phone is theirs."""
    return Demand.objects.filter(citizen_phone_hash=phone_hash(mobile)).order_by("-submitted_at", "-pk")
