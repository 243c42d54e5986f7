"""Fill an empty platform with demo demands, so a newcomer's dashboards are not empty. The demand
texts are the repository's own (routing/sample_data/demo_messages.csv: 490 messages written for
the sample district, each with the department that handles it and, for some, the official reply),
so a fresh clone anywhere gets the whole demo. 60 of them are submitted and routed through the
services like any demand, then some taken further by the demo accounts (signed, answered with the
message's reply where it has one, rated, returned, an extension asked); the others are the
district's past cases, learned from first.

Each story is told at its own pace over the past three weeks: the demand is submitted on its day
and each step follows hours or days later, with the platform's clock set back for it, so queues
show their age spread, some cases are overdue by now, and the auditors' charts have weeks to
show. A step that would fall after today has not happened yet."""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.utils import timezone

from config.demo_clock import clock_at
from config.errors import DomainError
from config.tables import read_table
from demands.citizen_messages import LOG_SENDER
from demands.models import Demand, DemandType
from demands.services import demand_rate, demand_submit
from departments.geometry import Shape
from departments.models import Community, Department, Membership, Role
from departments.selectors import resolve_location, street_office_for
from dispatch.models import Assignment, AssignmentRole, AssignmentStatus
from dispatch.selectors import department_to_suggest, latest_routing
from dispatch.services import (
    assignment_contribute,
    assignment_reply,
    assignment_return,
    assignment_sign,
    extension_request,
)
from dispatch.services.escalation import LADDER, sweep_deadlines
from responsibility_lists.management.commands.load_sample_district import DISPATCH_CENTRE
from routing.history import LABELLED_SAMPLE, HistoryColumns, history_import
from routing.training import train_and_activate

# Written for the sample district, not taken from anywhere: the shared public messages
# (../shared/data/messages.csv) may not be copied into the repository, and are for benchmarks.
MESSAGES = LABELLED_SAMPLE
TERRITORIAL_LABEL = "属地"
GENERIC_REPLY = "您反映的问题已收悉。经现场核查，我单位已安排专人处理，并将持续跟踪，感谢您的监督。"
SPAN_DAYS = 21
# The type a demo citizen would pick, read from the words of the message: the first that matches.
# A message with none of them asks for something to be put right (求助), except every
# UNCLASSIFIED_EVERY-th, left without a type as a citizen unsure of the word leaves it, so the
# desk shows demands for the dispatcher to classify.
TYPE_WORDS = [
    (DemandType.PRAISE, re.compile("感谢|表扬|点赞|致谢")),
    (DemandType.REPORT, re.compile("举报|违法|违规|非法|偷排|私自|无证")),
    (DemandType.COMPLAINT, re.compile("投诉|不作为|态度恶劣|扰民|噪音")),
    (DemandType.SUGGESTION, re.compile("建议|增设")),
    (DemandType.QUESTION, re.compile("咨询|请问|是否可以|能否|怎么办|如何办理|什么时候|何时")),
]
UNCLASSIFIED_EVERY = 6


class NotYet(Exception):
    """The next step of a story would fall after today."""


