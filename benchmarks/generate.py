"""Generate a city's worth of demands, with everything that happens to them, for the benchmarks.

    .venv/bin/python benchmarks/generate.py --demands 1000000
        --database-url postgres://postgres@127.0.0.1:5432/mh_gen_1m [--seed 7] [--years 2] [--seal] [--jobs 2]

It (re)creates the database, migrates it and loads the sample district, then writes N demands
submitted over YEARS years up to now, in submission order (ids follow time, as in a real table),
each carried through its life and stopped where "now" falls: cases of the last weeks are still
open, at whatever step they had reached. Per demand, in about these proportions (PROPORTIONS):

- routed automatically to the list's lead department (85%) or through the triage queue (15%);
  out-of-scope refusals (1.5%) and merged duplicates (2%, with the dispatcher's accepted
  suggestion) leave at triage;
- the lead assignment, and assisting ones where the matter names assisting departments (half of
  those cases), signed mostly within the limit (6% late), answered mostly on time (11% late, 1%
  months late, a share of those with citizens' follow-ups), with the escalation ladder's stamps,
  automatic supervisions (and the departments' answers to them) and escalations the lateness
  implies;
- returns (退单, 4%) ruled upheld (65%, redispatched to another department) or overruled;
  extensions (3%, three in four approved); the assisting departments' contributions and the
  lead's reply;
- after each answer a callback visit (回访): the citizen's own rating where they rated first
  (30%), else a call answered (with contact in time, resolution and satisfaction, correlated) or
  not reachable after three attempts (7%); an unsatisfied answer is reopened (重办) about a third
  of the time and goes round again; the rest close on the rating or automatically after 7 days;
- appeals (申诉) on 0.4% of finished lead assignments, after their month closed;
- the audit events (demands.DemandEvent) of every step, as the services write them.

Texts come from ../shared/data/messages.csv where it is present (each message is given to the
matters whose keywords it contains, so a case's text fits its matter), else from phrases built
from the matters' keywords. The citizen's contact details stay empty (they are encrypted columns;
empty is what an anonymised case holds).

With --jobs J, J processes each build and COPY a consecutive part of the demands (a stretch of
time) on their own connection; each part's ids start after room set apart for the parts before it
(ROWS_PER_DEMAND_BOUND), so ids still follow time, with gaps between the parts.

Rows are written with COPY, chunk by chunk, with ids assigned here; the sequences are reset and
the tables analysed at the end. The load runs with `session_replication_role = replica`, which
turns the tables' triggers off for this session only: the foreign keys are not re-checked row by
row (the ids are the generator's own) and the audit chain's insert trigger (migration 0015),
which looks up each demand's previous event for every row, does not run.

The audit chain: each event takes its place in its demand's chain (seq 1, 2, 3…, and prev_hash
naming the row before), but by default its row_hash is a placeholder (the event id in hex), not
the keyed HMAC of demands.audit_chain: demands.audit_chain.row_hash over each event's canonical
JSON took about 170 µs an event on the (busy, 2-core) benchmark machine, against about 100 µs an
event for building all the other rows, so it would more than double the time. `--seal` computes
the real hashes, so that `verify_audit_log` passes; the benchmarks do not verify the chain and
leave it off."""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import multiprocessing
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
MESSAGES = ROOT.parent / "shared" / "data" / "messages.csv"

HOUR = 3600.0
DAY = 86400.0

# The shares the life of a case is drawn with (see the module docstring).
PROPORTIONS = {
    "triage": 0.15,
    "rejected": 0.015,
    "merged": 0.02,
    "assisted": 0.5,  # of the cases whose matter names assisting departments
    "sign_late": 0.06,
    "returned": 0.04,
    "return_upheld": 0.65,
    "extension": 0.03,
    "extension_approved": 0.75,
    "late": 0.11,
    "very_late": 0.01,
    "follow_up": 0.4,  # of the late answers
    "rated": 0.30,
    "unreachable": 0.07,
    "reopen": 0.33,  # of the unsatisfied answers not rated by the citizen
    "appeal": 0.004,
    "appeal_upheld": 0.4,
}

CHANNELS = (("hotline", 0.55), ("web", 0.2), ("app", 0.18), ("api", 0.03), ("letter", 0.02), ("visit", 0.02))
URGENCIES = (("normal", 0.9), ("urgent", 0.08), ("critical", 0.02))
RETURN_REASONS = (("not_ours", 0.55), ("wrong_territory", 0.2), ("needs_another", 0.15), ("insufficient_info", 0.1))
RATINGS = ((5, 0.55), (4, 0.2), (3, 0.1), (2, 0.07), (1, 0.08))
RESOLUTIONS = (("solved", 0.7), ("partly", 0.18), ("unsolved", 0.12))
SATISFACTION = {
    "solved": (("satisfied", 0.8), ("basically", 0.17), ("unsatisfied", 0.03)),
    "partly": (("satisfied", 0.4), ("basically", 0.4), ("unsatisfied", 0.2)),
    "unsolved": (("satisfied", 0.1), ("basically", 0.3), ("unsatisfied", 0.6)),
}
SATISFACTION_OF_RATING = {5: "satisfied", 4: "satisfied", 3: "basically", 2: "unsatisfied", 1: "unsatisfied"}
AUTOMATIC_SUPERVISION_NOTE = "超期未办结，系统自动列入督办，请承办部门说明情况并限期办结。"

