from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from config.errors import IllegalTransition, ValidationFailed
from config.queue import enqueue_on_commit
from demands.models import HIGHEST_RATING, LOWEST_RATING, Demand
from demands.services import CITIZEN, demand_transition
from demands.wording import worded
from demands.workflow import Action, Status, reopen_limit_reached
from dispatch.models import Assignment
from dispatch.services.assignments import create_assignments, require_dispatcher, settle_demand


def demand_reopen(*, demand: Demand, reason: str, rating: int | None = None, actor: User | None = None) -> Demand:
    """The citizen is not satisfied with the reply: the case goes back, once, to the department
    that answered it, with fresh deadlines. `actor`: the callback officer who heard the citizen
    say so on the phone (回访), recorded as the one who reopened it; None for the citizen."""
    if len(reason.strip()) < 5:
        raise ValidationFailed(_("请说明不满意的原因。"))
    if rating is not None and rating not in range(LOWEST_RATING, HIGHEST_RATING + 1):
        raise ValidationFailed(
            _("评分须为 %(lowest)s 到 %(highest)s。") % {"lowest": LOWEST_RATING, "highest": HIGHEST_RATING}
        )
    with transaction.atomic():
        current = Demand.objects.select_for_update().get(pk=demand.pk)
        if reopen_limit_reached(current.reopen_count):
            raise IllegalTransition(_("该诉求已重办过一次，不能再次重办；如仍不满意，请重新提交诉求。"))
        last_lead = (
            Assignment.objects.of_demand(current.pk)
            .lead()
            .answered()
            .select_related("department", "matter")
            .order_by("-dispatched_at")
            .first()
        )
        changes: dict = {"reopen_count": current.reopen_count + 1}
        if rating is not None:
            changes.update(rating=rating, rating_comment=reason.strip(), rated_at=timezone.now())
        reopened = demand_transition(
            demand_id=current.pk,
            action=Action.REOPEN,
            actor=actor,
            actor_label="" if actor else CITIZEN,
            department=last_lead.department if last_lead else None,
            reason=reason.strip(),
            data={"rating": rating},
            changes=changes,
        )
        if last_lead is not None:
            create_assignments(demand=reopened, lead=last_lead.department, matter=last_lead.matter, actor=None)
        # The visit of the answer sent back: the stars given with it are its answer, else it is cancelled.
        if rating is not None:
            enqueue_on_commit("assessment.visit_citizen_rated", current.pk, current.reopen_count, rating)
        enqueue_on_commit("assessment.cancel_superseded_visits", current.pk)
    return reopened


def demand_merge(
    *, demand_id: int, original_id: int, actor: User, note: str = "", similarity: float | None = None
) -> Demand:
    """Merge a duplicate into the demand it repeats; the duplicate's open work is released. The
    similarity that suggested the merge is kept in the record, not in what the citizen reads."""
    require_dispatcher(actor)
    if demand_id == original_id:
        raise ValidationFailed(_("不能把诉求合并到它自己。"))
    with transaction.atomic():
        original = Demand.objects.select_for_update().filter(pk=original_id).first()
        if original is None:
            raise ValidationFailed(_("找不到要合并到的原诉求。"))
        if original.status == Status.MERGED:
            raise ValidationFailed(
                _("%(number)s 本身已被合并，请合并到它的原诉求。") % {"number": original.tracking_number}
            )
        if original.status == Status.REJECTED:
            # Its citizen would be told the answer is to come, and none will.
            raise ValidationFailed(
                _("%(number)s 已不予受理，不能合并到它；如本诉求同样不属受理范围，请对它作出不予受理。")
                % {"number": original.tracking_number}
            )
        reason, wording = worded(gettext_noop("与 %(original)s 重复，合并办理。"), original=original.tracking_number)
        if note.strip():  # the dispatch officer's own words, as written
            reason, wording = note.strip(), {}
        now = timezone.now()  # the case closes when its assignments are let go
        demand = demand_transition(
            demand_id=demand_id,
            action=Action.MERGE,
            actor=actor,
            reason=reason,
            data={
                "original": original.tracking_number,
                **({"similarity": round(similarity, 4)} if similarity is not None else {}),
                **wording,
            },
            changes={"duplicate_of": original, "closed_at": now},
        )
        settle_demand(
            demand_id,
            now,
            gettext_noop("诉求已合并到 %(number)s，无需再处理。") % {"number": original.tracking_number},
            actor,
            merged_into=original.pk,
        )
    return demand


def demand_reject(*, demand_id: int, actor: User, reason: str) -> Demand:
    """Refuse a demand that is outside the government's remit (不予受理), with the reason."""
    require_dispatcher(actor)
    if len(reason.strip()) < 5:
        raise ValidationFailed(_("请写明不予受理的理由，群众会看到它。"))
    with transaction.atomic():
        now = timezone.now()
        demand = demand_transition(
            demand_id=demand_id,
            action=Action.REJECT,
            actor=actor,
            reason=reason.strip(),
            changes={"closed_at": now},
        )
        settle_demand(demand_id, now, gettext_noop("诉求已不予受理，无需再处理。"), actor)
    return demand
