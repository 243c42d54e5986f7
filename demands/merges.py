"""Which demands are handled as one: a merged demand shares the answer of the demand it repeats,
and merges can chain (A into B, then B into C)."""

from __future__ import annotations

from django.db.models import F, Q

from demands.models import Demand
from demands.workflow import ANSWERED_STATUSES, Status

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


# A merged demand's citizen rates the shared answer after the merge, which set closed_at; a rating
# from before it (given when asking for a redo) was of the demand's own answer. The rule below is
# written twice, for one demand and as a filter, and the two must say the same.


def rated_shared_answer(demand: Demand) -> bool:
    """Whether a merged demand's citizen has rated the answer they share."""
    return demand.rated_at is not None and demand.closed_at is not None and demand.rated_at >= demand.closed_at


def rated_shared_answer_q() -> Q:
    """Merged demands whose citizen rated the shared answer."""
    return Q(rating__isnull=False, rated_at__gte=F("closed_at"))


def rated_own_answer_q(prefix: str = "") -> Q:
    """Demands (reached through `prefix`, e.g. "demand__") whose rating is of their own answer:
    any demand not merged, and a merged one rated before its merge."""
    return ~Q(**{f"{prefix}status": Status.MERGED}) | Q(**{f"{prefix}rated_at__lt": F(f"{prefix}closed_at")})


def shared_answer_given(original: Demand | None) -> bool:
    """Whether the demand a merged demand was merged into (`original_of` it) has been answered,
    and not sent back for redoing since: then the merged demand's citizen can rate that answer."""
    return original is not None and original.status in ANSWERED_STATUSES and original.replied_at is not None
