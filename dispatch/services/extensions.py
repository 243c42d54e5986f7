from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from config.errors import IllegalTransition, ValidationFailed
from demands.models import Demand
from demands.services import demand_transition
from demands.workflow import Action
from departments.working_time import current_clock
from dispatch.assignment_workflow import AssignmentMove
from dispatch.models import MAX_EXTENSION_DAYS, Assignment, AssignmentRole, ExtensionRequest, ExtensionStatus
from dispatch.services.assignments import notify_department, require_dispatcher
from dispatch.services.case_locks import locked_assignment, locked_request
from dispatch.services.deadlines import clock_pause, clock_resume, deadline_if_resumed
from dispatch.services.transitions import check_move


def extension_request(
    *, assignment_id: int, actor: User, extra_days: Decimal | str | float, reason: str
) -> ExtensionRequest:
    try:
        days = Decimal(str(extra_days))
    except InvalidOperation as exc:
        raise ValidationFailed(_("延长天数须为数字。")) from exc
    if not (Decimal(0) < days <= MAX_EXTENSION_DAYS):
        raise ValidationFailed(_("延长天数须大于0且不超过%(max)s个工作日。") % {"max": MAX_EXTENSION_DAYS})
    if len(reason.strip()) < 5:
        raise ValidationFailed(_("请写明延期理由。"))
    with transaction.atomic():
        assignment = locked_assignment(assignment_id, actor)
        check_move(
            assignment=assignment,
            move=AssignmentMove.REQUEST_EXTENSION,
            refusal=_("只有已签收的派单可以申请延期。"),
        )
        if ExtensionRequest.objects.filter(assignment=assignment, status=ExtensionStatus.PENDING).exists():
            raise IllegalTransition(_("已有一份延期申请在审批中。"))
        now = timezone.now()
        # Where an approval would put the deadline: no later than a higher platform's, and, for
        # an assisting part, no later than the lead's.
        extended = deadline_if_resumed(assignment, at=now, extra_hours=float(days) * current_clock().hours_per_day)
        _refuse_past_the_upstream_deadline(assignment, extended)
        if assignment.is_assisting:
            _within_the_lead(assignment, extended)
        clock_pause(assignment, now)
        request = ExtensionRequest.objects.create(
            assignment=assignment,
            extra_days=days,
            reason=reason.strip(),
            requested_by=actor,
            requested_at=timezone.now(),
        )
        demand_transition(
            demand_id=assignment.demand_id,
            action=Action.REQUEST_EXTENSION,
            actor=actor,
            department=assignment.department,
            reason=reason.strip(),
            data={"extra_days": str(days), "extension_id": request.pk},
            is_public=False,
        )
    return request


def _refuse_past_the_upstream_deadline(assignment: Assignment, extended: datetime) -> None:
    """A case a higher platform handed down is due there by its deadline: the district cannot
    give itself more time than that; the platform's own extension procedure applies."""
    upstream = Demand.objects.filter(pk=assignment.demand_id).values_list("upstream_deadline", flat=True).get()
    if upstream is not None and extended > upstream:
        raise IllegalTransition(
            _("该诉求由上级平台转办，办理期限不能晚于上级期限（%(deadline)s）；如需延期，请向上级平台申请。")
            % {"deadline": date_format(timezone.localtime(upstream), "Y-m-d H:i")}
        )


def extension_decide(*, extension_id: int, actor: User, approve: bool, note: str = "") -> Demand:
    """Approve (the handling deadline moves by the extra working days) or deny an extension."""
    require_dispatcher(actor)
    if not approve and not note.strip():
        raise ValidationFailed(_("驳回延期时请说明理由。"))
    with transaction.atomic():
        request = locked_request(ExtensionRequest, extension_id)
        if request.status != ExtensionStatus.PENDING:
            raise IllegalTransition(_("该延期申请已处理。"))
        assignment = request.assignment
        # The clock stood still while the request waited for a decision: that working time is
        # given back whatever the decision, and an approval adds the extra days on top.
        extra_hours = float(request.extra_days) * current_clock().hours_per_day if approve else 0.0
        now = timezone.now()
        if approve and assignment.is_assisting:
            # The lead may have answered for its own time meanwhile: checked again at the decision.
            _within_the_lead(assignment, deadline_if_resumed(assignment, at=now, extra_hours=extra_hours))
        moved = clock_resume(assignment, at=now, extra_hours=extra_hours)
        data = {
            "extension_id": request.pk,
            "extra_days": str(request.extra_days),
            "paused_hours": moved["paused_hours"],
        }
        changes = {}
        if "new_deadline" in moved:
            request.previous_deadline, request.new_deadline = moved["previous_deadline"], moved["new_deadline"]
            if not assignment.is_assisting:  # the demand is due when its lead is
                changes["due_at"] = moved["new_deadline"]
            data["new_deadline"] = moved["new_deadline"].isoformat()
        if assignment.is_assisting:
            data["role"] = AssignmentRole.ASSIST
        demand = demand_transition(
            demand_id=assignment.demand_id,
            action=Action.APPROVE_EXTENSION if approve else Action.DENY_EXTENSION,
            actor=actor,
            department=assignment.department,
            reason=note.strip(),
            data=data,
            changes=changes,
            # The citizen follows the case's deadline, the lead's: an assisting part is internal.
            is_public=not assignment.is_assisting,
        )
        if approve and assignment.is_assisting and "new_deadline" in moved:
            _tell_the_lead_of_more_time(assignment, moved["new_deadline"])
        request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.DENIED
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.decision_note = note.strip()
        request.save()
    return demand


def _within_the_lead(assist: Assignment, deadline: datetime) -> None:
    """An assisting department's part must come in by the lead's own deadline: the lead answers
    the citizen with it. More time than that is refused, with the latest the lead allows."""
    lead = Assignment.objects.of_demand(assist.demand_id).lead().open().only("handle_deadline").first()
    if lead is not None and deadline > lead.handle_deadline:
        raise ValidationFailed(
            _("协办期限不能晚于主办部门的办理期限（%(lead)s）：延期后将为 %(deadline)s，请缩短延长天数。")
            % {"lead": _local(lead.handle_deadline), "deadline": _local(deadline)},
            extra={"lead_deadline": lead.handle_deadline.isoformat(), "deadline": deadline.isoformat()},
        )


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _tell_the_lead_of_more_time(assist: Assignment, deadline: datetime) -> None:
    lead = Assignment.objects.of_demand(assist.demand_id).lead().open().select_related("department", "demand").first()
    if lead is None:
        return
    notify_department(
        lead.department,
        lead.demand,
        gettext_noop("%(number)s：%(department)s 的协办期限已延长至 %(deadline)s。"),
        kind="assist",
        number=lead.demand.tracking_number,
        department=assist.department.display_name,
        deadline=_local(deadline),
    )
