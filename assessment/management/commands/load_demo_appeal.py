"""The demo's appeal (申诉): a department head appeals a demo case of last month inside its
appeal window, and the auditor rules on it, each at its own moment (config.demo_clock).

Only possible when the demo has a case dispatched last month whose record ends before the window
opened (the demo plays three weeks back, so in the first three weeks of a month); otherwise the
command says so and does nothing. Idempotent: a demo with an appeal is left alone."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db.models import Max
from django.utils import timezone

from assessment.appeals import appeal_decide, appeal_submit, appeal_window, last_closed_month
from assessment.models import Appeal
from config.demo_clock import clock_at
from departments.models import Membership, Role
from dispatch.models import Assignment

REASON = "该诉求所涉路段属市政道路养护单位管理，不属本部门职责，请求不计入本部门当月考核。"
RULING = "经核实，该路段养护责任在市级单位，申诉成立。"


class Command(BaseCommand):
    help = "Play a demo appeal and its ruling, when the demo has a case of last month to appeal."

    def handle(self, *args, **options):
        if Appeal.objects.exists():
            self.stdout.write("The demo already has an appeal.")
            return
        now = timezone.now()
        month = last_closed_month(now)
        opens, _closes = appeal_window(month)
        appealed_at = opens + timedelta(hours=9)  # the morning the window opened
        ruled_at = appealed_at + timedelta(hours=4)
        if ruled_at > now:
            self.stdout.write("No demo appeal: last month's appeal window opened too recently.")
            return
        heads = Membership.objects.filter(role=Role.HEAD).values_list("department_id", flat=True)
        candidates = (
            Assignment.objects.lead()
            .filter(department_id__in=heads, dispatched_at__date__gte=month, dispatched_at__lt=opens)
            .annotate(last_event=Max("demand__events__created_at"))
            .filter(last_event__lt=appealed_at)
            .select_related("demand", "department")
            .order_by("dispatched_at")
        )
        case = candidates.first()
        if case is None:
            self.stdout.write("No demo appeal: the demo has no case of last month to appeal.")
            return
        users = get_user_model().objects
        head = users.filter(memberships__department=case.department, memberships__role=Role.HEAD).first()
        auditor = users.filter(memberships__role=Role.AUDITOR).first()
        if head is None or auditor is None:  # the candidates are the heads' own departments' cases
            self.stdout.write("No demo appeal: the sample district has no auditor.")
            return
        with clock_at(appealed_at):
            appeal = appeal_submit(actor=head, assignment_id=case.pk, reason=REASON)
        with clock_at(ruled_at):
            appeal_decide(actor=auditor, appeal_id=appeal.pk, upheld=True, reason=RULING)
        self.stdout.write(f"Demo appeal on {case.demand.tracking_number} by {head.username}, upheld.")