class Command(BaseCommand):
    help = "Submit demo demands into an empty platform, after learning from the district's past cases, and play part of their lifecycle."

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
        # The demo's phone numbers are made up, and may be someone's: they are texted only where
        # texts go to the log (the embedded default), never through a real gateway.
        texts = settings.CITIZEN_MESSAGE_SENDER == LOG_SENDER
        if not texts:
            self.stdout.write("Text messages go through a gateway here: the demo citizens decline them.")
        rng = random.Random(seed)
        every = read_table(messages)
        rows = [row for row in every if row["title"].strip() and len(row["body"]) >= 10]
        rows = rng.sample(rows, min(count, len(rows)))
        communities = list(Community.objects.select_related("street"))
        today = timezone.now()
        shown = {row["id"] for row in rows}
        self._learn_history([row for row in every if row["id"] not in shown], today)
        # Submitted in the daytime (citizens write between 8:00 and 22:00), oldest first.
        submitted = sorted(
            timezone.localtime(today - timedelta(days=rng.uniform(0, SPAN_DAYS))).replace(
                hour=rng.randrange(8, 22), minute=rng.randrange(60)
            )
            for _ in rows
        )
        with _texts_unlogged():
            for number, (row, moment) in enumerate(zip(rows, submitted, strict=True)):
                self._tell(row, moment, number, rng, communities, today, texts)
                if (number + 1) % 15 == 0 or number + 1 == len(rows):
                    self.stdout.write(f"  {number + 1}/{len(rows)} demo demands submitted and played")
            self._deadlines_as_they_fell(today)
        self.stdout.write(f"Loaded {len(rows)} demo demands from {messages}, submitted over {SPAN_DAYS} days.")

    def _tell(
        self,
        row: dict,
        moment: datetime,
        number: int,
        rng: random.Random,
        communities: list[Community],
        today: datetime,
        texts: bool,
    ) -> None:
        """One demo demand's story: submitted at `moment`, then played as far as today allows."""
        moment = min(moment, today - timedelta(minutes=rng.randrange(5, 90)))
        place = _place_of(row, communities, rng)
        with clock_at(moment):
            demand = demand_submit(
                title=row["title"].strip()[:200],
                content=row["body"].strip()[:4000],
                location_text=f"{place.street.name}{place.name}" if place else "",
                citizen_name=rng.choice("张王李赵刘陈杨黄") + rng.choice(["先生", "女士"]),
                citizen_phone=f"138{rng.randrange(10**8):08d}",
                text_messages=texts,
                demand_type=demo_type(row["title"] + row["body"], number),
                point=_point_in(place, number),
            ).demand
        with suppress(NotYet):  # the rest of this story is still to come
            self._play(demand, row, number, rng, _Story(moment, today, rng))

    def _deadlines_as_they_fell(self, today: datetime) -> None:
        """The escalation ladder's rungs taken when each fell due over the demo weeks, as the
        minute sweep would have taken them, not all at once when the platform first starts."""
        due = Assignment.objects.values_list(*(rung.due for rung in LADDER))
        for moment in sorted({m for row in due for m in row if m is not None and m <= today}):
            with clock_at(moment):
                sweep_deadlines(now=moment)

    def _learn_history(self, rows: list[dict], today: datetime) -> None:
        """The district's past: the messages not shown as demo demands, imported and learned from
        as a district's older system would be, before the demo weeks begin. The router then
        answers with history and a calibrated confidence, as it would in service. A 属地 case is
        the street office's where the message places it (left out where it names no place); the
        consultations the centre answered itself are no department's, so they are left out too."""
        centre = Department.objects.filter(code=DISPATCH_CENTRE).values_list("name", flat=True).first()
        past = []
        for row in rows:
            label = row["department"].strip()
            if label == TERRITORIAL_LABEL:
                office = street_office_for(resolve_location(row["title"], row["body"]).street_id)
                label = office.name if office else ""
            if label and label != centre and row["body"].strip():
                past.append({"id": row["id"], "title": row["title"], "content": row["body"], "department": label})
        if not past:
            return
        columns = HistoryColumns(text="content", title="title", department="department", external_id="id")
        with clock_at(today - timedelta(days=SPAN_DAYS + 1)):
            count = history_import(past, columns)
            model = train_and_activate(note="demo history", assessed=True)
        held_out = (model.metrics.get("held_out") or {}) if model else {}
        self.stdout.write(
            f"Learned from {count} past cases"
            + (f" (held-out accuracy {held_out['accuracy']:.1%})." if held_out else ".")
        )

    def _play(self, demand: Demand, row: dict, number: int, rng: random.Random, story: _Story) -> None:
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
                # Half the returns suggest the router's next department, as a handler who knows
                # the district would; the desk can then reassign in one click.
                routing = latest_routing(demand)
                suggested = department_to_suggest(demand, routing.candidates) if routing and number % 20 == 0 else None
                with story.later(minutes=rng.randrange(20, 90)):
                    assignment_return(
                        assignment_id=lead.pk,
                        actor=handler,
                        reason_code="not_ours",
                        reason="经核实，该事项不属于本单位职责范围，建议改派。",
                        suggested_department_id=suggested,
                    )
                return
            if step in (1, 2):
                return  # waiting to be signed
            with story.later(hours=rng.uniform(0.5, 6)):
                assignment_sign(assignment_id=lead.pk, actor=handler)
            if step == 3:
                with story.later(days=rng.uniform(0.5, 2)):
                    extension_request(
                        assignment_id=lead.pk, actor=handler, extra_days=3, reason="需协调多个部门现场核查"
                    )
                return
            if step in (4, 5):
                # In progress: its assisting departments have signed for their parts and not given
                # them yet, so the older ones run late on their own deadlines (协办超期).
                _assists_sign(demand, story)
                return
            for assist in Assignment.objects.filter(demand=demand, role=AssignmentRole.ASSIST):
                helper = _member(assist.department_id)
                if helper:
                    # Given within the part's own deadline (a share of the lead's): on time.
                    hours = rng.uniform(2, 30)
                    left = (assist.handle_deadline - story.moment).total_seconds() / 3600
                    with story.later(hours=min(hours, max(left * 0.8, 0.1))):
                        assignment_contribute(assignment_id=assist.pk, actor=helper, body="已配合现场核查，情况属实。")
            body = (row.get("reply") or "").strip()[:2000] or GENERIC_REPLY
            with story.later(days=rng.uniform(0.5, 6)):
                assignment_reply(assignment_id=lead.pk, actor=handler, body=body if len(body) >= 10 else GENERIC_REPLY)
            if step in (8, 9):
                with story.later(days=rng.uniform(0.2, 3)):
                    demand_rate(demand=demand, rating=rng.choice([3, 4, 5, 5]), comment="处理及时。")
        except DomainError as error:
            # A demo step the rules refuse (say, a return window passed) just ends the story there.
            self.stderr.write(f"{demand.tracking_number}: {error.message}")


