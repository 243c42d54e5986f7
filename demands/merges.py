"""Which demands are handled as one: a merged demand shares the answer of the demand it repeats,
and merges can chain (A into B, then B into C)."""

from __future__ import annotations

from django.db.models import F, Q

from demands.models import Demand
from demands.workflow import Status

# How many links of a chain of merges the figures follow (A into B, then B into C: 2). A chain
# forms only when a demand that others were merged into is merged itself; longer ones are rarer
# still.
CHAIN_FOLLOWED = 3


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


def merged_into_q(originals: object, *, lookup: str = "exact") -> Q:
    """Demands merged into `originals` (a value, an OuterRef, or with lookup="in" a queryset),
    directly or through a chain of up to CHAIN_FOLLOWED merges: as a filter of Demand."""
    condition = Q()
    for links in range(1, CHAIN_FOLLOWED + 1):
        condition |= Q(**{"__".join(["duplicate_of"] * links) + f"__{lookup}": originals})
    return Q(status=Status.MERGED) & condition


def rated_shared_answer_q() -> Q:
    """Merged demands whose citizen rated the shared answer: rated since the merge (which set
    closed_at); a rating from before it was of another answer."""
    return Q(rating__isnull=False, rated_at__gte=F("closed_at"))