# Table, columns (in the order the rows are built) and the text columns: COPY reads an empty
# unquoted field as NULL, and FORCE_NOT_NULL reads it as "" in these.
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "demands_demand": (
        (
            "id", "tracking_number", "query_code_hash", "channel", "entered_by_id", "citizen_name", "citizen_phone",
            "citizen_address", "citizen_phone_hash", "wants_text_messages", "title", "content", "location_text",
            "street_id", "community_id", "community_picked", "category_hint", "citizen_language", "urgency", "status",
            "matter_id", "list_version_id", "lead_department_id", "due_at", "rating", "rating_comment", "rated_at",
            "reopen_count", "follow_up_count", "duplicate_of_id", "submitted_at", "replied_at", "closed_at",
            "anonymised_at", "updated_at", "source_reference", "requested_service_code", "media_url",
        ),
        (
            "tracking_number", "query_code_hash", "citizen_name", "citizen_phone", "citizen_address",
            "citizen_phone_hash", "title", "content", "location_text", "category_hint", "rating_comment",
            "source_reference", "requested_service_code", "media_url",
        ),
    ),
    "dispatch_assignment": (
        (
            "id", "demand_id", "department_id", "role", "status", "matter_id", "dispatched_at", "dispatched_by_id",
            "is_redispatch", "sign_deadline", "handle_deadline", "warn_at", "warned_at", "overdue_at", "supervise_at",
            "supervised_at", "escalate_at", "escalated_at", "sign_overdue_at", "paused_since", "signed_at",
            "signed_by_id", "finished_at", "released_by_return_id",
        ),
        (),
    ),
    "dispatch_returnrequest": (
        (
            "id", "assignment_id", "reason_code", "reason", "suggested_department_id", "requested_by_id",
            "requested_at", "status", "ruled_by_id", "ruled_at", "ruling_note", "redispatched_to_id",
        ),
        ("reason", "ruling_note"),
    ),
    "dispatch_extensionrequest": (
        (
            "id", "assignment_id", "extra_days", "reason", "requested_by_id", "requested_at", "status",
            "decided_by_id", "decided_at", "decision_note", "previous_deadline", "new_deadline",
        ),
        ("reason", "decision_note"),
    ),
    "dispatch_supervision": (
        (
            "id", "assignment_id", "supervisor_id", "note", "response_deadline", "created_at", "response",
            "responded_by_id", "responded_at", "by_hand",
        ),
        ("note", "response"),
    ),
    "dispatch_duplicatesuggestion": (
        ("id", "demand_id", "original_id", "similarity", "status", "created_at", "decided_by_id", "decided_at"),
        (),
    ),
    "demands_reply": (
        ("id", "demand_id", "department_id", "author_id", "body", "is_contribution", "created_at"),
        ("body",),
    ),
    "assessment_callbackvisit": (
        (
            "id", "demand_id", "answer_round", "department_id", "answered_at", "status", "due_at", "attempts",
            "last_attempt_at", "contacted_in_time", "resolution", "satisfaction", "notes", "visited_by_id",
            "finished_at", "created_at",
        ),
        ("resolution", "satisfaction", "notes"),
    ),
    "assessment_appeal": (
        (
            "id", "assignment_id", "department_id", "period", "reason", "evidence", "status", "submitted_by_id",
            "submitted_at", "decided_by_id", "decided_at", "decision_reason",
        ),
        ("reason", "evidence", "decision_reason"),
    ),
    "demands_demandevent": (
        (
            "id", "demand_id", "seq", "action", "from_status", "to_status", "actor_id", "actor_label",
            "department_id", "reason", "data", "is_public", "created_at", "prev_hash", "row_hash",
        ),
        ("from_status", "actor_label", "reason", "prev_hash", "row_hash"),
    ),
}  # fmt: skip


_DAYS: dict[int, str] = {}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def ts(t: float | None) -> str | None:
    """A moment (seconds since the epoch) as PostgreSQL reads it, in UTC; formatted by hand, as
    datetime.isoformat() is the generator's largest single cost."""
    if t is None:
        return None
    day, rest = divmod(round(t * 1_000_000), 86_400_000_000)
    prefix = _DAYS.get(day)
    if prefix is None:
        prefix = _DAYS[day] = datetime.fromtimestamp(day * 86400, UTC).strftime("%Y-%m-%d ")
    hours, rest = divmod(rest, 3_600_000_000)
    minutes, rest = divmod(rest, 60_000_000)
    seconds, micro = divmod(rest, 1_000_000)
    return f"{prefix}{hours:02d}:{minutes:02d}:{seconds:02d}.{micro:06d}+00"


# Office hours, local (UTC+8, no daylight saving): staff sign, answer and call the citizens then.
LOCAL_OFFSET = 8 * HOUR
OPENS, CLOSES = 9 * HOUR, 18 * HOUR


