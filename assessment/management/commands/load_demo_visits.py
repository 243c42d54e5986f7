"""Callback visits for the demo demands (回访): after load_demo_demands, the answered demands have
their visits (made as each answer went out, or here when the answers were queued to a worker), and
the demo callback officer has made some calls: some visits done, one not reachable after three
calls, one called once without an answer, the rest still due. Run by `make sample`."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import cycle

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.utils import timezone

from assessment.models import VISIT_ATTEMPTS, CallbackVisit, Resolution, Satisfaction, VisitStatus
from assessment.visit_calls import CallOutcome, visit_record
from assessment.visits import visit_schedule
from config.demo_clock import clock_at
from config.errors import DomainError
from demands.models import Demand, DemandEvent
from demands.workflow import ANSWERED_STATUSES

OFFICER = "callback"
ANSWERS = (
    CallOutcome(reached=True, contacted_in_time=True, resolution=Resolution.SOLVED, satisfaction=Satisfaction.SATISFIED,
                notes="群众表示问题已解决，很满意。"),
    CallOutcome(reached=True, contacted_in_time=True, resolution=Resolution.SOLVED, satisfaction=Satisfaction.BASICALLY,
                notes="已解决，但希望处理得更快些。"),
    CallOutcome(reached=True, contacted_in_time=False, resolution=Resolution.PARTLY,
                satisfaction=Satisfaction.BASICALLY, notes="部分解决，部门事前未联系群众。"),
    CallOutcome(reached=True, contacted_in_time=True, resolution=Resolution.UNSOLVED,
                satisfaction=Satisfaction.UNSATISFIED, notes="群众说问题依旧，不满意。"),
)  # fmt: skip
NO_ANSWER = CallOutcome(reached=False, notes="无人接听。")


class Command(BaseCommand):
    help = "Give the demo demands their callback visits, some of them called by the demo callback officer."

    def handle(self, *args, **options):
        officer = User.objects.filter(username=OFFICER).first()
        if officer is None:
            self.stdout.write(f"No {OFFICER} account (load_sample_district first); no demo visits.")
            return
        if CallbackVisit.objects.filter(visited_by__isnull=False).exists():
            self.stdout.write("Demo visits exist already; none added.")
            return
        for demand in Demand.objects.filter(status__in=ANSWERED_STATUSES):
            if demand.replied_at is not None:  # answered demands all have it; the type cannot say so
                with clock_at(demand.replied_at):
                    visit_schedule(demand_id=demand.pk)
        due = list(CallbackVisit.objects.filter(status=VisitStatus.DUE).order_by("answered_at", "pk"))
        if not due:
            self.stdout.write("No answered demo demands; no demo visits.")
            return
        now = timezone.now()
        unreachable, rest = due[0], due[1:]
        for attempt in range(VISIT_ATTEMPTS):
            self._call(
                unreachable, officer, NO_ANSWER, unreachable.answered_at + timedelta(hours=2 + 20 * attempt), now
            )
        done = rest[: max(1, len(rest) // 2)]
        for visit, outcome in zip(done, cycle(ANSWERS), strict=False):
            self._call(visit, officer, outcome, visit.answered_at + timedelta(hours=3), now)
        called_once = rest[len(done) : len(done) + 1]
        for visit in called_once:
            self._call(visit, officer, NO_ANSWER, visit.answered_at + timedelta(hours=1), now)
        counts = {status: CallbackVisit.objects.filter(status=status).count() for status in VisitStatus.values}
        self.stdout.write("Demo callback visits: " + ", ".join(f"{n} {status}" for status, n in counts.items() if n))

    def _call(self, visit: CallbackVisit, officer: User, outcome: CallOutcome, at: datetime, now: datetime) -> None:
        # Not in the future, and not before the demand's last event (the audit trail runs forward).
        last = DemandEvent.objects.filter(demand_id=visit.demand_id).latest("created_at", "pk").created_at
        with clock_at(max(min(at, now), last + timedelta(seconds=1))):
            try:
                visit_record(visit_id=visit.pk, actor=officer, outcome=outcome)
            except DomainError as error:  # a demo step the rules refuse ends that visit's story
                self.stderr.write(f"{visit.demand.tracking_number}: {error.message}")