def _assists_sign(demand: Demand, story: _Story) -> None:
    for assist in Assignment.objects.filter(
        demand=demand, role=AssignmentRole.ASSIST, status=AssignmentStatus.PENDING_SIGN
    ):
        helper = _member(assist.department_id)
        if helper:
            with story.later(hours=1):
                assignment_sign(assignment_id=assist.pk, actor=helper)


@contextmanager
def _texts_unlogged() -> Iterator[None]:
    """The demo citizens' text messages go to the log sender like any; seventy of them would bury
    the progress lines of `make run`, so they are not printed while the demo is loaded."""
    texts_log = logging.getLogger("demands.citizen_messages")
    level = texts_log.level
    texts_log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        texts_log.setLevel(level)


class _Story:
    """The clock of one demand's story: each step comes some time after the one before."""

    def __init__(self, start: datetime, today: datetime, rng: random.Random) -> None:
        self.moment, self.today, self.rng = start, today, rng

    def later(self, **delay: float):
        self.moment += timedelta(**delay)
        if self.moment >= self.today:
            raise NotYet
        return clock_at(self.moment)


def demo_type(text: str, number: int) -> str:
    for demand_type, words in TYPE_WORDS:
        if words.search(text):
            return demand_type
    return DemandType.UNKNOWN if number % UNCLASSIFIED_EVERY == 0 else DemandType.HELP


def _place_of(row: dict, communities: list[Community], rng: random.Random) -> Community | None:
    """Where the citizen says it happened: the community the message names, else one of the
    street it names, else anywhere in the district (a bureau's case need not name a place)."""
    found = resolve_location(row["title"], row["body"])
    if found.community_id:
        return next(c for c in communities if c.pk == found.community_id)
    nearby = [c for c in communities if c.street_id == found.street_id] if found.street_id else []
    return rng.choice(nearby or communities) if communities else None


def _point_in(place: Community | None, number: int) -> tuple[Decimal, Decimal] | None:
    """A point inside the community's outline for most demo demands (an app or a picked point on
    the form), none for every third (taken by phone). Drawn from its own generator, so the rest
    of the demo is the same with or without outlines."""
    if place is None or not place.boundary or number % 3 == 2:
        return None
    shape = Shape.of(place.boundary)
    rng = random.Random(f"demo-point-{number}")
    for _ in range(50):
        lon, lat = rng.uniform(shape.west, shape.east), rng.uniform(shape.south, shape.north)
        if shape.contains(lon, lat):
            return Decimal(f"{lat:.6f}"), Decimal(f"{lon:.6f}")
    return None


def _member(department_id: int) -> User | None:
    membership = (
        Membership.objects.filter(department_id=department_id, role__in=(Role.HANDLER, Role.HEAD))
        .select_related("user")
        .order_by("role", "pk")
        .first()
    )
    return membership.user if membership else None
