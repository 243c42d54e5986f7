"""Reads on demands that need no knowledge of dispatch."""

from __future__ import annotations

import hmac
import re

from django.db.models import QuerySet, Value
from django.db.models.functions import Replace

from demands.models import Demand, DemandEvent
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


def phone_key(phone: str) -> str:
    """A phone number's digits, however it was typed: 138-1234 5678, +86 13812345678 and
    13812345678 are one caller."""
    digits = re.sub(r"\D", "", phone)
    return re.sub(r"^(0086|86)(?=1\d{10}$)", "", digits)


def open_demands_from(phone: str) -> list[Demand]:
    """The open demands left with this phone number, newest first."""
    key = phone_key(phone)
    if len(key) < 7:
        return []
    # The last digits narrow it in the database; the whole number is compared here, as typed
    # numbers may hold spaces, dashes or a country code.
    candidates = Demand.objects.filter(status__in=OPEN_STATUSES, citizen_phone__endswith=key[-4:]).order_by(
        "-submitted_at", "-pk"
    )
    return [d for d in candidates[:OPEN_FROM_ONE_PHONE_AT_MOST] if phone_key(d.citizen_phone) == key]


def demands_of_phone(*, mobile: str) -> QuerySet[Demand]:
    """The demands given with this mobile number (11 digits), however it was typed (spaces,
    dashes, +86 or 0086 in front); newest first. Only for a citizen who proved the phone is theirs."""
    digits = Replace(
        Replace(Replace("citizen_phone", Value("-"), Value("")), Value(" "), Value("")), Value("+"), Value("")
    )
    return (
        Demand.objects.annotate(phone_digits=digits)
        .filter(phone_digits__in=[mobile, f"86{mobile}", f"0086{mobile}"])
        .order_by("-submitted_at", "-pk")
    )
