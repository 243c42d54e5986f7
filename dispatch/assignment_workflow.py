"""An assignment's states and the one map of its allowed moves, as the demand has its own
(demands/workflow.py). Nothing else knows the graph: the writer (dispatch.services.transitions)
asks `refusal_of(move, role, status)` and refuses what the map does not allow."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("主办")
    ASSIST = "assist", _("协办")


class AssignmentStatus(models.TextChoices):
    PENDING_SIGN = "pending_sign", _("待签收")
    SIGNED = "signed", _("办理中")
    DONE = "done", _("已答复")
    RETURNED = "returned", _("已退单")
    RELEASED = "released", _("已解除")


OPEN_ASSIGNMENT_STATUSES = (AssignmentStatus.PENDING_SIGN, AssignmentStatus.SIGNED)


class AssignmentMove(models.TextChoices):
    SIGN = "sign", _("签收")
    ANSWER = "answer", _("答复")
    CONTRIBUTE = "contribute", _("协办反馈")
    RETURN = "return", _("退单")
    RELEASE = "release", _("解除协办")
    # A merged or refused case, or a lead's return, lets every open assignment (or assist) go.
    LET_GO = "let_go", _("随诉求解除")
    # Moves that keep the state: asking for more time (a signed lead or assisting department, for
    # its own part), asking the citizen (only a signed lead).
    REQUEST_EXTENSION = "request_extension", _("申请延期")
    ASK_CITIZEN = "ask_citizen", _("请群众补充信息")


@dataclass(frozen=True)
class Moves:
    targets: dict[str, str]  # from status -> to status
    role: str | None = None  # the only role that may make the move; None: either


S = AssignmentStatus


def _open_to(target: str) -> dict[str, str]:
    return {status: target for status in OPEN_ASSIGNMENT_STATUSES}


TRANSITIONS: dict[str, Moves] = {
    AssignmentMove.SIGN: Moves({S.PENDING_SIGN: S.SIGNED}),
    # The lead answers the citizen once it has signed; an assisting department gives its part to
    # the lead, signed or not.
    AssignmentMove.ANSWER: Moves({S.SIGNED: S.DONE}, role=AssignmentRole.LEAD),
    AssignmentMove.CONTRIBUTE: Moves(_open_to(S.DONE), role=AssignmentRole.ASSIST),
    AssignmentMove.RETURN: Moves(_open_to(S.RETURNED), role=AssignmentRole.LEAD),
    AssignmentMove.RELEASE: Moves(_open_to(S.RELEASED), role=AssignmentRole.ASSIST),
    AssignmentMove.LET_GO: Moves(_open_to(S.RELEASED)),
    AssignmentMove.REQUEST_EXTENSION: Moves({S.SIGNED: S.SIGNED}),
    AssignmentMove.ASK_CITIZEN: Moves({S.SIGNED: S.SIGNED}, role=AssignmentRole.LEAD),
}


def target_of(move: str, role: str, status: str) -> str | None:
    """The status `move` leads to for an assignment of `role` in `status`, or None when the
    move is not allowed."""
    moves = TRANSITIONS[move]
    if moves.role is not None and moves.role != role:
        return None
    return moves.targets.get(status)


def sources_of(move: str) -> tuple[str, ...]:
    """The statuses `move` may start from: for conditional updates of many rows at once."""
    return tuple(TRANSITIONS[move].targets)


def the_target_of(move: str) -> str:
    """The one status `move` leads to from any of its sources (a let-go releases, whatever the
    open state was)."""
    (target,) = set(TRANSITIONS[move].targets.values())
    return target


def is_final(status: str) -> bool:
    return status not in OPEN_ASSIGNMENT_STATUSES
