"""Writes on dispatch: one function per transition of the demand's lifecycle (demands/workflow.py).
Each checks the actor's role and the current state, locks what it changes, writes exactly one
demand event (through demands.services.demand_transition) and enqueues follow-up work on commit."""

from dispatch.services.assignments import (
    assignment_contribute,
    assignment_release,
    assignment_reply,
    assignment_sign,
    demand_dispatch,
)
from dispatch.services.citizen_info import info_request_answer, info_request_ask, info_request_withdraw
from dispatch.services.closing import demand_merge, demand_rate_by_phone, demand_reject, demand_reopen
from dispatch.services.consultations import consultation_convene
from dispatch.services.demand_types import demand_set_type
from dispatch.services.duplicates import duplicate_group_decide
from dispatch.services.extensions import extension_decide, extension_request
from dispatch.services.follow_ups import demand_follow_up
from dispatch.services.instructions import instruction_answer, instruction_record
from dispatch.services.returns import assignment_return, return_rule
from dispatch.services.routing import demand_route
from dispatch.services.supervision import supervision_answer, supervision_open

__all__ = [
    "assignment_contribute",
    "assignment_release",
    "assignment_reply",
    "assignment_return",
    "assignment_sign",
    "consultation_convene",
    "demand_dispatch",
    "demand_follow_up",
    "demand_merge",
    "demand_rate_by_phone",
    "demand_reject",
    "demand_reopen",
    "demand_route",
    "demand_set_type",
    "duplicate_group_decide",
    "extension_decide",
    "extension_request",
    "info_request_answer",
    "info_request_ask",
    "info_request_withdraw",
    "instruction_answer",
    "instruction_record",
    "return_rule",
    "supervision_answer",
    "supervision_open",
]
