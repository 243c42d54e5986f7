"""The one writer of an assignment's status. Every service that moves an assignment calls
`assignment_transition`, which checks the move against the one map (dispatch.assignment_workflow)
and refuses what it does not allow, with the reason; `let_go` is its many-rows form."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import IllegalTransition
from demands.services import refuse_unknown_fields
from dispatch.assignment_workflow import AssignmentMove, is_final, sources_of, target_of, the_target_of
from dispatch.models import Assignment, Supervision
from dispatch.querysets import open_q


def check_move(*, assignment: Assignment, move: str, refusal: str = "") -> str:
    """The status `move` takes the assignment to, or a refusal: `refusal` is the sentence the
    service words for its own person, by default one naming the state. Services check first when
    other writes (the demand's move) come before the assignment's own."""
    target = target_of(move, assignment.role, assignment.status)
    if target is None:
        raise IllegalTransition(
            refusal
            or _("该派单当前为「%(status)s」，不能执行「%(move)s」。")
            % {"status": assignment.get_status_display(), "move": AssignmentMove(move).label},
            extra={"status": assignment.status, "move": move},
        )
    return target


def assignment_transition(
    *,
    assignment: Assignment,
    move: str,
    refusal: str = "",
    now: datetime | None = None,
    changes: dict[str, Any] | None = None,
) -> Assignment:
    """Move a locked assignment by `move`, or refuse with `refusal` (see `check_move`). A move
    that ends the assignment stamps when it ended and stops its clock: its part is done, no clock
    of its runs, standing or not. A move that keeps the state only checks it is allowed."""
    target = check_move(assignment=assignment, move=move, refusal=refusal)
    if target == assignment.status:
        return assignment
    refuse_unknown_fields(Assignment, changes)
    fields = dict(changes or {})
    if is_final(target):
        fields.update(finished_at=now or timezone.now(), paused_since=None)
    fields["status"] = target
    for field, value in fields.items():
        setattr(assignment, field, value)
    assignment.save(update_fields=list(fields))
    if is_final(target):
        Supervision.objects.filter(assignment=assignment, assignment_open=True).update(assignment_open=False)
    return assignment


def let_go(assignments: QuerySet[Assignment], now: datetime, **changes: Any) -> int:
    """Let the open ones of `assignments` go, at once: the case is merged, refused, or given back
    by its lead, and nobody is to work on it any more. A conditional update, so a row another
    move ended first is left as that move left it."""
    released = assignments.filter(status__in=sources_of(AssignmentMove.LET_GO)).update(
        status=the_target_of(AssignmentMove.LET_GO),
        finished_at=now,
        paused_since=None,
        **changes,
    )
    if released:
        Supervision.objects.filter(assignment__in=assignments, assignment_open=True).exclude(
            open_q("assignment__")
        ).update(assignment_open=False)
    return released