def in_office(t: float) -> bool:
    local = t + LOCAL_OFFSET
    weekday = (int(local // DAY) + 3) % 7  # 1970-01-01 was a Thursday
    return weekday < 5 and OPENS <= local % DAY < CLOSES


def next_opening(t: float) -> float:
    """`t` itself in office hours, else when the office next opens."""
    if in_office(t):
        return t
    local = t + LOCAL_OFFSET
    day = local // DAY + (1 if local % DAY >= OPENS else 0)
    while (int(day) + 3) % 7 >= 5:
        day += 1
    return day * DAY + OPENS - LOCAL_OFFSET


def add_office_hours(t: float, hours: float) -> float:
    """The moment `hours` office hours after `t` (the working-time clock, without holidays)."""
    t, left = next_opening(t), hours * HOUR
    while True:
        closing = (t + LOCAL_OFFSET) // DAY * DAY + CLOSES - LOCAL_OFFSET
        if t + left <= closing:
            return t + left
        left -= closing - t
        t = next_opening(closing)


def pick(rng: random.Random, weighted: tuple[tuple[Any, float], ...]) -> Any:
    x = rng.random()
    for value, share in weighted:
        x -= share
        if x < 0:
            return value
    return weighted[-1][0]


class Stop(Exception):
    """The next step of a case would happen after now: the case stays where it is."""


@dataclass
class MatterInfo:
    id: int
    code: str
    name: str
    version_id: int
    category: str
    lead_id: int | None  # None: the street office where the demand is
    assisting: list[int]
    assisted_by_territory: bool
    sign_hours: dict[str, float]
    handle_days: dict[str, float]
    keywords: list[str]
    texts: list[int] = field(default_factory=list)  # indexes into District.texts


@dataclass
class District:
    """What the generated cases are built from, read once from the sample district."""

    matters: list[MatterInfo]
    weights: list[float]  # cumulative, for bisect
    communities: list[tuple[int, int]]  # (community id, street id)
    street_office: dict[int, int]
    departments: list[int]
    handler: dict[int, int]
    head: dict[int, int]
    usernames: dict[int, str]
    intake: int
    dispatchers: list[int]
    callback: int
    auditor: int
    texts: list[tuple[str, str, str]]  # title, body, reply ("" if none)


def load_district(rng: random.Random, messages: Path = MESSAGES) -> District:
    from django.contrib.auth import get_user_model

    from departments.models import Community, Department, DepartmentKind, Membership, Role
    from responsibility_lists.models import ListVersion, Matter

    version = ListVersion.objects.filter(status="published").order_by("-pk").first() or ListVersion.objects.latest("pk")
    matters = []
    for matter in (
        Matter.objects.filter(version=version).select_related("category").prefetch_related("assisting_departments")
    ):
        matters.append(
            MatterInfo(
                id=matter.pk,
                code=matter.code,
                name=matter.name,
                version_id=version.pk,
                category=matter.category.name,
                lead_id=matter.lead_department_id,
                assisting=[d.pk for d in matter.assisting_departments.all()],
                assisted_by_territory=matter.assisted_by_territory,
                sign_hours={u: float(matter.sign_hours(u)) for u in ("normal", "urgent", "critical")},
                handle_days={u: float(matter.handle_days(u)) for u in ("normal", "urgent", "critical")},
                keywords=[k for k in matter.keywords if k],
            )
        )
    matters.sort(key=lambda m: m.code)
    # A few matters take most of the demands, as in any district: Zipf-like weights over the
    # matters in a seeded order.
    order = list(range(len(matters)))
    rng.shuffle(order)
    raw = [0.0] * len(matters)
    for rank, index in enumerate(order, start=1):
        raw[index] = 1 / rank**0.8
    total, cumulative, running = sum(raw), [], 0.0
    for weight in raw:
        running += weight / total
        cumulative.append(running)

    texts = _read_messages(messages)
    for index, (title, body, _reply) in enumerate(texts):
        text = title + body
        for matter in matters:
            if any(keyword in text for keyword in matter.keywords):
                matter.texts.append(index)

    users = {u.pk: u.get_username() for u in get_user_model().objects.all()}
    handler: dict[int, int] = {}
    head: dict[int, int] = {}
    by_role: dict[str, list[int]] = {}
    for membership in Membership.objects.order_by("pk"):
        by_role.setdefault(membership.role, []).append(membership.user_id)
        if membership.role == Role.HANDLER:
            handler.setdefault(membership.department_id, membership.user_id)
        elif membership.role == Role.HEAD:
            head.setdefault(membership.department_id, membership.user_id)
    departments = list(Department.objects.filter(is_active=True).order_by("pk"))
    for department in departments:
        head.setdefault(department.pk, handler.get(department.pk, by_role[Role.ADMIN][0]))
        handler.setdefault(department.pk, head[department.pk])
    return District(
        matters=matters,
        weights=cumulative,
        communities=list(Community.objects.order_by("pk").values_list("pk", "street_id")),
        street_office={d.street_id: d.pk for d in departments if d.kind == DepartmentKind.STREET and d.street_id},
        departments=[d.pk for d in departments if d.kind != DepartmentKind.COMMUNITY and d.code != "ZXZX"],
        handler=handler,
        head=head,
        usernames=users,
        intake=by_role[Role.INTAKE_OPERATOR][0],
        dispatchers=by_role[Role.DISPATCH_OFFICER],
        callback=by_role[Role.CALLBACK_OFFICER][0],
        auditor=by_role[Role.AUDITOR][0],
        texts=texts,
    )


def _read_messages(path: Path) -> list[tuple[str, str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            (row["title"].strip()[:200], row["body"].strip()[:10_000], row["reply"].strip())
            for row in csv.DictReader(handle)
            if row["title"].strip() and row["body"].strip()
        ]


class Assignment:
    __slots__ = (
        "demand_id",
        "department_id",
        "dispatched_at",
        "dispatched_by_id",
        "escalate_at",
        "escalated_at",
        "finished_at",
        "handle_deadline",
        "id",
        "is_redispatch",
        "matter_id",
        "overdue_at",
        "paused_since",
        "released_by_return_id",
        "role",
        "sign_deadline",
        "sign_overdue_at",
        "signed_at",
        "signed_by_id",
        "status",
        "supervise_at",
        "supervised_at",
        "warn_at",
        "warned_at",
    )  # fmt: skip

    def __init__(self, **values: Any) -> None:
        for name in self.__slots__:
            setattr(self, name, values.get(name))

    def set_deadline(self, handle_deadline: float) -> None:
        self.handle_deadline = handle_deadline
        span = handle_deadline - self.dispatched_at
        self.warn_at = handle_deadline - min(span / 4, DAY)
        self.supervise_at = handle_deadline + 2 * DAY
        self.escalate_at = handle_deadline + 5 * DAY

    def row(self) -> tuple:
        return (
            self.id, self.demand_id, self.department_id, self.role, self.status, self.matter_id,
            ts(self.dispatched_at), self.dispatched_by_id, self.is_redispatch, ts(self.sign_deadline),
            ts(self.handle_deadline), ts(self.warn_at), ts(self.warned_at), ts(self.overdue_at),
            ts(self.supervise_at), ts(self.supervised_at), ts(self.escalate_at), ts(self.escalated_at),
            ts(self.sign_overdue_at), ts(self.paused_since), ts(self.signed_at), self.signed_by_id,
            ts(self.finished_at), self.released_by_return_id,
        )  # fmt: skip


class Generator:
    """Builds the rows of N demands chunk by chunk; `flush` writes a chunk with COPY."""

    def __init__(
        self, district: District, *, now: datetime, years: float, seed: int, seal: bool, first_ids: dict[str, int]
    ) -> None:
        self.d = district
        self.rng = random.Random(seed)
        self.now = now.timestamp()
        self.start = self.now - years * 365 * DAY
        self.seal = seal
        self.next_id = dict(first_ids)
        self.rows: dict[str, list[Any]] = {table: [] for table in TABLES}
        self.counts: Counter[str] = Counter()
        self.daily: Counter[date] = Counter()
        self.local = ZoneInfo("Asia/Shanghai")
        self.first_demand = first_ids["demands_demand"]
        self.outcomes: Counter[str] = Counter()

    def take_id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    # -- one demand -------------------------------------------------------------------------

    def demand(self, index: int, n: int) -> None:
        t0 = self.start + (index + self.rng.random()) / n * (self.now - self.start)
        case = Case(self, t0)
        with contextlib.suppress(Stop):
            case.run()
        case.write()

    # -- writing ----------------------------------------------------------------------------

    def flush(self, cursor: Any) -> float:
        """COPY the chunk's rows, table by table (parents first); the seconds it took."""
        started = time.perf_counter()
        for table, (columns, text_columns) in TABLES.items():
            rows = self.rows[table]
            if not rows:
                continue
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerows(rows)
            buffer.seek(0)
            force = f", FORCE_NOT_NULL ({', '.join(text_columns)})" if text_columns else ""
            cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv{force})", buffer)
            self.counts[table] += len(rows)
            rows.clear()
        return time.perf_counter() - started


class Case:
    """One demand's life, step by step, stopped at now."""

    def __init__(self, gen: Generator, t0: float) -> None:
        self.g, self.rng, self.d = gen, gen.rng, gen.d
        self.id = gen.take_id("demands_demand")
        self.t0 = t0
        self.now = gen.now
        self.status = ""
        self.last_t = t0
        self.events: list[tuple] = []
        self.assignments: list[Assignment] = []
        self.lead: Assignment | None = None
        self.replied_at: float | None = None
        self.closed_at: float | None = None
        self.rating: int | None = None
        self.rated_at: float | None = None
        self.follow_ups = 0
        self.duplicate_of: int | None = None
        self.appeal: tuple | None = None
        rng = self.rng
        matter = self.d.matters[min(_bisect(self.d.weights, rng.random()), len(self.d.matters) - 1)]
        self.matter = matter
        self.urgency = pick(rng, URGENCIES)
        self.channel = pick(rng, CHANNELS)
        x = rng.random()
        if x < 0.92:
            self.community_id, self.street_id = rng.choice(self.d.communities)
        elif x < 0.97:
            self.community_id, self.street_id = None, rng.choice(self.d.communities)[1]
        else:
            self.community_id, self.street_id = None, None
        office_street = self.street_id or self.d.communities[self.id % len(self.d.communities)][1]
        self.office = self.d.street_office.get(office_street, self.d.departments[0])
        self.lead_department = matter.lead_id or self.office
        if matter.texts and rng.random() < 0.9:
            self.title, self.content, self.reply_text = self.d.texts[rng.choice(matter.texts)]
        else:
            keyword = rng.choice(matter.keywords) if matter.keywords else matter.name
            self.title = f"反映{keyword}问题"
            self.content = (
                f"本人反映{keyword}的问题，已经持续一段时间，影响周边居民生活，请{matter.name}的主管部门尽快处理。"
            )
            self.reply_text = ""

    # -- steps --------------------------------------------------------------------------------

    def event(
        self,
        t: float,
        action: str,
        to_status: str | None = None,
        *,
        actor: int | None = None,
        label: str = "system",
        department: int | None = None,
        reason: str = "",
        data: dict | None = None,
        public: bool = True,
    ) -> float:
        """Record a step at `t` (never before the step before it); Stop when it is after now."""
        if t > self.now:
            raise Stop
        t = max(t, self.last_t)
        to_status = to_status or self.status
        if actor is not None:
            label = self.d.usernames[actor]
        self.events.append((action, self.status, to_status, actor, label, department, reason, data, public, t))
        self.status, self.last_t = to_status, t
        return t

    def run(self) -> None:
        rng, p, g = self.rng, PROPORTIONS, self.g
        hotline = self.channel == "hotline"
        self.event(
            self.t0, "submit", "submitted", actor=self.d.intake if hotline else None, label="citizen",
            reason="", public=True,
        )  # fmt: skip
        x = rng.random()
        dispatcher = rng.choice(self.d.dispatchers)
        if x < p["rejected"] + p["merged"] + p["triage"]:
            self.event(self.t0 + 2, "send_to_triage", "triage", reason="路由置信度不足，转人工分拨。", public=False)
            t = self.t0 + rng.expovariate(1 / (1.5 * HOUR))
            if x < p["rejected"]:
                self.event(
                    t, "reject", "rejected", actor=dispatcher,
                    reason="诉求不属于本平台受理范围，请通过相应法定途径反映。",
                )  # fmt: skip
                self.closed_at = t
                return
            if x < p["rejected"] + p["merged"] and self.id - g.first_demand > 0:
                original = self.id - 1 - int(rng.random() * min(2000, self.id - g.first_demand))
                t = self.event(
                    t, "merge", "merged", actor=dispatcher, reason="与在办诉求重复，已合并办理。",
                    data={"original": original},
                )  # fmt: skip
                self.duplicate_of = original
                g.rows["dispatch_duplicatesuggestion"].append(
                    (g.take_id("dispatch_duplicatesuggestion"), self.id, original, round(0.7 + 0.3 * rng.random(), 3),
                     "merged", ts(self.t0 + 5), dispatcher, ts(t))
                )  # fmt: skip
                return
            t = self.event(
                t, "dispatch", "dispatched", actor=dispatcher, department=self.lead_department,
                data={"matter": self.matter.code},
            )  # fmt: skip
            by = dispatcher
        else:
            t = self.event(
                self.t0 + 3, "auto_dispatch", "dispatched", department=self.lead_department,
                reason=f"按职责清单事项 {self.matter.code} {self.matter.name} 派单", data={"matter": self.matter.code},
                public=True,
            )  # fmt: skip
            by = None
        self.cycle(self.lead_department, t, by, redispatch=False, answer_round=0, may_return=True)

    def new_assignment(self, department: int, t: float, by: int | None, role: str, redispatch: bool) -> Assignment:
        m, u = self.matter, self.urgency
        a = Assignment(
            id=self.g.take_id("dispatch_assignment"), demand_id=self.id, department_id=department, role=role,
            status="pending_sign", matter_id=m.id, dispatched_at=t, dispatched_by_id=by, is_redispatch=redispatch,
            sign_deadline=add_office_hours(t, m.sign_hours[u]),
        )  # fmt: skip
        a.set_deadline(t + m.handle_days[u] * 1.4 * DAY)
        self.assignments.append(a)
        return a

    def cycle(
        self, department: int, t: float, by: int | None, *, redispatch: bool, answer_round: int, may_return: bool
    ) -> None:
        """A lead assignment, from dispatch to the answer and what follows it."""
        rng, p, g = self.rng, PROPORTIONS, self.g
        lead = self.lead = self.new_assignment(department, t, by, "lead", redispatch)
        assists: list[Assignment] = []
        wanted = self.matter.assisting + ([self.office] if self.matter.assisted_by_territory else [])
        wanted = [a for a in dict.fromkeys(wanted) if a != department]
        if answer_round == 0 and not redispatch and wanted and rng.random() < p["assisted"]:
            assists = [self.new_assignment(a, t, by, "assist", False) for a in wanted[:3]]
        handler = self.d.handler[department]
        late_sign = rng.random() < p["sign_late"]
        hours = self.matter.sign_hours[self.urgency]
        signed = add_office_hours(t, hours * (1 + rng.expovariate(1.0) if late_sign else 0.05 + 0.85 * rng.random()))
        window = lead.sign_deadline - t
        if late_sign:
            self.event(lead.sign_deadline, "sign_overdue", department=department, reason="超过签收时限未签收。")
            lead.sign_overdue_at = lead.sign_deadline
        returning = may_return and rng.random() < p["returned"]
        if returning and rng.random() < 0.3:  # returned before signing
            self.give_back(lead, assists, t + window * rng.random() * 0.8, answer_round)
            return
        self.event(signed, "sign", "in_progress", actor=handler, department=department)
        lead.status, lead.signed_at, lead.signed_by_id = "signed", signed, handler
        for a in assists:
            when = self.event(signed + rng.random() * HOUR, "sign_assist", actor=self.d.handler[a.department_id],
                              department=a.department_id)  # fmt: skip
            a.status, a.signed_at, a.signed_by_id = "signed", when, self.d.handler[a.department_id]
        if returning:
            self.give_back(lead, assists, signed + rng.expovariate(1 / (6 * HOUR)), answer_round)
            return
        if rng.random() < p["extension"]:
            self.extension(lead, signed + 0.6 * (lead.handle_deadline - signed), handler)
        x = rng.random()
        span = lead.handle_deadline - signed
        if x < p["very_late"]:
            finished = lead.handle_deadline + rng.uniform(20, 200) * DAY
        elif x < p["very_late"] + p["late"]:
            finished = lead.handle_deadline + rng.expovariate(1 / (3 * DAY))
        else:
            finished = next_opening(signed + span * (0.1 + 0.7 * rng.random()))
        self.ladder(lead, finished)
        if finished > lead.handle_deadline and rng.random() < p["follow_up"]:
            for k in range(1 + int(rng.random() * 2)):
                follow = lead.handle_deadline + (k + rng.random()) * DAY
                if follow < finished:
                    self.event(follow, "follow_up", label="citizen", reason="群众来电催办。")
                    self.follow_ups += 1
        for a in assists:
            helper = self.d.handler[a.department_id]
            when = self.event(finished - HOUR * rng.random(), "contribute", actor=helper, department=a.department_id,
                              public=False)  # fmt: skip
            a.status, a.finished_at = "done", when
            g.rows["demands_reply"].append(
                (g.take_id("demands_reply"), self.id, a.department_id, helper, "协办意见：已配合现场核查并提出处理意见。",
                 True, ts(when))
            )  # fmt: skip
        finished = self.event(finished, "reply", "replied", actor=handler, department=department)
        lead.status, lead.finished_at = "done", finished
        lead.paused_since = None
        body = (
            self.reply_text
            or f"您好，您反映的“{self.title}”问题已收悉。经核实，我单位已安排人员现场处理，后续将持续跟进。感谢您的监督。"
        )
        g.rows["demands_reply"].append(
            (g.take_id("demands_reply"), self.id, department, handler, body, False, ts(finished))
        )
        self.replied_at = finished
        self.appeal_later(lead)
        self.after_answer(lead, finished, answer_round)

    def give_back(self, lead: Assignment, assists: list[Assignment], t: float, answer_round: int) -> None:
        """退单, and the ruling: upheld (a second dispatch elsewhere) or overruled (back to it)."""
        rng, g = self.rng, self.g
        department = lead.department_id
        code = pick(rng, RETURN_REASONS)
        t = self.event(
            t, "return", "returned", actor=self.d.handler[department], department=department,
            reason="经核实，该诉求不属于我单位职责范围，请重新分拨。", data={"reason_code": code}, public=False,
        )  # fmt: skip
        g.outcomes["returned"] += 1
        return_id = g.take_id("dispatch_returnrequest")
        lead.status, lead.finished_at = "returned", t
        for a in assists:
            if a.status in ("pending_sign", "signed"):
                a.status, a.finished_at, a.released_by_return_id = "released", t, return_id
        uphold = rng.random() < PROPORTIONS["return_upheld"]
        candidates = [x for x in [*self.matter.assisting, self.office] if x != department] or [
            x for x in self.d.departments if x != department
        ]
        target = rng.choice(candidates) if uphold else department
        dispatcher = rng.choice(self.d.dispatchers)
        row = [return_id, lead.id, code, "经核实，该诉求不属于我单位职责范围，请重新分拨。", target if uphold else None,
               self.d.handler[department], ts(t), "pending", None, None, "", None]  # fmt: skip
        g.rows["dispatch_returnrequest"].append(row)
        ruled = t + rng.expovariate(1 / (5 * HOUR))
        ruled = self.event(
            ruled, "rule_uphold" if uphold else "rule_overrule", "dispatched", actor=dispatcher, department=target,
            reason="退单理由成立，改派。" if uphold else "经核实属该单位职责，退单不成立。",
            data={"return_id": return_id, "matter": self.matter.code},
        )  # fmt: skip
        row[7:12] = ["upheld" if uphold else "overruled", dispatcher, ts(ruled), self.events[-1][6], target]
        if uphold:
            g.outcomes["redispatched"] += 1
            self.lead_department = target
        self.cycle(target, ruled, dispatcher, redispatch=uphold, answer_round=answer_round, may_return=False)

    def extension(self, lead: Assignment, t: float, handler: int) -> None:
        rng, g = self.rng, self.g
        extra = float(rng.choice((3, 5, 7, 10)))
        t = self.event(t, "request_extension", actor=handler, department=lead.department_id,
                       reason="需协调多部门现场处置，申请延期。", data={"days": extra}, public=False)  # fmt: skip
        row = [g.take_id("dispatch_extensionrequest"), lead.id, f"{extra:.1f}", "需协调多部门现场处置，申请延期。",
               handler, ts(t), "pending", None, None, "", None, None]  # fmt: skip
        g.rows["dispatch_extensionrequest"].append(row)
        lead.paused_since = t
        dispatcher = rng.choice(self.d.dispatchers)
        decided = t + rng.expovariate(1 / (6 * HOUR))
        approve = rng.random() < PROPORTIONS["extension_approved"]
        decided = self.event(decided, "approve_extension" if approve else "deny_extension", actor=dispatcher,
                             department=lead.department_id, public=False)  # fmt: skip
        # The pause is given back to the deadline, as the service does.
        paused = decided - t
        previous = lead.handle_deadline
        new = previous + paused + (extra * 1.4 * DAY if approve else 0)
        lead.set_deadline(new)
        lead.paused_since = None
        row[6:12] = ["approved" if approve else "denied", dispatcher, ts(decided), "同意。" if approve else "理由不充分。",
                     ts(previous), ts(new) if approve else None]  # fmt: skip

    def ladder(self, lead: Assignment, finished: float) -> None:
        """The escalation ladder's steps that come before the answer (or before now)."""
        g, dept = self.g, lead.department_id
        rungs = (
            (lead.warn_at, "warn", "warned_at"),
            (lead.handle_deadline, "overdue", "overdue_at"),
            (lead.supervise_at, "supervise", "supervised_at"),
            (lead.escalate_at, "escalate", "escalated_at"),
        )
        for moment, action, stamp in rungs:
            if moment >= finished:
                return
            # A rung due before now was taken by the sweep then; one after now waits for it.
            self.event(moment, action, department=dept, reason="", public=False)
            setattr(lead, stamp, moment)
            if action == "supervise":
                head = self.d.head[dept]
                answer = moment + self.rng.expovariate(1 / DAY)
                supervision = [g.take_id("dispatch_supervision"), lead.id, None, AUTOMATIC_SUPERVISION_NOTE,
                               ts(moment + 2 * DAY), ts(moment), "", None, None, False]  # fmt: skip
                g.rows["dispatch_supervision"].append(supervision)
                if answer < finished and answer <= self.now:
                    answer = self.event(answer, "answer_supervision", actor=head, department=dept,
                                        reason="已加派人手，正在加快办理。", public=False)  # fmt: skip
                    supervision[6:9] = ["已加派人手，正在加快办理。", head, ts(answer)]

    def after_answer(self, lead: Assignment, answered: float, answer_round: int) -> None:
        """The citizen's rating, the callback visit, and the reopening or the close."""
        rng, p, g = self.rng, PROPORTIONS, self.g
        department = lead.department_id
        rated_at = answered + rng.expovariate(1 / (1.5 * DAY)) if rng.random() < p["rated"] else None
        if rated_at is not None and rated_at > answered + 7 * DAY:
            rated_at = None
        call = next_opening(answered + rng.uniform(0.2, 2) * DAY)
        visit = [g.take_id("assessment_callbackvisit"), self.id, answer_round, department, ts(answered), "due",
                 ts(answered + 3 * DAY), 0, None, None, "", "", "", None, None, ts(answered)]  # fmt: skip
        g.rows["assessment_callbackvisit"].append(visit)
        if rated_at is not None and rated_at < call:
            rating = pick(rng, RATINGS)
            try:
                rated_at = self.event(rated_at, "rate", "closed", label="citizen", data={"rating": rating})
            except Stop:
                return
            self.rating, self.rated_at, self.closed_at = rating, rated_at, rated_at
            visit[5], visit[11], visit[14] = "citizen_rated", SATISFACTION_OF_RATING[rating], ts(rated_at)
            return
        if call > self.now:
            raise Stop
        if rng.random() < p["unreachable"]:
            last = self.event(
                call + 2 * DAY, "visit", actor=self.d.callback, public=False, data={"result": "unreachable"}
            )
            visit[5], visit[7], visit[8] = "unreachable", 3, ts(last)
            visit[13], visit[14] = self.d.callback, ts(last)
            satisfaction = ""
        else:
            resolution = pick(rng, RESOLUTIONS)
            satisfaction = pick(rng, SATISFACTION[resolution])
            attempts = 1 + (rng.random() < 0.2) + (rng.random() < 0.05)
            contacted = rng.random() < 0.93
            call = self.event(call, "visit", actor=self.d.callback, public=False,
                              data={"resolution": resolution, "satisfaction": satisfaction})  # fmt: skip
            visit[5] = "done"
            visit[7:13] = [attempts, ts(call), contacted, resolution, satisfaction, "已电话回访。"]
            visit[13], visit[14] = self.d.callback, ts(call)
        if satisfaction == "unsatisfied" and answer_round == 0 and rng.random() < p["reopen"]:
            reopened = self.event(self.last_t + rng.expovariate(1 / (12 * HOUR)), "reopen", "reopened",
                                  actor=self.d.callback, department=department, reason="回访不满意，重新办理。")  # fmt: skip
            g.outcomes["reopened"] += 1
            self.cycle(department, reopened, None, redispatch=False, answer_round=1, may_return=False)
            return
        closed = self.event(answered + 7 * DAY, "auto_close", "closed", reason="答复后超过评价期限，系统自动办结。")
        self.closed_at = closed

    def appeal_later(self, lead: Assignment) -> None:
        """Rarely, the department head appeals the case once its month has closed."""
        rng, g = self.rng, self.g
        if rng.random() >= PROPORTIONS["appeal"]:
            return
        local = datetime.fromtimestamp(lead.dispatched_at, g.local)
        period = local.date().replace(day=1)
        month_end = datetime(period.year + period.month // 12, period.month % 12 + 1, 1, tzinfo=g.local).timestamp()
        submitted = month_end + rng.uniform(0.5, 5) * DAY
        if submitted > self.now:
            return
        decided = submitted + rng.uniform(1, 5) * DAY
        upheld = rng.random() < PROPORTIONS["appeal_upheld"]
        head = self.d.head[lead.department_id]
        row = [g.take_id("assessment_appeal"), lead.id, lead.department_id, period.isoformat(),
               "该诉求系群众重复反映，已在首次诉求中解决，申请不计入考核。", "", "pending", head, ts(submitted),
               None, None, ""]  # fmt: skip
        g.rows["assessment_appeal"].append(row)
        self.appeal = (row, submitted, decided, upheld, head, lead.department_id)

    def write_appeal(self) -> None:
        if self.appeal is None:
            return
        row, submitted, decided, upheld, head, department = self.appeal
        try:
            self.event(submitted, "appeal", actor=head, department=department, public=False)
            decided = self.event(decided, "rule_appeal", actor=self.d.auditor, department=department, public=False,
                                 data={"upheld": upheld})  # fmt: skip
        except Stop:
            return
        row[6], row[9], row[10], row[11] = ("upheld" if upheld else "rejected"), self.d.auditor, ts(decided), "已审核。"

    # -- rows ---------------------------------------------------------------------------------

    def write(self) -> None:
        self.write_appeal()
        g = self.g
        local_day = datetime.fromtimestamp(self.t0, g.local).date()
        g.daily[local_day] += 1
        tracking = f"PS-{local_day:%Y%m%d}-{g.daily[local_day]:06d}"
        for a in self.assignments:
            if a.status in ("pending_sign", "signed") and self.status in ("merged", "rejected"):
                a.status = "released"
            g.rows["dispatch_assignment"].append(a.row())
        lead = self.lead
        m = self.matter
        routed = lead is not None
        g.rows["demands_demand"].append(
            (
                self.id, tracking, "", self.channel, self.d.intake if self.channel == "hotline" else None, "", "", "",
                "", True, self.title, self.content, "", self.street_id, self.community_id, False, "", "zh-hans",
                self.urgency, self.status, m.id if routed else None, m.version_id if routed else None,
                self.lead_department if routed else None, ts(lead.handle_deadline) if lead else None, self.rating, "",
                ts(self.rated_at), sum(1 for e in self.events if e[0] == "reopen"),
                self.follow_ups, self.duplicate_of, ts(self.t0), ts(self.replied_at), ts(self.closed_at), None,
                ts(self.last_t), "", "", "",
            )
        )  # fmt: skip
        prev = ""
        rows = g.rows["demands_demandevent"]
        for seq, (action, from_status, to_status, actor, label, dept, reason, data, public, t) in enumerate(
            self.events, start=1
        ):
            event_id = g.take_id("demands_demandevent")
            data_text = json.dumps(data, ensure_ascii=False) if data else "{}"
            if g.seal:
                row_hash = _seal(self.id, seq, action, from_status, to_status, actor, label, dept, reason, data,
                                 public, t, prev)  # fmt: skip
            else:
                row_hash = f"{event_id:064x}"
            rows.append((event_id, self.id, seq, action, from_status, to_status, actor, label, dept, reason,
                         data_text, public, ts(t), prev, row_hash))  # fmt: skip
            prev = row_hash
        g.outcomes[f"status {self.status}"] += 1


def _seal(
    demand: int, seq: int, action: str, from_status: str, to_status: str, actor: int | None, label: str,
    dept: int | None, reason: str, data: dict | None, public: bool, t: float, prev: str,
) -> str:  # fmt: skip
    from demands.audit_chain import row_hash

    event = SimpleNamespace(
        demand_id=demand, seq=seq, action=action, from_status=from_status, to_status=to_status, actor_id=actor,
        actor_label=label, department_id=dept, reason=reason, data=data or {}, is_public=public,
        created_at=EPOCH + timedelta(microseconds=round(t * 1_000_000)), prev_hash=prev,
    )  # fmt: skip
    return row_hash("event", event)


def _bisect(cumulative: list[float], x: float) -> int:
    from bisect import bisect_left

    return bisect_left(cumulative, x)


def first_ids(cursor: Any) -> dict[str, int]:
    ids = {}
    for table in TABLES:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        ids[table] = cursor.fetchone()[0]
    return ids


def generate(
    n: int,
    *,
    seed: int = 7,
    years: float = 2,
    seal: bool = False,
    chunk: int = 20_000,
    now: datetime | None = None,
    messages: Path = MESSAGES,
    analyze: bool = True,
    rebuild_indexes: bool = False,
    jobs: int = 1,
    out: Any = print,
) -> dict[str, Any]:
    """Write `n` demands into the database Django is set up on (the sample district loaded);
    returns the rows per table, the outcomes and the seconds per stage. `rebuild_indexes` drops
    the tables' secondary indexes for the load and builds them again after it (much faster for a
    large load into empty tables; the primary keys and unique constraints stay)."""
    from django.db import connection
    from django.utils import timezone

    timings: dict[str, float] = {}
    started = time.perf_counter()
    district = load_district(random.Random(seed), messages)
    timings["district and texts"] = time.perf_counter() - started
    out(
        f"read the district: {len(district.matters)} matters, {len(district.texts)} messages "
        f"({sum(1 for m in district.matters if m.texts)} matters with matching messages) "
        f"in {timings['district and texts']:.1f} s"
    )
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # psycopg2's own, for copy_expert
        first = first_ids(cursor)
        moment = now or timezone.now()
        dropped = _drop_indexes(cursor) if rebuild_indexes else []
    parts = _parts(n, jobs)
    settings = dict(district=district, now=moment, years=years, seed=seed, seal=seal, n=n, chunk=chunk)
    if len(parts) == 1:
        results = [_write_part(0, parts[0], first, settings, out)]
    else:
        # Each part is its own process with its own connection: the fork must not share the
        # parent's socket.
        connection.close()
        context = multiprocessing.get_context("fork")
        with context.Pool(len(parts)) as pool:
            results = pool.starmap(
                _write_part_in_child,
                [(k, part, _ids_of_part(first, k, parts), settings, None) for k, part in enumerate(parts)],
            )
    counts: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    daily: Counter[date] = Counter()
    building = copying = 0.0
    for result in results:
        counts.update(result["counts"])
        outcomes.update(result["outcomes"])
        for day, last in result["daily"].items():
            daily[day] = max(daily[day], last)
        building += result["building"]
        copying += result["copying"]
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        timings["build rows (Python, all parts)"] = building
        timings["COPY (all parts)"] = copying
        if dropped:
            t = time.perf_counter()
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for definition in dropped:
                cursor.execute(definition)
            timings[f"rebuild {len(dropped)} indexes"] = time.perf_counter() - t
        t = time.perf_counter()
        for table in TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1))"
            )
        # Today's tracking numbers go on from the generated ones.
        cursor.executemany(
            "INSERT INTO demands_dailysequence (day, last) VALUES (%s, %s) "
            "ON CONFLICT (day) DO UPDATE SET last = GREATEST(demands_dailysequence.last, EXCLUDED.last)",
            sorted(daily.items()),
        )
        timings["sequences"] = time.perf_counter() - t
        t = time.perf_counter()
        # A supervision's mark of its assignment still open (the column's default is "open").
        cursor.execute(
            "UPDATE dispatch_supervision s SET assignment_open = false FROM dispatch_assignment a "
            "WHERE a.id = s.assignment_id AND a.status NOT IN ('pending_sign', 'signed')"
        )
        timings["supervisions' marks"] = time.perf_counter() - t
        if analyze:
            # Vacuumed as well as analysed, as autovacuum keeps a database long in service: the
            # visibility maps set (an index-only count reads no table pages) and the dead rows of
            # the supervisions' marks gone. Without it, at 10 M, the desk's supervised queue took
            # 110 ms instead of 30 (80 s of VACUUM).
            # Inside a transaction (a test's), where VACUUM cannot run, only analysed.
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            t = time.perf_counter()
            for table in TABLES:
                cursor.execute(f"{command} {table}")
            timings[command] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - started
    return {"rows": dict(counts), "outcomes": dict(outcomes), "timings": timings}


