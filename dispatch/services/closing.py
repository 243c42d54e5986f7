from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from config.errors import IllegalTransition, NotAllowed, ValidationFailed
from config.queue import enqueue_on_commit
from demands.models import HIGHEST_RATING, LOWEST_RATING, Demand
from demands.services import CITIZEN, PHONE, SYSTEM, awaits_rating, demand_rate, demand_transition
from demands.wording import system_sentence, worded
from demands.workflow import Action, Status, may_reopen, reopen_limit_reached
from departments.access import has_role
from departments.models import Role
from dispatch.models import Assignment
from dispatch.services.assignments import create_assignments, require_dispatcher, settle_demand

DIRECT_ANSWER_REOPENED = system_sentence(gettext_noop("群众对直接答复不满意，转人工分拨给承办部门办理。"))


def demand_reopen(
    *, demand: Demand, reason: str, rating: int | None = None, actor: User | None = None, channel: str = ""
) -> Demand:
    """The citizen is not satisfied with the reply: the case goes back, once, to the department
    that answered it, with fresh deadlines. `actor`: the callback officer who heard the citizen
    say so on the phone (回访), recorded as the one who reopened it; None for the citizen.
    `channel`: how staff heard it (PHONE: the citizen's own answer, given by phone)."""
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
        data: dict = {"rating": rating}
        if channel and actor is not None:
            data.update(channel=channel, taken_by=actor.get_username())
        reopened = demand_transition(
            demand_id=current.pk,
            action=Action.REOPEN,
            actor=actor,
            # Given by phone, the answer is the citizen's own; the one who took it is the actor.
            actor_label=CITIZEN if channel or actor is None else "",
            department=last_lead.department if last_lead else None,
            reason=reason.strip(),
            data=data,
            changes=changes,
        )
        if last_lead is not None:
            create_assignments(demand=reopened, lead=last_lead.department, matter=last_lead.matter, actor=None)
        else:
            # A direct answer (直接答复): no department had it to redo it. A dispatcher places it.
            reopened = demand_transition(
                demand_id=current.pk,
                action=Action.SEND_TO_TRIAGE,
                actor=None,
                actor_label=SYSTEM,
                reason=DIRECT_ANSWER_REOPENED,
            )
        # The visit of the answer sent back: the stars given with it are its answer, else it is cancelled.
        if rating is not None:
            enqueue_on_commit("assessment.visit_citizen_rated", current.pk, current.reopen_count, rating)
        enqueue_on_commit("assessment.cancel_superseded_visits", current.pk)
    return reopened


# Who takes a citizen's rating by phone: the intake operators and dispatch officers who answer the
# hotline, and the callback staff who call citizens back.
PHONE_RATING_ROLES = (Role.INTAKE_OPERATOR, Role.DISPATCH_OFFICER, Role.CALLBACK_OFFICER, Role.ADMIN)
# The stars that are an unsatisfied answer (不满意, 非常不满意): only these may send the case back.
UNSATISFIED_AT_MOST = 2


def demand_rate_by_phone(
    *, demand_id: int, actor: User, rating: int, comment: str = "", reopen: bool = False
) -> Demand:
    """Staff record the rating a citizen gave by phone, as the citizen's own: the same move and
    effects as the tracking page's (the case closes, the callback visit is answered by the
    stars), or, for an unsatisfied rating the citizen wants redone, the tracking page's reopening
    (重办) with the stars and the citizen's reason, under the same limit."""
    if not has_role(actor, *PHONE_RATING_ROLES):
        raise NotAllowed(_("只有受理员、分拨员和回访员可以记录电话评价。"))
    demand = Demand.objects.filter(pk=demand_id).first()
    if demand is None:
        raise ValidationFailed(_("该诉求不存在。"))
    if not awaits_rating(demand):
        raise IllegalTransition(
            _("诉求 %(number)s 当前为「%(status)s」，不在待评价状态，不能记录电话评价。")
            % {"number": demand.tracking_number, "status": demand.get_status_display()}
        )
    if not reopen:
        return demand_rate(demand=demand, rating=rating, comment=comment, taken_by=actor)
    if rating > UNSATISFIED_AT_MOST:
        raise ValidationFailed(
            _("只有群众表示不满意（1至2星）时才能要求重办。"), extra={"fields": {"reopen": _("评分不是不满意。")}}
        )
    if not may_reopen(demand):
        raise IllegalTransition(_("该诉求已重办过一次，不能再次重办；如群众仍不满意，请引导其重新提交诉求。"))
    return demand_reopen(demand=demand, reason=comment, rating=rating, actor=actor, channel=PHONE)


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
