"""The demand's states and the one map of allowed moves. Nothing else knows the graph: services
ask `target_of(action, status)` and refuse what the map does not allow."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from demands.models import Demand


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    TRIAGE = "triage", _("待人工分拨")
    DISPATCHED = "dispatched", _("已派单")
    IN_PROGRESS = "in_progress", _("办理中")
    RETURNED = "returned", _("退单待裁定")
    REPLIED = "replied", _("已答复")
    REOPENED = "reopened", _("已重办")
    CLOSED = "closed", _("已办结")
    REJECTED = "rejected", _("不予受理")
    MERGED = "merged", _("已合并")


# What a citizen is shown of the centre's internal steps: waiting for a dispatcher, or for a ruling
# on a department's return, is all "being dispatched" to them; a dispute between departments is
# not theirs to follow (and the return itself is kept off their timeline).
CITIZEN_STATUS_LABELS: dict[str, str | Promise] = {Status.TRIAGE: _("分拨中"), Status.RETURNED: _("分拨中")}


class Action(models.TextChoices):
    SUBMIT = "submit", _("提交诉求")
    AUTO_DISPATCH = "auto_dispatch", _("自动派单")
    SEND_TO_TRIAGE = "send_to_triage", _("转人工分拨")
    DISPATCH = "dispatch", _("人工派单")
    SIGN = "sign", _("签收")
    SIGN_ASSIST = "sign_assist", _("协办签收")
    CONTRIBUTE = "contribute", _("协办反馈")
    RELEASE_ASSIST = "release_assist", _("解除协办")
    REPLY = "reply", _("答复")
    RATE = "rate", _("评价")
    AUTO_CLOSE = "auto_close", _("超期自动办结")
    REOPEN = "reopen", _("不满意重办")
    RETURN = "return", _("退单")
    RULE_UPHOLD = "rule_uphold", _("裁定退单成立并改派")
    RULE_OVERRULE = "rule_overrule", _("裁定退单不成立")
    REQUEST_EXTENSION = "request_extension", _("申请延期")
    APPROVE_EXTENSION = "approve_extension", _("批准延期")
    DENY_EXTENSION = "deny_extension", _("驳回延期")
    ASK_CITIZEN = "ask_citizen", _("请群众补充信息")
    CITIZEN_SUPPLEMENT = "citizen_supplement", _("群众补充信息")
    RESUME_CLOCK = "resume_clock", _("恢复计时")
    SIGN_OVERDUE = "sign_overdue", _("签收超时")
    WARN = "warn", _("临期预警")
    OVERDUE = "overdue", _("超期")
    SUPERVISE = "supervise", _("督办")
    ESCALATE = "escalate", _("升级至区级")
    ANSWER_SUPERVISION = "answer_supervision", _("督办反馈")
    NOTE = "note", _("办理沟通")
    FOLLOW_UP = "follow_up", _("群众催办")
    MERGE = "merge", _("合并重复诉求")
    REJECT = "reject", _("不予受理")
    ANONYMISE = "anonymise", _("个人信息匿名化")
    APPEAL = "appeal", _("考核申诉")
    RULE_APPEAL = "rule_appeal", _("申诉裁定")
    # The callback staff's call to the citizen about an answer (回访): a record, not a move.
    VISIT = "visit", _("回访")
    # The dispatcher corrects the demand's type (咨询, 投诉…): a record, not a move.
    RETYPE = "retype", _("更正诉求类型")
    # A leader's instruction on a case (领导批示), and the lead department's answer to it.
    INSTRUCT = "instruct", _("领导批示")
    ANSWER_INSTRUCTION = "answer_instruction", _("批示反馈")
    # A dispatcher convened the departments of a hard case; their decision re-dispatches it.
    CONVENE = "convene", _("疑难件会商")
    # A question answered at first contact by the intake operator or a dispatcher (直接答复).
    DIRECT_ANSWER = "direct_answer", _("直接答复")
    # A reply held for review before the citizen sees it (答复审核), and the reviewers' decisions.
    REPLY_SUBMITTED = "reply_submitted", _("答复提交审核")
    REPLY_APPROVED = "reply_approved", _("答复审核通过")
    REPLY_SENT_BACK = "reply_sent_back", _("答复退回修改")
    # Down and up the territory: a street passes a case to a community (下派), which answers the
    # street or sends it back up (上报); a head gives it to a handler or a section (内部派单).
    DELEGATE = "delegate", _("下派社区")
    DELEGATION_ANSWER = "delegation_answer", _("答复街道")
    SEND_UP = "send_up", _("上报")
    WITHDRAW_DELEGATION = "withdraw_delegation", _("撤回下派")
    INTERNAL_ASSIGN = "internal_assign", _("内部派单")


S = Status
OPEN_STATUSES = frozenset({S.SUBMITTED, S.TRIAGE, S.DISPATCHED, S.IN_PROGRESS, S.RETURNED, S.REOPENED})
FINAL_STATUSES = frozenset({S.CLOSED, S.REJECTED, S.MERGED})
# Answered: the lead's reply went out, whether or not the citizen has rated it since.
ANSWERED_STATUSES = (S.REPLIED, S.CLOSED)

# A department has the case in hand.
WORKING_STATUSES = frozenset({S.DISPATCHED, S.IN_PROGRESS, S.REOPENED})

_WORKING_SELF: dict[str, str] = {status: status for status in WORKING_STATUSES}
# Appeals concern a case's place in the figures, whatever state it is in by then.
_ANY_SELF: dict[str, str] = {status: status for status in Status}

# action -> {from status: to status}
TRANSITIONS: dict[str, dict[str, str]] = {
    Action.AUTO_DISPATCH: {S.SUBMITTED: S.DISPATCHED},
    # A direct answer sent back for redoing has no department to go back to: a dispatcher places it.
    Action.SEND_TO_TRIAGE: {S.SUBMITTED: S.TRIAGE, S.REOPENED: S.TRIAGE},
    Action.DISPATCH: {S.TRIAGE: S.DISPATCHED},
    Action.SIGN: {S.DISPATCHED: S.IN_PROGRESS, S.REOPENED: S.IN_PROGRESS},
    Action.REPLY: {S.IN_PROGRESS: S.REPLIED},
    # A question answered before any department has it: closed at first contact, rated like a reply.
    Action.DIRECT_ANSWER: {S.SUBMITTED: S.REPLIED, S.TRIAGE: S.REPLIED},
    # A merged demand's citizen rates the answer they share; their demand stays merged.
    Action.RATE: {S.REPLIED: S.CLOSED, S.MERGED: S.MERGED},
    Action.AUTO_CLOSE: {S.REPLIED: S.CLOSED},
    Action.REOPEN: {S.REPLIED: S.REOPENED},
    Action.RETURN: {S.DISPATCHED: S.RETURNED, S.IN_PROGRESS: S.RETURNED, S.REOPENED: S.RETURNED},
    Action.RULE_UPHOLD: {S.RETURNED: S.DISPATCHED},
    Action.RULE_OVERRULE: {S.RETURNED: S.DISPATCHED},
    # An extension changes the deadline, not the state. A lead asks once it has signed (the case is
    # in progress); an assisting department, for its own part, whatever the lead has done yet.
    Action.REQUEST_EXTENSION: _WORKING_SELF,
    Action.APPROVE_EXTENSION: _WORKING_SELF,
    Action.DENY_EXTENSION: _WORKING_SELF,
    # Waiting for the citizen's answer stops the clock, not the case.
    Action.ASK_CITIZEN: {S.IN_PROGRESS: S.IN_PROGRESS},
    Action.CITIZEN_SUPPLEMENT: {S.IN_PROGRESS: S.IN_PROGRESS},
    Action.RESUME_CLOCK: {S.IN_PROGRESS: S.IN_PROGRESS},
    # Assisting departments act beside the lead; the demand's state follows the lead alone.
    Action.SIGN_ASSIST: _WORKING_SELF,
    Action.CONTRIBUTE: _WORKING_SELF,
    Action.RELEASE_ASSIST: _WORKING_SELF,
    # The escalation ladder runs beside the states.
    Action.SIGN_OVERDUE: _WORKING_SELF,
    Action.WARN: _WORKING_SELF,
    Action.OVERDUE: _WORKING_SELF,
    Action.SUPERVISE: _WORKING_SELF,
    Action.ESCALATE: _WORKING_SELF,
    Action.ANSWER_SUPERVISION: _WORKING_SELF,
    # Lead, assisting departments and dispatchers talk about the case beside its states.
    Action.NOTE: _WORKING_SELF,
    Action.APPEAL: _ANY_SELF,
    Action.RULE_APPEAL: _ANY_SELF,
    # A citizen who reports their open demand again urges it on (催办): an event, not a move.
    Action.FOLLOW_UP: {status: status for status in OPEN_STATUSES},
    Action.MERGE: {status: S.MERGED for status in OPEN_STATUSES},
    Action.REJECT: {S.SUBMITTED: S.REJECTED, S.TRIAGE: S.REJECTED, S.RETURNED: S.REJECTED},
    # Past the retention period the citizen's personal data goes; the case stays as it ended.
    Action.ANONYMISE: {status: status for status in FINAL_STATUSES},
    # A call about the answer, made while it stands: before or after the citizen's rating or the
    # automatic close.
    Action.VISIT: {S.REPLIED: S.REPLIED, S.CLOSED: S.CLOSED},
    # The type may be corrected at any point of the case, even closed: the figures count it.
    Action.RETYPE: {status: status for status in Status if status != S.MERGED},
    # A leader instructs a case in hand; its lead answers the instruction whatever the case's
    # state by then (an instruction unanswered when the case was replied to is still owed).
    Action.INSTRUCT: _WORKING_SELF,
    Action.ANSWER_INSTRUCTION: _ANY_SELF,
    # The departments' decision on a hard case hands it out afresh: waiting for dispatch, or in hand.
    Action.CONVENE: {status: S.DISPATCHED for status in (S.TRIAGE, *WORKING_STATUSES)},
    # A reply under review leaves the case in hand: the citizen hears of it once it is approved.
    Action.REPLY_SUBMITTED: {S.IN_PROGRESS: S.IN_PROGRESS},
    Action.REPLY_APPROVED: {S.IN_PROGRESS: S.IN_PROGRESS},
    Action.REPLY_SENT_BACK: {S.IN_PROGRESS: S.IN_PROGRESS},
    # Passing a case down or inside a department keeps it where it is: the department holds it.
    Action.DELEGATE: _WORKING_SELF,
    Action.DELEGATION_ANSWER: _WORKING_SELF,
    Action.SEND_UP: _WORKING_SELF,
    Action.WITHDRAW_DELEGATION: _WORKING_SELF,
    Action.INTERNAL_ASSIGN: _WORKING_SELF,
}


def target_of(action: str, status: str) -> str | None:
    """The status `action` leads to from `status`, or None when the move is not allowed."""
    return TRANSITIONS.get(action, {}).get(status)


def reopen_limit_reached(reopen_count: int) -> bool:
    """A citizen may send an answer back for redoing (重办) this many times, then must submit anew."""
    return reopen_count >= settings.REOPEN_LIMIT


def may_reopen(demand: Demand) -> bool:
    return demand.status == Status.REPLIED and not reopen_limit_reached(demand.reopen_count)


def allowed_actions(status: str) -> list[str]:
    return [action for action, moves in TRANSITIONS.items() if status in moves]
