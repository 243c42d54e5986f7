from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import IllegalTransition
from dispatch.models import DuplicateStatus, DuplicateSuggestion
from dispatch.services.assignments import require_dispatcher
from dispatch.services.closing import demand_merge


@transaction.atomic
def duplicate_decide(*, suggestion_id: int, actor: User, merge: bool) -> DuplicateSuggestion:
    require_dispatcher(actor)
    suggestion = DuplicateSuggestion.objects.select_for_update().get(pk=suggestion_id)
    if suggestion.status != DuplicateStatus.PENDING:
        raise IllegalTransition(_("该疑似重复已处理。"))
    if merge:
        demand_merge(
            demand_id=suggestion.demand_id,
            original_id=suggestion.original_id,
            actor=actor,
            similarity=suggestion.similarity,
        )
    suggestion.status = DuplicateStatus.MERGED if merge else DuplicateStatus.DISMISSED
    suggestion.decided_by = actor
    suggestion.decided_at = timezone.now()
    suggestion.save()
    # A merged demand has no other pending suggestions left to decide.
    if merge:
        DuplicateSuggestion.objects.filter(demand_id=suggestion.demand_id, status=DuplicateStatus.PENDING).update(
            status=DuplicateStatus.DISMISSED, decided_by=actor, decided_at=timezone.now()
        )
    return suggestion
