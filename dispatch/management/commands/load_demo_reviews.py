"""The demo's review of replies (答复审核): one department of the sample district asks its head to
approve every reply; of its cases in hand, one has a reply waiting for the head and one a reply
the head sent back with a note, for the handler to edit and submit again. Played through the
services over the last hours (config.demo_clock), after load_demo_demands.

Idempotent: a demo with a reply under review (or reviewed) is left alone."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone

from config.demo_clock import clock_at
from config.errors import DomainError
from demands.models import DemandEvent
from departments.models import Department, DepartmentKind, Membership, Role
from dispatch.models import Assignment, AssignmentRole, AssignmentStatus, ReplyReview, ReviewStatus
from dispatch.services import assignment_reply, assignment_sign
from dispatch.services.reply_reviews import reply_review_send_back

# The bureaus with the most cases of the demo come first: the review shows where there is work.
PREFERRED = ("CGJ", "ZJJ")
WAITING = "经现场核查，占道问题已清理完毕，我单位已安排专人每日巡查，感谢您的监督。"
SENT_BACK = "您反映的问题已收悉，我单位已处理。"
SENT_BACK_NOTE = "答复过于简略：请写明核查时间、处理结果和后续的长效管理措施后重新提交。"


class Command(BaseCommand):
    help = "Have a demo department review its replies: one reply waiting for its head, one sent back."

    def handle(self, *args, **options):
        if ReplyReview.objects.exists():
            self.stdout.write("The demo already has replies under review.")
            return
        department = _department()
        if department is None:
            self.stdout.write("No demo review: no department with a head has two cases in hand.")
            return
        handler = _member(department, Role.HANDLER)
        head = _member(department, Role.HEAD)
        assert handler is not None and head is not None  # _department chose one that has both
        Department.objects.filter(pk=department.pk).update(reply_needs_review=True)
        department.reply_needs_review = True
        cases = list(_answerable(department)[:2])
        # Each step after the cases' latest records (an event is never written into the past),
        # spread over the last hours up to now.
        now = timezone.now()
        latest = DemandEvent.objects.filter(demand__in=[c.demand_id for c in cases]).aggregate(at=Max("created_at"))
        start = max(latest["at"] or now, now - timedelta(hours=3))
        step = (now - start) / 5
        moments = [start + step * (i + 1) for i in range(4)]
        try:
            with clock_at(moments[0]):
                for case in cases:
                    if case.status == AssignmentStatus.PENDING_SIGN:
                        assignment_sign(assignment_id=case.pk, actor=handler)
            waiting, sent_back = cases
            with clock_at(moments[1]):
                assignment_reply(assignment_id=sent_back.pk, actor=handler, body=SENT_BACK)
            review = ReplyReview.objects.get(assignment=sent_back, status=ReviewStatus.PENDING)
            with clock_at(moments[2]):
                reply_review_send_back(review_id=review.pk, actor=head, note=SENT_BACK_NOTE)
            with clock_at(moments[3]):
                assignment_reply(assignment_id=waiting.pk, actor=handler, body=WAITING)
        except DomainError as error:
            self.stderr.write(f"Demo review stopped: {error.message}")
            return
        self.stdout.write(
            f"{department.display_name} reviews its replies: {waiting.demand.tracking_number} waits for "
            f"{head.username}, {sent_back.demand.tracking_number} was sent back to {handler.username}."
        )


def _answerable(department: Department):
    """Its lead assignments a handler could answer now: in hand or to sign, no assist waiting."""
    open_assist = Assignment.objects.filter(
        demand_id=OuterRef("demand_id"),
        role=AssignmentRole.ASSIST,
        status__in=[AssignmentStatus.PENDING_SIGN, AssignmentStatus.SIGNED],
    )
    return (
        Assignment.objects.filter(
            department=department,
            role=AssignmentRole.LEAD,
            status__in=[AssignmentStatus.SIGNED, AssignmentStatus.PENDING_SIGN],
            demand__status__in=["dispatched", "in_progress"],
            paused_since__isnull=True,
        )
        .exclude(Exists(open_assist))
        .select_related("demand")
        .order_by("-status", "dispatched_at")  # signed ones first
    )


def _department() -> Department | None:
    """The first of the preferred bureaus, else the department with the most cases to answer, among
    those with a head and a handler and at least two such cases."""
    staffed = Department.objects.exclude(kind=DepartmentKind.COMMUNITY).filter(
        Exists(Membership.objects.filter(department=OuterRef("pk"), role=Role.HEAD)),
        Exists(Membership.objects.filter(department=OuterRef("pk"), role=Role.HANDLER)),
    )
    able = [d for d in staffed if _answerable(d).count() >= 2]
    for code in PREFERRED:
        for department in able:
            if department.code == code:
                return department
    counted = staffed.filter(pk__in=[d.pk for d in able]).annotate(
        cases=Count("assignments", filter=Q(assignments__role=AssignmentRole.LEAD))
    )
    return counted.order_by("-cases", "code").first()


def _member(department: Department, role: str) -> User | None:
    membership = Membership.objects.filter(department=department, role=role).select_related("user").order_by("pk")
    found = membership.first()
    return found.user if found else None
