from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from config.errors import IllegalTransition, ValidationFailed
from demands.models import Demand
from demands.services import demand_transition
from demands.wording import worded
from demands.workflow import Action
from departments.models import TERRITORIAL_KINDS, Department
from departments.working_time import current_clock
from dispatch.assignment_workflow import AssignmentMove
from dispatch.models import (
    Assignment,
    ReturnReason,
    ReturnRequest,
    RulingStatus,
)
from dispatch.services.assignments import (
    create_assignments,
    matter_assisting,
    require_dispatcher,
    withdraw_waiting,
)
from dispatch.services.case_locks import locked_assignment, locked_request
from dispatch.services.transitions import assignment_transition, check_move, let_go
from responsibility_lists.amendments import amendment_file
from responsibility_lists.models import AmendmentKind, Matter
from routing.models import RoutingResult


def _matter_upheld(previous: Assignment, target: Department, amending: bool) -> Matter | None:
    """The matter a case reassigned on an upheld return is handled as. The same one while the list
    lets the new department lead it (a 属地 matter at another street office or community, the
    matter's own lead, or a ruling that proposes to make the new department its lead); else the
    matter the router suggested for the new department, if it suggested one; else none (the
    default time limits), as when a dispatcher picks another department than the suggested one.
    Keeping the returned department's matter would give the case its limits and assisting
    departments, and count it in that matter's figures."""
    matter = previous.matter
    if matter is not None:
        if matter.lead_is_territorial and target.kind in TERRITORIAL_KINDS:
            return matter
        if matter.lead_department_id == target.pk or amending:
            return matter
    routing = RoutingResult.objects.filter(demand_id=previous.demand_id).order_by("-created_at", "-pk").first()
    for candidate in routing.candidates if routing else []:
        if candidate.get("department_id") == target.pk and candidate.get("matter_id"):
            return Matter.objects.filter(pk=candidate["matter_id"]).first()
    return None


def return_window_closes(assignment: Assignment) -> datetime:
    """Until when the department may return the case: the window counts working hours."""
    return current_clock().add_working_hours(assignment.dispatched_at, settings.RETURN_WINDOW_WORKING_HOURS)


def assignment_return(
    *,
    assignment_id: int,
    actor: User,
    reason_code: str,
    reason: str,
    suggested_department_id: int | None = None,
) -> ReturnRequest:
    """The lead department returns (退单) a case it believes is not its own, with a reason; the
    dispatch centre rules on it. Assisting departments that were already working stay released."""
    if reason_code not in ReturnReason.values:
        raise ValidationFailed(_("请选择退单原因。"))
    if len(reason.strip()) < 5:
        raise ValidationFailed(_("请写明退单理由（至少5个字）。"))
    with transaction.atomic():
        assignment = locked_assignment(assignment_id, actor)
        refusal = _("只有主办部门可以对尚在办理中的诉求退单。")
        check_move(assignment=assignment, move=AssignmentMove.RETURN, refusal=refusal)
        window = settings.RETURN_WINDOW_WORKING_HOURS
        if timezone.now() > return_window_closes(assignment):
            # Past the window the case is the department's: disputes then go through the
            # dispatch centre, not a unilateral return (this is what stops 推诿扯皮).
            raise IllegalTransition(
                _("退单时限已过：派单后%(hours)s个工作小时内可以退单，请联系分拨中心协调。") % {"hours": f"{window:g}"}
            )
        suggested = Department.objects.filter(pk=suggested_department_id).first() if suggested_department_id else None
        now = timezone.now()
        request = ReturnRequest.objects.create(
            assignment=assignment,
            reason_code=reason_code,
            reason=reason.strip(),
            suggested_department=suggested,
            requested_by=actor,
            requested_at=now,
        )
        demand_transition(
            demand_id=assignment.demand_id,
            action=Action.RETURN,
            actor=actor,
            department=assignment.department,
            reason=reason.strip(),
            data={"reason_code": reason_code, "suggested": suggested.name if suggested else None},
            is_public=False,
        )
        assignment_transition(assignment=assignment, move=AssignmentMove.RETURN, refusal=refusal, now=now)
        # A question this department put to the citizen goes with the case it gives back: whoever
        # handles it next asks again if they need to.
        withdraw_waiting([assignment.pk], now, gettext_noop("已退单，申请随之撤回。"), returns=False)
        # The assisting departments stop with the case; the ruling brings back the ones let go here.
        let_go(Assignment.objects.of_demand(assignment.demand_id).assisting(), now, released_by_return=request)
    return request


