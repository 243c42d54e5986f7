"""The demo's hand from above (督办、批示、会商): on three of the demo's cases in hand, a supervisor
puts one under supervision by hand, a leader's instruction is recorded on another, and the
dispatch centre convenes the departments of a third (疑难件会商) and re-dispatches it on their
decision.

Idempotent: each part is played once (a demo with an instruction keeps it, and so on)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.utils import timezone

from config.errors import DomainError
from departments.models import Department, DepartmentKind, Role
from dispatch.models import Assignment, HardCaseConsultation, LeaderInstruction, Supervision
from dispatch.services.consultations import consultation_convene
from dispatch.services.instructions import instruction_record
from dispatch.services.supervision import supervision_open


def _user(role: str) -> User | None:
    return User.objects.filter(memberships__role=role, is_active=True).order_by("pk").first()


class Command(BaseCommand):
    help = "Play the demo's supervision by hand, leader's instruction and convened hard case."

    def handle(self, *args, **options):
        supervisor, dispatcher = _user(Role.SUPERVISOR), _user(Role.DISPATCH_OFFICER)
        if supervisor is None or dispatcher is None:
            self.stdout.write("No demo from above: the sample district is not loaded.")
            return
        # Cases in hand at a functional department, oldest first, none already taken by the demo.
        in_hand = list(
            Assignment.objects.lead()
            .open()
            .filter(department__kind=DepartmentKind.FUNCTIONAL, delegations__isnull=True)
            .select_related("demand", "department")
            .order_by("dispatched_at")[:12]
        )
        played: list[str] = []
        taken: set[int] = set()

        def on_a_case(what: str, act: Callable[[Assignment], object]) -> None:
            """Play `act` on the first case it is allowed on (one already supervised by the ladder
            may not be supervised again, say), each case once."""
            for case in in_hand:
                if case.demand_id in taken:
                    continue
                try:
                    act(case)
                except DomainError:
                    continue
                taken.add(case.demand_id)
                played.append(f"{what} {case.demand.tracking_number}")
                return

        if not Supervision.objects.filter(by_hand=True).exists():
            on_a_case(
                "supervised by hand",
                lambda case: supervision_open(
                    demand_id=case.demand_id,
                    actor=supervisor,
                    note="群众多次来电反映，请加快办理并于期限前反馈进展。",
                    working_hours=Decimal(8),
                ),
            )
        if not LeaderInstruction.objects.exists():
            on_a_case(
                "leader's instruction on",
                lambda case: instruction_record(
                    demand_id=case.demand_id,
                    actor=supervisor,
                    leader_name="区委副书记 陈某",
                    text="请主办部门本周内实地查看，拿出解决方案，办理结果报区民生诉求服务中心。",
                    respond_by=timezone.localdate() + timedelta(days=5),
                ),
            )
        if not HardCaseConsultation.objects.exists():
            on_a_case("convened", lambda case: _convene(case, dispatcher))
        self.stdout.write("Demo from above: " + ("; ".join(played) if played else "nothing more to play."))


def _convene(case: Assignment, dispatcher: User) -> HardCaseConsultation:
    """The departments of a disputed case meet: another bureau takes the lead, the first assists,
    and a list amendment is proposed from the decision."""
    other = (
        Department.objects.filter(kind=DepartmentKind.FUNCTIONAL, is_active=True)
        .exclude(pk=case.department_id)
        .exclude(code="ZXZX")
        .order_by("code")
        .first()
    )
    if other is None:
        raise DomainError("no other bureau")
    return consultation_convene(
        demand_id=case.demand_id,
        actor=dispatcher,
        participant_ids=[case.department_id, other.pk],
        lead_id=other.pk,
        assisting_ids=[case.department_id],
        decision=f"经会商，该诉求由{other.name}主办，{case.department.name}协办，按清单修订建议调整。",
        propose_amendment=True,
    )
