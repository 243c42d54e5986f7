"""Locks on a case, always taken in one order: the demand's row first, then the rows of its
assignments and of the requests about them. Two changes to one case at once then wait in turn
instead of deadlocking."""

from __future__ import annotations

from typing import TypeVar

from django.contrib.auth.models import User
from django.db import models
from django.utils.translation import gettext as _

from config.errors import NotAllowed, NotFound
from demands.models import Demand
from departments.access import DEPARTMENT_ROLES, works_in
from dispatch.models import Assignment

RequestModel = TypeVar("RequestModel", bound=models.Model)


def lock_case(demand_id: int) -> None:
    """Lock the demand's row. Every change to a case takes it before any row of its assignments
    (which are then locked alone, not their departments), so two changes to one case at once (a
    question to the citizen and an assisting answer, say) wait in turn instead of deadlocking."""
    list(Demand.objects.select_for_update().filter(pk=demand_id).values_list("pk", flat=True))


def assignment_under_lock(assignment_id: int) -> Assignment:
    """The assignment, locked, its case first (the demand id is read unlocked to lock by it)."""
    demand_id = Assignment.objects.filter(pk=assignment_id).values_list("demand_id", flat=True).first()
    if demand_id is None:  # an id from a request may name nothing
        raise NotFound(_("该派单不存在。"))
    lock_case(demand_id)
    return (
        Assignment.objects.select_for_update(of=("self",)).select_related("department", "demand").get(pk=assignment_id)
    )


def locked_request(model: type[RequestModel], pk: int) -> RequestModel:
    """A request about an assignment (a return, an extension, a question), locked with its
    assignment, their case first."""
    manager = model._default_manager
    demand_id = manager.filter(pk=pk).values_list("assignment__demand_id", flat=True).first()
    if demand_id is None:  # an id from a request may name nothing
        raise NotFound(_("%(what)s不存在。") % {"what": model._meta.verbose_name})
    lock_case(demand_id)
    return manager.select_for_update(of=("self", "assignment")).select_related("assignment").get(pk=pk)


def locked_assignment(assignment_id: int, actor: User | None) -> Assignment:
    """The assignment, locked (its case first), if the actor works in its department; refused otherwise."""
    assignment = assignment_under_lock(assignment_id)
    if not works_in(actor, assignment.department, *DEPARTMENT_ROLES):
        raise NotAllowed(_("这不是您所在部门的诉求。"))
    return assignment
