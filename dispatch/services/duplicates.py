"""The dispatch officer's decision on a group of suggested duplicates (see
dispatch.selectors.duplicate_groups): which of them to merge into the demand kept, and which are
not duplicates after all, in one action."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import IllegalTransition, ValidationFailed
from demands.models import Demand
from demands.workflow import OPEN_STATUSES
from dispatch.models import DuplicateStatus, DuplicateSuggestion
from dispatch.services.assignments import require_dispatcher
from dispatch.services.closing import demand_merge


@dataclass(frozen=True)
class GroupDecision:
    original: Demand
    merged: list[Demand]
    dismissed: int
    # The callers behind the demand kept and those merged into it: who will hear its answer.
    callers: int


def _tied_to(start: int, suggestions: Iterable[DuplicateSuggestion]) -> set[int]:
    """The demands reached from `start` through the suggestions (either way)."""
    links: dict[int, set[int]] = {}
    for s in suggestions:
        links.setdefault(s.demand_id, set()).add(s.original_id)
        links.setdefault(s.original_id, set()).add(s.demand_id)
    reached, frontier = {start}, [start]
    while frontier:
        for other in links.get(frontier.pop(), ()):
            if other not in reached:
                reached.add(other)
                frontier.append(other)
    return reached


@transaction.atomic
def duplicate_group_decide(
    *, actor: User, original_id: int, merge_ids: Iterable[int], dismiss_ids: Iterable[int]
) -> GroupDecision:
    """Merge `merge_ids` into `original_id` and mark `dismiss_ids` not duplicates of the group.
    Together they must be the group as it was shown: tied to the original by pending
    suggestions among themselves, so a group someone else changed meanwhile is refused, not
    half-decided. A demand tied in since it was shown is left for the next decision."""
    require_dispatcher(actor)
    merge, dismiss = set(merge_ids), set(dismiss_ids)
    if not merge and not dismiss:
        raise ValidationFailed(_("请选择要合并的诉求。"))
    if original_id in merge | dismiss or merge & dismiss:
        raise ValidationFailed(_("一件诉求不能既合并又不合并，也不能合并到它自己。"))
    group = merge | dismiss | {original_id}
    touching = list(
        DuplicateSuggestion.objects.select_for_update()
        .filter(status=DuplicateStatus.PENDING)
        .filter(Q(demand_id__in=group) | Q(original_id__in=group))
    )
    inside = [s for s in touching if s.demand_id in group and s.original_id in group]
    closed = Demand.objects.filter(pk__in=group).exclude(status__in=OPEN_STATUSES).exists()
    if closed or _tied_to(original_id, inside) != group:
        raise IllegalTransition(_("这组疑似重复已有变化（可能已有人处理），请刷新后重新处理。"))

    merged = [
        demand_merge(demand_id=d.pk, original_id=original_id, actor=actor, similarity=_score(d.pk, original_id, inside))
        for d in Demand.objects.filter(pk__in=merge).order_by("submitted_at", "pk")
    ]
    kept = merge | {original_id}
    now = timezone.now()
    for s in touching:
        if s in inside:
            s.status = DuplicateStatus.MERGED if {s.demand_id, s.original_id} <= kept else DuplicateStatus.DISMISSED
        elif s.demand_id in merge or s.original_id in merge:
            # Tied in since the group was shown, to a demand merged now: it looks like the one
            # kept, and is offered against that one instead.
            newcomer = s.original_id if s.demand_id in merge else s.demand_id
            DuplicateSuggestion.objects.get_or_create(
                demand_id=newcomer, original_id=original_id, defaults={"similarity": s.similarity}
            )
            s.status = DuplicateStatus.DISMISSED
        else:
            continue
        s.decided_by, s.decided_at = actor, now
        s.save(update_fields=["status", "decided_by", "decided_at"])
    original = Demand.objects.get(pk=original_id)
    callers = {d.citizen_phone_hash for d in [original, *merged]}
    return GroupDecision(original=original, merged=merged, dismissed=len(dismiss), callers=len(callers))


def _score(demand_id: int, original_id: int, inside: list[DuplicateSuggestion]) -> float:
    """The similarity that put the demand in the group: with the one kept where they were
    compared, else its highest with another of the group."""
    scores = [s.similarity for s in inside if demand_id in (s.demand_id, s.original_id)]
    direct = [s.similarity for s in inside if {s.demand_id, s.original_id} == {demand_id, original_id}]
    return direct[0] if direct else max(scores)
