"""Appeals (申诉) against a case's place in a department's figures.

A department head appeals a case of their department for the month it was dispatched in, once
that month has closed and for APPEAL_WINDOW_WORKING_DAYS working days after; an auditor upholds
or rejects it with a reason. Both are events on the demand (the audit trail) and the department is
told of the decision. Upheld cases leave the department's figures (`upheld_assignment_ids`)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from assessment.models import Appeal, AppealStatus
from config.errors import IllegalTransition, NotAllowed, NotFound, ValidationFailed
from demands.services import attachment_type, demand_transition
from demands.workflow import Action
from departments.access import department_ids_for, has_role
from departments.models import Role
from departments.working_time import current_clock
from dispatch.models import Assignment
from dispatch.services.assignments import notify_department

DECIDERS = (Role.AUDITOR, Role.ADMIN)
READERS = (Role.HEAD, *DECIDERS)
UPHELD_NOTICE = gettext_noop("诉求 %(number)s 的考核申诉成立，不再计入本部门考核：%(reason)s")
REJECTED_NOTICE = gettext_noop("诉求 %(number)s 的考核申诉被驳回：%(reason)s")


def period_of(assignment: Assignment) -> date:
    """The month whose figures the case is in: the month it was dispatched (local time)."""
    return timezone.localtime(assignment.dispatched_at).date().replace(day=1)


def _next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def appeal_window(period: date) -> tuple[datetime, datetime]:
    """From the first moment after the month closes to APPEAL_WINDOW_WORKING_DAYS working days on."""
    opens = timezone.make_aware(datetime.combine(_next_month(period), time.min))
    return opens, current_clock().add_working_days(opens, settings.APPEAL_WINDOW_WORKING_DAYS)


def window_is_open(period: date, now: datetime | None = None) -> bool:
    opens, closes = appeal_window(period)
    return opens <= (now or timezone.now()) < closes


def last_closed_month(now: datetime | None = None) -> date:
    """The month before this one: the only one whose appeal window can be open (it is short)."""
    this_month = timezone.localtime(now or timezone.now()).date().replace(day=1)
    return (this_month - timedelta(days=1)).replace(day=1)


def appealable_assignments(actor: User, now: datetime | None = None) -> QuerySet[Assignment]:
    """The head's department's cases of the month just closed, while it may be appealed, not yet appealed."""
    now = now or timezone.now()
    last_month = last_closed_month(now)
    this_month = _next_month(last_month)
    if not window_is_open(last_month, now):
        return Assignment.objects.none()
    start = timezone.make_aware(datetime.combine(last_month, time.min))
    end = timezone.make_aware(datetime.combine(this_month, time.min))
    return (
        Assignment.objects.filter(
            department_id__in=department_ids_for(actor, Role.HEAD), dispatched_at__gte=start, dispatched_at__lt=end
        )
        .filter(appeal__isnull=True)
        .select_related("demand", "department")
        .order_by("dispatched_at")
    )


def appeal_submit(*, actor: User, assignment_id: int, reason: str, evidence: UploadedFile | None = None) -> Appeal:
    reason = reason.strip()
    if len(reason) < 5:
        raise ValidationFailed(_("请写明申诉理由。"), extra={"fields": {"reason": _("至少5个字。")}})
    if evidence is not None:
        detected = attachment_type(evidence)
        if detected.content_type is None:
            raise ValidationFailed(detected.reason, extra={"fields": {"evidence": detected.reason}})
    now = timezone.now()
    with transaction.atomic():
        assignment = (
            Assignment.objects.select_for_update().select_related("department").filter(pk=assignment_id).first()
        )
        if assignment is None:
            raise NotFound(_("没有这项派单。"))
        if assignment.department_id not in department_ids_for(actor, Role.HEAD):
            raise NotAllowed(_("只有该部门的负责人可以申诉本部门的诉求。"))
        if not window_is_open(period_of(assignment), now):
            opens, closes = appeal_window(period_of(assignment))
            raise IllegalTransition(
                _("申诉期为 %(opens)s 至 %(closes)s，现在不能申诉。")
                % {
                    "opens": timezone.localtime(opens).strftime("%Y-%m-%d %H:%M"),
                    "closes": timezone.localtime(closes).strftime("%Y-%m-%d %H:%M"),
                }
            )
        try:
            with transaction.atomic():
                appeal = Appeal.objects.create(
                    assignment=assignment,
                    department=assignment.department,
                    period=period_of(assignment),
                    reason=reason,
                    evidence=evidence or "",
                    submitted_by=actor,
                    submitted_at=now,
                )
        except IntegrityError:
            raise IllegalTransition(_("这件诉求已经申诉过，不能重复申诉。")) from None
        demand_transition(
            demand_id=assignment.demand_id,
            action=Action.APPEAL,
            actor=actor,
            department=assignment.department,
            reason=reason,
            data={"appeal": appeal.pk, "period": appeal.period.isoformat()},
            is_public=False,
        )
    return appeal


def appeal_decide(*, actor: User, appeal_id: int, upheld: bool, reason: str) -> Appeal:
    if not has_role(actor, *DECIDERS):
        raise NotAllowed(_("只有考核员可以裁定申诉。"))
    reason = reason.strip()
    if len(reason) < 2:
        raise ValidationFailed(_("请写明裁定理由。"), extra={"fields": {"reason": _("内容为空。")}})
    with transaction.atomic():
        appeal = (
            Appeal.objects.select_for_update()
            .select_related("assignment__demand", "department")
            .filter(pk=appeal_id)
            .first()
        )
        if appeal is None:
            raise NotFound(_("没有这项申诉。"))
        if not appeal.is_pending:
            raise IllegalTransition(_("该申诉已裁定为「%(status)s」。") % {"status": appeal.get_status_display()})
        appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
        appeal.decided_by, appeal.decided_at, appeal.decision_reason = actor, timezone.now(), reason
        appeal.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        demand = demand_transition(
            demand_id=appeal.assignment.demand_id,
            action=Action.RULE_APPEAL,
            actor=actor,
            department=appeal.department,
            reason=reason,
            data={"appeal": appeal.pk, "upheld": upheld},
            is_public=False,
        )
        notify_department(
            appeal.department,
            demand,
            UPHELD_NOTICE if upheld else REJECTED_NOTICE,
            kind="appeal",
            number=demand.tracking_number,
            reason=reason,
        )
    return appeal


def upheld_assignment_ids(period_start: date, period_end: date) -> QuerySet[Appeal, int]:
    """The assignments upheld on appeal for months in [period_start, period_end]: they leave the figures."""
    return Appeal.objects.filter(
        status=AppealStatus.UPHELD, period__gte=period_start.replace(day=1), period__lte=period_end
    ).values_list("assignment_id", flat=True)


def appeals_visible_to(user: User) -> QuerySet[Appeal]:
    """Auditors see every appeal; a head, their departments'; anyone else, none."""
    appeals = Appeal.objects.select_related("assignment__demand", "department", "submitted_by", "decided_by")
    if has_role(user, *DECIDERS):
        return appeals
    return appeals.filter(department_id__in=department_ids_for(user, Role.HEAD))
