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

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from config.queue import enqueue_on_commit
from demands.audit_chain import seal
from demands.models import DemandEvent
from demands.services import SYSTEM
from demands.wording import worded
from demands.workflow import Action
from departments.models import Department, Membership, Role
from departments.working_time import current_clock
from dispatch.assignment_workflow import AssignmentRole
from dispatch.models import (
    AUTOMATIC_SUPERVISION_NOTE,
    Assignment,
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
    unsigned_only: bool = False  # a rung of signing, not of handling: only what waits to be signed
    public: bool = True  # whether the citizen sees the step on the tracking page


LADDER = (
    Rung(
        Action.SIGN_OVERDUE,
        "sign_deadline",
        "sign_overdue_at",
        None,
        gettext_noop("诉求 %(number)s 已超过签收时限，请立即签收。"),
        unsigned_only=True,
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

    def for_lead_of_assist(self, department_id: int) -> set[int]:
        return set(self.by_department[(department_id, Role.HANDLER)]) | set(
            self.by_department[(department_id, Role.HEAD)]
        )


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
    waiting = Assignment.objects.to_sign() if rung.unsigned_only else Assignment.objects.open()
    rows = waiting.filter(**{f"{rung.done}__isnull": True, f"{rung.due}__lte": moment})
    if rung.after:
        rows = rows.filter(**{f"{rung.after}__isnull": False})
    if not rung.unsigned_only:
        # The clock stands still while the case waits on an extension decision or the citizen;
        # signing is due whatever the case waits for.
        rows = rows.filter(paused_since__isnull=True)
    return rows


def _take_batch(rung: Rung, moment: datetime, batch: int) -> int:
    with transaction.atomic():
        rows = _claim_in_sql(rung, moment, batch) if connection.vendor == "postgresql" else _claim(rung, moment, batch)
        if not rows:
            return 0
        # The event is dated when it is written, never ahead of the clock: a sweep told to act at
        # a later moment (a simulation) stamps the rung with it, but the demand's trail cannot
        # run ahead of the events written after it.
        written_at = min(moment, timezone.now())
        events = [
            DemandEvent(
                demand_id=demand_id,
                action=rung.action,
                from_status=status,
                to_status=status,
                actor_label=SYSTEM,
                department_id=department_id,
                data={"assignment": pk, "role": role},
                # The citizen follows the case's deadline, which is the lead's: an assisting
                # department's own rungs are internal.
                is_public=rung.public and role == AssignmentRole.LEAD,
                created_at=written_at,
            )
            for pk, demand_id, department_id, role, status in rows
        ]
        # Each event takes its place in its demand's audit chain; the demands are locked already.
        # A transition since the sweep began may have written a later event: the rung's event
        # then follows it, at its time, rather than failing the batch.
        seal(events, late_is_now=True)
        events = DemandEvent.objects.bulk_create(events)
        if rung.action == Action.SUPERVISE:
            _open_supervisions(rows, moment)
        # The events double as the work queue of the notices: fanned out after commit, apart
        # from the sweep, and idempotently (one notice per person per event).
        ids = [e.pk for e in events if e.pk]
        if ids:
            enqueue_on_commit("dispatch.notify_ladder_events", min(ids), max(ids))
        return len(rows)


Claimed = tuple[int, int, int, str, str]  # assignment, demand, department, role, the demand's status


def _claim(rung: Rung, moment: datetime, batch: int) -> list[Claimed]:
    locking = {"skip_locked": True, "of": ("self",)} if connection.features.has_select_for_update_of else {}
    rows = list(
        _due(rung, moment)
        .select_for_update(**locking)
        .order_by(rung.due, "pk")
        .values_list("pk", "demand_id", "department_id", "role", "demand__status")[:batch]
    )
    if rows:
        # Stamped under the lock and only where still unstamped: the stamp is the claim.
        Assignment.objects.filter(pk__in=[row[0] for row in rows], **{f"{rung.done}__isnull": True}).update(
            **{rung.done: moment}
        )
    return rows


def _claim_in_sql(rung: Rung, moment: datetime, batch: int) -> list[Claimed]:
    """The same claim as `_claim`, in one PostgreSQL statement that stays cheap on a backlog of
    tens of thousands of rungs: lock the due rows and their demands, skipping those another sweep
    or a transition holds (they are taken next time), and stamp them. The demands are locked
    because each event takes the next place in its demand's audit chain, which only the holder of
    the demand's lock may do; skipping rather than waiting means no deadlock with a transition
    that locks the demand first (a batch cut short by skipped rows ends this sweep's pass over
    the rung; the next sweep, a minute later, goes on). The events themselves are written from
    Python: their hashes are keyed with a secret the database does not hold."""
    done = connection.ops.quote_name(rung.done)
    sql = """
        WITH due AS ({due_sql}),
        locked AS (
            SELECT d.id FROM demands_demand d
            WHERE d.id IN (SELECT a.demand_id FROM dispatch_assignment a JOIN due ON a.id = due.pk)
            ORDER BY d.id FOR UPDATE OF d SKIP LOCKED
        ),
        stamped AS (
            UPDATE dispatch_assignment AS a SET {done} = %s FROM due
            WHERE a.id = due.pk AND a.{done} IS NULL AND a.demand_id IN (SELECT id FROM locked)
            RETURNING a.id, a.demand_id, a.department_id, a.role
        )
        SELECT s.id, s.demand_id, s.department_id, s.role, d.status
        FROM stamped s JOIN demands_demand d ON d.id = s.demand_id ORDER BY s.id
    """
    with connection.cursor() as cursor:
        # Compiled inside the transaction: Django refuses a locking query outside one.
        due_sql, due_params = (
            _due(rung, moment)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by(rung.due, "pk")
            .values("pk")[:batch]
            .query.sql_with_params()
        )
        cursor.execute(sql.format(due_sql=due_sql, done=done), [*due_params, moment])
        return [tuple(row) for row in cursor.fetchall()]


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

# An assisting department has a ladder of its own, to its own deadline (a share of the lead's): it
# is warned and found overdue; supervising and escalating stay with the lead, which answers for
# the case. Each of its rungs is told to it in its own words, and to the lead, which needs the
# contribution before it can answer.
ASSIST_MESSAGES: dict[str, str] = {
    Action.SIGN_OVERDUE: gettext_noop("诉求 %(number)s 已超过协办签收时限，请立即签收。"),
    Action.WARN: gettext_noop("诉求 %(number)s 协办期限已过 %(share)s，请抓紧提交协办意见。"),
    Action.OVERDUE: gettext_noop("诉求 %(number)s 已超过协办期限，请尽快提交协办意见。"),
}
LEAD_HEARS_OF_ASSIST: dict[str, str] = {
    Action.WARN: gettext_noop("%(number)s：协办部门 %(department)s 的协办期限已过 %(share)s，尚未提交协办意见。"),
    Action.OVERDUE: gettext_noop("%(number)s：协办部门 %(department)s 已超过协办期限，尚未提交协办意见。"),
}


def notify_ladder_events(*, first_id: int, last_id: int) -> int:
    """Notices for the ladder's events with ids in [first_id, last_id]; safe to run again."""
    recipients = _Recipients()
    events = DemandEvent.objects.filter(pk__gte=first_id, pk__lte=last_id, action__in=list(RUNGS)).values_list(
        "pk", "demand_id", "department_id", "action", "demand__tracking_number", "data"
    )
    share = f"{settings.ESCALATION_WARN_SHARE:.0%}"
    notices = []
    assists = []
    for event_id, demand_id, department_id, action, number, data in events.iterator(chunk_size=5000):
        is_assist = (data or {}).get("role") == AssignmentRole.ASSIST
        if is_assist and action in LEAD_HEARS_OF_ASSIST:
            assists.append((event_id, demand_id, department_id, action, number))
        text = ASSIST_MESSAGES.get(action, RUNGS[action].message) if is_assist else RUNGS[action].message
        message, wording = worded(text, number=number, share=share)
        for user_id in sorted(recipients.for_rung(action, department_id)):
            notices.append(
                Notification(
                    user_id=user_id, demand_id=demand_id, event_id=event_id, kind=action, message=message, data=wording
                )
            )
    notices += _lead_notices(assists, recipients, share)
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


def _lead_notices(
    assists: list[tuple[int, int, int, str, str]], recipients: _Recipients, share: str
) -> list[Notification]:
    """The lead's handlers and heads hear of each rung its assisting departments take."""
    if not assists:
        return []
    leads = dict(
        Assignment.objects.lead()
        .open()
        .filter(demand_id__in={demand_id for _e, demand_id, *_rest in assists})
        .values_list("demand_id", "department_id")
    )
    names = {
        d.pk: d.display_name
        for d in Department.objects.filter(pk__in={department for *_f, department, _a, _n in assists})
    }
    notices = []
    for event_id, demand_id, department_id, action, number in assists:
        lead = leads.get(demand_id)
        if lead is None:
            continue
        message, wording = worded(
            LEAD_HEARS_OF_ASSIST[action], number=number, share=share, department=names.get(department_id, "")
        )
        for user_id in sorted(recipients.for_lead_of_assist(lead)):
            notices.append(
                Notification(
                    user_id=user_id,
                    demand_id=demand_id,
                    event_id=event_id,
                    kind="assist",
                    message=message,
                    data=wording,
                )
            )
    return notices
