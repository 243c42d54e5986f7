"""Fill an empty platform with demo demands, so a newcomer's dashboards are not empty: real public
citizen messages from ../shared/data/messages.csv, submitted and routed through the services like
any demand, then some taken further by the demo accounts (signed, answered, rated, returned, an
extension asked). The messages are read where they lie, never copied into the repository; without
the file the command says so and does nothing."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand

from config.errors import DomainError
from demands.models import Demand
from demands.services import demand_rate, demand_submit
from departments.models import Community, Membership, Role
from dispatch.models import Assignment, AssignmentRole, AssignmentStatus
from dispatch.services import (
    assignment_contribute,
    assignment_reply,
    assignment_return,
    assignment_sign,
    extension_request,
)

MESSAGES = Path(settings.BASE_DIR).parent / "shared" / "data" / "messages.csv"
GENERIC_REPLY = "您反映的问题已收悉。经现场核查，我单位已安排专人处理，并将持续跟踪，感谢您的监督。"


class Command(BaseCommand):
    help = "Submit demo demands (real public messages) into an empty platform and play part of their lifecycle."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=60)
        parser.add_argument("--messages", type=Path, default=MESSAGES)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, count: int, messages: Path, seed: int, **options):
        if Demand.objects.exists():
            self.stdout.write("Demands exist already; no demo demands loaded.")
            return
        if not messages.exists():
            self.stdout.write(f"{messages} not found; no demo demands loaded.")
            return
        rng = random.Random(seed)
        with messages.open(encoding="utf-8") as handle:
            rows = [row for row in csv.DictReader(handle) if row["title"].strip() and len(row["body"]) >= 10]
        rows = rng.sample(rows, min(count, len(rows)))
        communities = list(Community.objects.select_related("street"))
        for number, row in enumerate(rows):
            place = rng.choice(communities) if communities else None
            demand = demand_submit(
                title=row["title"].strip()[:200],
                content=row["body"].strip()[:4000],
                location_text=f"{place.street.name}{place.name}" if place else "",
                citizen_name=rng.choice("张王李赵刘陈杨黄") + rng.choice(["先生", "女士"]),
                citizen_phone=f"138{rng.randrange(10**8):08d}",
            ).demand
            self._play(demand, row, number, rng)
        self.stdout.write(f"Loaded {len(rows)} demo demands from {messages}.")

    def _play(self, demand: Demand, row: dict, number: int, rng: random.Random) -> None:
        lead = Assignment.objects.filter(
            demand=demand, role=AssignmentRole.LEAD, status=AssignmentStatus.PENDING_SIGN
        ).first()
        if lead is None:
            return  # left in triage for the dispatch desk
        handler = _member(lead.department_id)
        if handler is None:
            return
        step = number % 10
        try:
            if step == 0:
                assignment_return(
                    assignment_id=lead.pk,
                    actor=handler,
                    reason_code="not_ours",
                    reason="经核实，该事项不属于本单位职责范围，建议改派。",
                    suggested_department_id=None,
                )
                return
            if step in (1, 2):
                return  # waiting to be signed
            assignment_sign(assignment_id=lead.pk, actor=handler)
            if step == 3:
                extension_request(assignment_id=lead.pk, actor=handler, extra_days=3, reason="需协调多个部门现场核查")
                return
            if step in (4, 5):
                return  # in progress
            for assist in Assignment.objects.filter(demand=demand, role=AssignmentRole.ASSIST):
                helper = _member(assist.department_id)
                if helper:
                    assignment_contribute(assignment_id=assist.pk, actor=helper, body="已配合现场核查，情况属实。")
            body = (row.get("reply") or "").strip()[:2000] or GENERIC_REPLY
            assignment_reply(assignment_id=lead.pk, actor=handler, body=body if len(body) >= 10 else GENERIC_REPLY)
            if step in (8, 9):
                demand_rate(demand=demand, rating=rng.choice([3, 4, 5, 5]), comment="处理及时。")
        except DomainError as error:
            # A demo step the rules refuse (say, a return window passed) just ends the story there.
            self.stderr.write(f"{demand.tracking_number}: {error.message}")


def _member(department_id: int) -> User | None:
    membership = (
        Membership.objects.filter(department_id=department_id, role__in=(Role.HANDLER, Role.HEAD))
        .select_related("user")
        .order_by("role", "pk")
        .first()
    )
    return membership.user if membership else None
