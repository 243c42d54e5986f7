from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from config.errors import IllegalTransition, ValidationFailed
from demands.models import Demand
from demands.services import demand_transition
from demands.workflow import Action
from departments.working_time import current_clock
from dispatch.assignment_workflow import AssignmentMove
from dispatch.models import MAX_EXTENSION_DAYS, Assignment, ExtensionRequest, ExtensionStatus
from dispatch.services.assignments import require_dispatcher
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
            refusal=_("只有已签收的主办派单可以申请延期。"),
        )
        if ExtensionRequest.objects.filter(assignment=assignment, status=ExtensionStatus.PENDING).exists():
            raise IllegalTransition(_("已有一份延期申请在审批中。"))
        _refuse_past_the_upstream_deadline(assignment, days)
        clock_pause(assignment, timezone.now())
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


def _refuse_past_the_upstream_deadline(assignment: Assignment, days: Decimal) -> None:
    """A case a higher platform handed down is due there by its deadline: the district cannot
    give itself more time than that; the platform's own extension procedure applies."""
    upstream = Demand.objects.filter(pk=assignment.demand_id).values_list("upstream_deadline", flat=True).get()
    if upstream is None:
        return
    extra_hours = float(days) * current_clock().hours_per_day
    if deadline_if_resumed(assignment, at=timezone.now(), extra_hours=extra_hours) > upstream:
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
        moved = clock_resume(assignment, at=timezone.now(), extra_hours=extra_hours)
        data = {
            "extension_id": request.pk,
            "extra_days": str(request.extra_days),
            "paused_hours": moved["paused_hours"],
        }
        changes = {}
        if "new_deadline" in moved:
            request.previous_deadline, request.new_deadline = moved["previous_deadline"], moved["new_deadline"]
            changes["due_at"] = moved["new_deadline"]
            data["new_deadline"] = moved["new_deadline"].isoformat()
        demand = demand_transition(
            demand_id=assignment.demand_id,
            action=Action.APPROVE_EXTENSION if approve else Action.DENY_EXTENSION,
            actor=actor,
            department=assignment.department,
            reason=note.strip(),
            data=data,
            changes=changes,
        )
        request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.DENIED
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.decision_note = note.strip()
        request.save()
    return demand
