"""The escalation ladder, swept by one periodic task: signed late; warned (yellow) → overdue (red)
→ supervised (督办) → escalated to district level. Each rung is taken once per assignment, writes one demand
event, and notifies the people it concerns.

The sweep is set-based: for each rung it reads the due rows through a partial index, locks a
batch (`FOR UPDATE SKIP LOCKED`, so two sweeps at once share the work instead of repeating it),
stamps them, and writes the events, supervision records and notifications in bulk."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from config.queue import enqueue_on_commit
from demands.models import DemandEvent
from demands.services import SYSTEM
from demands.wording import worded
from demands.workflow import Action
from departments.models import Membership, Role
from departments.working_time import current_clock
from dispatch.models import (
    AUTOMATIC_SUPERVISION_NOTE,
    OPEN_ASSIGNMENT_STATUSES,
    Assignment,
    AssignmentStatus,
    Notification,
    Supervision,
)

BATCH = 2000


@dataclass(frozen=True)
class Rung:
    action: str
    due: str  # the column holding when the rung is due
    done: str  # the column stamped when it is taken
    after: str | None  # the rung that must have been taken first
    message: str
    statuses: tuple[str, ...] = OPEN_ASSIGNMENT_STATUSES
    public: bool = True  # whether the citizen sees the step on the tracking page


LADDER = (
    Rung(
        Action.SIGN_OVERDUE,
        "sign_deadline",
        "sign_overdue_at",
        None,
        gettext_noop("诉求 %(number)s 已超过签收时限，请立即签收。"),
        statuses=(AssignmentStatus.PENDING_SIGN,),
        public=False,
    ),
    Rung(
        Action.WARN,
        "warn_at",
        "warned_at",
        None,
        gettext_noop("诉求 %(number)s 办理时限已过 %(share)s，请抓紧办理。"),
        public=False,
    ),
    Rung(Action.OVERDUE, "handle_deadline", "overdue_at", None, gettext_noop("诉求 %(number)s 已超过办理期限。")),
    Rung(
        Action.SUPERVISE,
        "supervise_at",
        "supervised_at",
        "overdue_at",
        gettext_noop("诉求 %(number)s 超期未办，已列入督办。"),
    ),
    Rung(
        Action.ESCALATE,
        "escalate_at",
        "escalated_at",
        "supervised_at",
        gettext_noop("诉求 %(number)s 督办后仍未办结，已升级至区级。"),
    ),
)


class _Recipients:
    """Who hears of each rung: handlers of the department, its heads, supervisors, the centre."""

    def __init__(self) -> None:
        by_department: dict[tuple[int, str], list[int]] = defaultdict(list)
        district: dict[str, list[int]] = defaultdict(list)
        for user_id, department_id, role in Membership.objects.values_list("user_id", "department_id", "role"):
            by_department[(department_id, role)].append(user_id)
            district[role].append(user_id)
        self.by_department, self.district = by_department, district

    def for_rung(self, action: str, department_id: int) -> set[int]:
        handlers = self.by_department[(department_id, Role.HANDLER)]
        heads = self.by_department[(department_id, Role.HEAD)]
        if action == Action.WARN:
            return set(handlers)
        if action in (Action.SIGN_OVERDUE, Action.OVERDUE):
            return set(handlers) | set(heads)
        if action == Action.SUPERVISE:
            return set(heads) | set(self.district[Role.SUPERVISOR])
        return set(self.district[Role.SUPERVISOR]) | set(self.district[Role.DISPATCH_OFFICER]) | set(heads)


def sweep_deadlines(*, now: datetime | None = None, batch: int = BATCH) -> dict[str, int]:
    """Take every rung that is due. Idempotent: running it twice, or twice at once, takes each
    rung of each assignment once. Returns how many assignments took each rung."""
    moment = now or timezone.now()
    taken: dict[str, int] = {}
    for rung in LADDER:
        taken[rung.action] = 0
        while True:
            count = _take_batch(rung, moment, batch)
            taken[rung.action] += count
            if count < batch:
                break
    return taken


def _due(rung: Rung, moment: datetime):
    rows = Assignment.objects.filter(
        status__in=rung.statuses, **{f"{rung.done}__isnull": True, f"{rung.due}__lte": moment}
    )
    if rung.after:
        rows = rows.filter(**{f"{rung.after}__isnull": False})
    if rung.action != Action.SIGN_OVERDUE:
        # The clock stands still while the case waits on an extension decision or the citizen.
        rows = rows.filter(paused_since__isnull=True)
    return rows


def _take_batch(rung: Rung, moment: datetime, batch: int) -> int:
    if connection.vendor == "postgresql":
        return _take_batch_in_sql(rung, moment, batch)
    with transaction.atomic():
        locking = {"skip_locked": True, "of": ("self",)} if connection.features.has_select_for_update_of else {}
        rows = list(
            _due(rung, moment)
            .select_for_update(**locking)
            .order_by(rung.due, "pk")
            .values_list("pk", "demand_id", "department_id", "role", "demand__status", "demand__tracking_number")[
                :batch
            ]
        )
        if not rows:
            return 0
        ids = [row[0] for row in rows]
        # Stamped under the lock and only where still unstamped: the stamp is the claim.
        Assignment.objects.filter(pk__in=ids, **{f"{rung.done}__isnull": True}).update(**{rung.done: moment})
        events = DemandEvent.objects.bulk_create(
            DemandEvent(
                demand_id=demand_id,
                action=rung.action,
                from_status=status,
                to_status=status,
                actor_label=SYSTEM,
                department_id=department_id,
                data={"assignment": pk, "role": role},
                is_public=rung.public,
                created_at=moment,
            )
            for pk, demand_id, department_id, role, status, _number in rows
        )
        if rung.action == Action.SUPERVISE:
            _open_supervisions(rows, moment)
        # The events double as the work queue of the notices: fanned out after commit, apart
        # from the sweep, and idempotently (one notice per person per event).
        ids = [e.pk for e in events if e.pk]
        if ids:
            enqueue_on_commit("dispatch.notify_ladder_events", min(ids), max(ids))
        return len(rows)


def _take_batch_in_sql(rung: Rung, moment: datetime, batch: int) -> int:
    """The same batch as `_take_batch`, in one PostgreSQL statement: lock the due rows (skipping
    those another sweep holds), stamp them, and write their events and supervisions, without
    carrying the rows through Python. A backlog of tens of thousands of rungs stays cheap."""
    supervise = rung.action == Action.SUPERVISE
    supervisor = Membership.objects.filter(role=Role.SUPERVISOR).values_list("user_id", flat=True).first()
    respond_by = current_clock().add_working_hours(moment, settings.SUPERVISION_RESPONSE_WORKING_HOURS)
    done = connection.ops.quote_name(rung.done)
    sql = """
        WITH due AS ({due_sql}),
        stamped AS (
            UPDATE dispatch_assignment AS a SET {done} = %s FROM due
            WHERE a.id = due.pk AND a.{done} IS NULL
            RETURNING a.id, a.demand_id, a.department_id, a.role
        ),
        events AS (
            INSERT INTO demands_demandevent
                (demand_id, action, from_status, to_status, actor_id, actor_label, department_id, reason, data,
                 is_public, created_at)
            SELECT s.demand_id, %s, d.status, d.status, NULL, %s, s.department_id, '',
                   jsonb_build_object('assignment', s.id, 'role', s.role), %s, %s
            FROM stamped s JOIN demands_demand d ON d.id = s.demand_id
            RETURNING id
        ),
        supervisions AS (
            INSERT INTO dispatch_supervision
                (assignment_id, supervisor_id, note, response, response_deadline, created_at)
            SELECT s.id, %s, %s, '', %s, %s FROM stamped s WHERE %s
            ON CONFLICT (assignment_id) DO NOTHING
        )
        SELECT count(*), min(id), max(id) FROM events
    """
    tail: list[Any] = [
        moment, rung.action, SYSTEM, rung.public, moment,
        supervisor, AUTOMATIC_SUPERVISION_NOTE, respond_by, moment, supervise,
    ]  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        # Compiled inside the transaction: Django refuses a locking query outside one.
        due_sql, due_params = (
            _due(rung, moment)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by(rung.due, "pk")
            .values("pk")[:batch]
            .query.sql_with_params()
        )
        cursor.execute(sql.format(due_sql=due_sql, done=done), [*due_params, *tail])
        count, first_id, last_id = cursor.fetchone()
        if count:
            # The events double as the work queue of the notices (see _take_batch).
            enqueue_on_commit("dispatch.notify_ladder_events", first_id, last_id)
    return count


def _open_supervisions(rows: Iterable[tuple], moment: datetime) -> None:
    supervisor = Membership.objects.filter(role=Role.SUPERVISOR).values_list("user_id", flat=True).first()
    respond_by = current_clock().add_working_hours(moment, settings.SUPERVISION_RESPONSE_WORKING_HOURS)
    Supervision.objects.bulk_create(
        (
            Supervision(
                assignment_id=pk,
                supervisor_id=supervisor,
                note=AUTOMATIC_SUPERVISION_NOTE,
                response_deadline=respond_by,
            )
            for pk, *_rest in rows
        ),
        ignore_conflicts=True,
    )


RUNGS = {rung.action: rung for rung in LADDER}


def notify_ladder_events(*, first_id: int, last_id: int) -> int:
    """Notices for the ladder's events with ids in [first_id, last_id]; safe to run again."""
    recipients = _Recipients()
    events = DemandEvent.objects.filter(pk__gte=first_id, pk__lte=last_id, action__in=list(RUNGS)).values_list(
        "pk", "demand_id", "department_id", "action", "demand__tracking_number"
    )
    notices = []
    for event_id, demand_id, department_id, action, number in events.iterator(chunk_size=5000):
        message, wording = worded(RUNGS[action].message, number=number, share=f"{settings.ESCALATION_WARN_SHARE:.0%}")
        for user_id in sorted(recipients.for_rung(action, department_id)):
            notices.append(
                Notification(
                    user_id=user_id, demand_id=demand_id, event_id=event_id, kind=action, message=message, data=wording
                )
            )
    created = Notification.objects.bulk_create(notices, batch_size=5000, ignore_conflicts=True)
    if settings.NOTIFICATION_EMAILS and created:
        emailed = list(
            Notification.objects.filter(event_id__gte=first_id, event_id__lte=last_id, emailed_at__isnull=True)
            .exclude(user__email="")
            .values_list("pk", flat=True)
        )
        if emailed:
            enqueue_on_commit("dispatch.email_notifications", emailed)
    return len(notices)
