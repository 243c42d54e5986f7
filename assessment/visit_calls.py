"""The callback officer's call (回访): not reached (after VISIT_ATTEMPTS calls the visit is closed as
not reachable), or reached, with what the citizen said. Every call is written into the demand's
audit trail; an unsatisfied citizen's case can be sent back for redoing (重办) from the call."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import VISIT_ATTEMPTS, CallbackVisit, Resolution, Satisfaction, VisitStatus
from assessment.visits import visits_cancel_superseded
from config.errors import IllegalTransition, NotAllowed, ValidationFailed
from demands.services import demand_transition
from demands.workflow import ANSWERED_STATUSES, Action, Status, reopen_limit_reached
from departments.access import has_role
from departments.models import Role
from dispatch.services import demand_reopen


@dataclass(frozen=True)
class CallOutcome:
    """What the officer heard. `reached` false: nobody answered, the rest is empty but the notes."""

    reached: bool
    contacted_in_time: bool | None = None
    resolution: str = ""
    satisfaction: str = ""
    notes: str = ""
    # Send the case back to the department (重办), with the citizen's reason: unsatisfied answers only.
    reopen: bool = False
    reopen_reason: str = ""


def require_callback_officer(actor: User | None) -> None:
    if not has_role(actor, Role.CALLBACK_OFFICER):
        raise NotAllowed(_("只有回访员可以记录回访。"))


def _check(outcome: CallOutcome) -> None:
    errors: dict[str, str] = {}
    if outcome.reached:
        if outcome.contacted_in_time is None:
            errors["contacted_in_time"] = _("请选择承办部门是否及时联系了群众。")
        if outcome.resolution not in Resolution.values:
            errors["resolution"] = _("请选择解决情况。")
        if outcome.satisfaction not in Satisfaction.values:
            errors["satisfaction"] = _("请选择满意程度。")
    if outcome.reopen:
        if not outcome.reached or outcome.satisfaction != Satisfaction.UNSATISFIED:
            errors["reopen"] = _("只有群众不满意时才能申请重办。")
        elif len(outcome.reopen_reason.strip()) < 5:
            errors["reopen_reason"] = _("请写明群众不满意的原因（至少5个字），承办部门和群众都会看到。")
    if errors:
        raise ValidationFailed("；".join(errors.values()), extra={"fields": errors})


def _reopen_refusal(visit: CallbackVisit) -> str | None:
    """Why the case cannot be sent back from this call, in the officer's words, or None."""
    demand = visit.demand
    if reopen_limit_reached(demand.reopen_count):
        return _("该诉求已重办过，按规定不能再次重办；如群众仍不满意，请引导其重新提交诉求。")
    if demand.status != Status.REPLIED:
        return _("诉求当前为「%(status)s」（群众已评价或已超期自动办结），不能再重办。") % {
            "status": demand.get_status_display()
        }
    return None


def visit_record(*, visit_id: int, actor: User, outcome: CallOutcome) -> CallbackVisit:
    """Record one call. Refused (and nothing written) when the visit is no longer due, when its
    answer was superseded (the visit is then cancelled), or when a reopening asked for is not allowed."""
    require_callback_officer(actor)
    _check(outcome)
    with transaction.atomic():
        visit = CallbackVisit.objects.select_for_update().select_related("demand").filter(pk=visit_id).first()
        if visit is None:
            raise ValidationFailed(_("找不到这条回访。"))
        if visit.status != VisitStatus.DUE:
            raise IllegalTransition(
                _("该回访已是「%(status)s」，无需再记录。") % {"status": visit.get_status_display()}
            )
        # Reopened, merged or refused since the answer went out, and its cancellation not yet made.
        superseded = visit.demand.reopen_count != visit.answer_round or visit.demand.status not in ANSWERED_STATUSES
        if outcome.reopen and not superseded:
            refusal = _reopen_refusal(visit)
            if refusal:
                raise IllegalTransition(refusal)
        if not superseded:
            _write_call(visit, actor, outcome)
    if superseded:
        visits_cancel_superseded(demand_id=visit.demand_id)
        raise IllegalTransition(_("该诉求的答复已被重办或合并取代，这条回访已取消。"))
    return visit


def _write_call(visit: CallbackVisit, actor: User, outcome: CallOutcome) -> None:
    now = timezone.now()
    visit.attempts += 1
    visit.last_attempt_at = now
    visit.visited_by = actor
    notes = outcome.notes.strip()
    if notes:
        visit.notes = f"{visit.notes}\n{notes}".strip()
    data: dict[str, object] = {"visit": visit.pk, "attempt": visit.attempts, "reached": outcome.reached}
    if outcome.reached:
        visit.status = VisitStatus.DONE
        visit.contacted_in_time = outcome.contacted_in_time
        visit.resolution = outcome.resolution
        visit.satisfaction = outcome.satisfaction
        data.update(
            contacted_in_time=outcome.contacted_in_time,
            resolution=outcome.resolution,
            satisfaction=outcome.satisfaction,
            reopen=outcome.reopen,
        )
    elif visit.attempts >= VISIT_ATTEMPTS:
        visit.status = VisitStatus.UNREACHABLE
        data["unreachable"] = True
    if visit.status != VisitStatus.DUE:
        visit.finished_at = now
    visit.save()
    # Internal: the citizen's answers about a department are the centre's record, not the citizen's timeline.
    demand_transition(
        demand_id=visit.demand_id,
        action=Action.VISIT,
        actor=actor,
        department=visit.department,
        reason=notes,
        data=data,
        is_public=False,
    )
    if outcome.reopen:
        # The citizen's own reopening, made for them on the phone: the same rule and limit apply.
        demand_reopen(demand=visit.demand, reason=outcome.reopen_reason.strip(), actor=actor)