def return_rule(
    *,
    return_id: int,
    actor: User,
    uphold: bool,
    note: str,
    department_id: int | None = None,
    propose_amendment: bool = False,
) -> Demand:
    """Rule on a return. Upheld: re-dispatch to another department (a second dispatch).
    Overruled: the case goes back to the department that returned it. An upheld return can
    also propose that the list name the new department as the matter's lead from now on.
    Upholding it in favour of the department the returning one suggested needs no note: the
    ruling then says so itself, in words every reader's language has."""
    require_dispatcher(actor)
    with transaction.atomic():
        request = locked_request(ReturnRequest, return_id)
        if request.status != RulingStatus.PENDING:
            raise IllegalTransition(_("该退单已裁定。"))
        previous = request.assignment
        target = _next_lead(previous, uphold, department_id)
        reason, wording = _ruling_reason(request, note, uphold, target)
        matter = previous.matter if not uphold else _matter_upheld(previous, target, propose_amendment)
        demand = demand_transition(
            demand_id=previous.demand_id,
            action=Action.RULE_UPHOLD if uphold else Action.RULE_OVERRULE,
            actor=actor,
            department=target,
            reason=reason,
            data={
                "return_id": request.pk,
                "from_department": previous.department.name,
                "matter": matter.code if matter else None,
                **wording,
            },
            changes={
                "lead_department": target,
                "matter": matter,
                "list_version_id": matter.version_id if matter else previous.demand.list_version_id,
            },
        )
        create_assignments(
            demand=demand,
            lead=target,
            matter=matter,
            assisting=_assisting_after_ruling(request, matter, demand),
            actor=actor,
            is_redispatch=uphold,
        )
        _record_ruling(request, actor=actor, uphold=uphold, reason=reason, target=target)
        if propose_amendment and uphold and previous.matter is not None:
            _propose_new_lead(previous.matter, target, actor=actor, demand=demand, reason=reason)
    return demand


def _next_lead(previous: Assignment, uphold: bool, department_id: int | None) -> Department:
    """Who leads after the ruling: the department the officer chose when the return is upheld
    (an active one, and not the one that returned it), else the one that returned it."""
    if not uphold:
        return previous.department
    target = Department.objects.filter(pk=department_id, is_active=True).first() if department_id else None
    if target is None:
        raise ValidationFailed(_("退单成立时须选择改派部门。"))
    if target.pk == previous.department_id:
        raise ValidationFailed(_("改派部门不能是退单部门本身。"))
    return target


def _ruling_reason(request: ReturnRequest, note: str, uphold: bool, target: Department) -> tuple[str, dict]:
    """The ruling's reason and, where the ruling words it itself, its wording in every language:
    only upholding in favour of the suggested department may go without the officer's note."""
    reason = note.strip()  # the dispatch officer's own words, as written
    if reason:
        return reason, {}
    if not (uphold and target.pk == request.suggested_department_id):
        raise ValidationFailed(_("请填写裁定意见。"))
    return worded(gettext_noop("退单理由成立，改派%(department)s。"), department=target.name)


def _assisting_after_ruling(request: ReturnRequest, matter: Matter | None, demand: Demand) -> list[Department]:
    """The assisting departments the return released (the ones still working) come back with the
    case, whoever chose them; a case that changed matter takes the new matter's instead. Those
    who already gave their part are not asked again."""
    if matter == request.assignment.matter:
        released = request.released_assists.values_list("department_id", flat=True)
        assisting = list(Department.objects.filter(pk__in=list(released), is_active=True).order_by("pk"))
    else:
        assisting = matter_assisting(matter, demand.street_id)
    contributed = set(
        Assignment.objects.of_demand(demand.pk).assisting().answered().values_list("department_id", flat=True)
    )
    return list({d.pk: d for d in assisting if d.pk not in contributed}.values())


def _record_ruling(request: ReturnRequest, *, actor: User, uphold: bool, reason: str, target: Department) -> None:
    request.status = RulingStatus.UPHELD if uphold else RulingStatus.OVERRULED
    request.ruled_by = actor
    request.ruled_at = timezone.now()
    request.ruling_note = reason
    request.redispatched_to = target
    request.save()


def _propose_new_lead(matter: Matter, lead: Department, *, actor: User, demand: Demand, reason: str) -> None:
    """The ruling proposes that the list name the new department as the matter's lead."""
    amendment_file(
        actor=actor,
        version_id=matter.version_id,
        matter_code=matter.code,
        kind=AmendmentKind.CHANGE_LEAD,
        department_id=lead.pk,
        reason=f"退单裁定（{demand.tracking_number}）：{reason}",
        demand_id=demand.pk,
    )