# Rows a demand may leave in each table, at most on average: the id ranges set apart for each part
# of a parallel load (ids are 64-bit, so the room is free). A part that outgrows its range stops
# with an error rather than collide with the next.
ROWS_PER_DEMAND_BOUND = {table: 4 for table in TABLES} | {"demands_demand": 1, "demands_demandevent": 60}


def _parts(n: int, jobs: int) -> list[tuple[int, int]]:
    """The demand indexes each job builds: consecutive ranges, so each job covers a stretch of time."""
    jobs = max(1, min(jobs, n))
    bounds = [n * k // jobs for k in range(jobs + 1)]
    return [(bounds[k], bounds[k + 1]) for k in range(jobs)]


def _ids_of_part(first: dict[str, int], k: int, parts: list[tuple[int, int]]) -> dict[str, int]:
    """Part k's first id in each table: after the room set apart for the parts before it, so the
    ids still follow time from part to part."""
    return {table: first[table] + ROWS_PER_DEMAND_BOUND[table] * parts[k][0] for table in TABLES}


def _write_part_in_child(*args: Any) -> dict[str, Any]:
    from django.db import connection

    try:
        return _write_part(*args)
    finally:
        connection.close()


def _write_part(
    k: int, part: tuple[int, int], first: dict[str, int], settings: dict[str, Any], out: Any
) -> dict[str, Any]:
    """Build and COPY the demands of one part, chunk by chunk, on this process's own connection."""
    from django.db import connection, transaction

    begin_part, end_part = part
    n, chunk = settings["n"], settings["chunk"]
    generator = Generator(
        settings["district"], now=settings["now"], years=settings["years"], seed=settings["seed"] + k,
        seal=settings["seal"], first_ids=first,
    )  # fmt: skip
    limits = {table: first[table] + ROWS_PER_DEMAND_BOUND[table] * (end_part - begin_part) for table in TABLES}
    if k:
        # The day this part begins on is shared with the part before: number its demands of that
        # day from a range of their own, so the tracking numbers stay unique.
        first_day = datetime.fromtimestamp(
            generator.start + begin_part / n * (generator.now - generator.start), generator.local
        ).date()
        generator.daily[first_day] = 100_000 * k
    building = copying = 0.0
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # psycopg2's own, for copy_expert
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET synchronous_commit = off")
        try:
            for begin in range(begin_part, end_part, chunk):
                t = time.perf_counter()
                for index in range(begin, min(begin + chunk, end_part)):
                    generator.demand(index, n)
                building += time.perf_counter() - t
                if over := [table for table in TABLES if generator.next_id[table] > limits[table]]:
                    raise RuntimeError(f"part {k} outgrew its id range in {over}: raise ROWS_PER_DEMAND_BOUND")
                with transaction.atomic():
                    copying += generator.flush(cursor)
                done = min(begin + chunk, end_part) - begin_part
                if out and (done % (chunk * 25) == 0 or done == end_part - begin_part):
                    out(f"  {done:,} demands: building {building:.0f} s, COPY {copying:.0f} s")
                elif not out and done % (chunk * 25) == 0:
                    print(f"  part {k}: {done:,} demands: building {building:.0f} s, COPY {copying:.0f} s", flush=True)
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
    return {
        "counts": generator.counts,
        "outcomes": generator.outcomes,
        "daily": generator.daily,
        "building": building,
        "copying": copying,
    }


def _drop_indexes(cursor: Any) -> list[str]:
    """Drop the generated tables' indexes that no constraint owns; their definitions."""
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        """,
        (list(TABLES),),
    )
    found = cursor.fetchall()
    for name, _definition in found:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in found]


def recreate_database(url: str) -> None:
    import psycopg2

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--demands", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/mh_gen_1m")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--years", type=float, default=2)
    parser.add_argument("--chunk", type=int, default=20_000, help="demands per COPY round")
    parser.add_argument("--seal", action="store_true", help="compute the audit chain's real HMACs (slower)")
    parser.add_argument("--jobs", type=int, default=1, help="processes building and writing parts of the load")
    args = parser.parse_args()

    started = time.perf_counter()
    recreate_database(args.database_url)
    from benchmarks.scratch import sample_district

    sample_district(args.database_url, NOTIFICATION_EMAILS="false", CELERY_BROKER_URL="")
    prepared = time.perf_counter() - started
    print(f"database (re)created, migrated, sample district loaded in {prepared:.1f} s")
    result = generate(
        args.demands,
        seed=args.seed,
        years=args.years,
        seal=args.seal,
        chunk=args.chunk,
        rebuild_indexes=True,
        jobs=args.jobs,
    )
    print("rows per table:")
    for table, count in sorted(result["rows"].items(), key=lambda item: -item[1]):
        print(f"  {table:32} {count:>12,}")
    print("demands by final status and outcome:")
    for outcome, count in sorted(result["outcomes"].items(), key=lambda item: -item[1]):
        print(f"  {outcome:32} {count:>12,}  ({count / args.demands:.1%})")
    print("seconds per stage:")
    print(f"  {'create, migrate, sample district':32} {prepared:>10.1f}")
    for stage, seconds in result["timings"].items():
        print(f"  {stage:32} {seconds:>10.1f}")
    print(f"  {'all':32} {time.perf_counter() - started:>10.1f}")


if __name__ == "__main__":
    main()
