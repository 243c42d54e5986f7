"""Which demands are handled as one: a merged demand shares the answer of the demand it repeats,
and merges can chain (A into B, then B into C)."""

from __future__ import annotations

from demands.models import Demand
from demands.workflow import Status


def original_of(demand: Demand) -> Demand | None:
    """The demand a merged demand is handled as, at the end of any chain of merges (A into B,
    then B into C: A shares C's answer); None for a demand that was not merged."""
    original, seen = demand.duplicate_of, {demand.pk}
    while original is not None and original.duplicate_of_id is not None and original.pk not in seen:
        seen.add(original.pk)
        original = original.duplicate_of
    return original


def merged_into(demand: Demand) -> list[Demand]:
    """Every merged demand handled as this one, through chains of merges, in the order merged."""
    found: list[Demand] = []
    seen, frontier = {demand.pk}, [demand.pk]
    while frontier:
        batch = [
            d
            for d in Demand.objects.filter(duplicate_of_id__in=frontier, status=Status.MERGED).order_by("pk")
            if d.pk not in seen
        ]
        seen.update(d.pk for d in batch)
        found += batch
        frontier = [d.pk for d in batch]
    return found
