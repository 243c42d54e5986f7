"""The named reads of assignments. Each fact is defined once here, as a `Q` for the figures that
count it inside one grouped query, and as a queryset method for the pages and sweeps that list
it; every page, queue, figure and sweep reads through them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.apps import apps
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, When
from django.db.models.functions import Now
from django.utils import timezone

from dispatch.assignment_workflow import OPEN_ASSIGNMENT_STATUSES, AssignmentRole, AssignmentStatus

if TYPE_CHECKING:
    from dispatch.models import Assignment  # noqa: F401 (named in a string below: models import this module)


def open_q(prefix: str = "") -> Q:
    """Still to be worked on: waiting to be signed, or signed and in hand. `prefix` reads it
    through a relation (`assignment__` from a supervision)."""
    return Q(**{f"{prefix}status__in": OPEN_ASSIGNMENT_STATUSES})


def next_due() -> Case:
    """What an open assignment is due for next: signing by the sign-for deadline until it is
    signed, then handling by the handling deadline. The inbox's order, and an index's key."""
    return Case(When(status=AssignmentStatus.PENDING_SIGN, then=F("sign_deadline")), default=F("handle_deadline"))


def lead_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}role": AssignmentRole.LEAD})


def overdue_now(now: datetime | Now) -> Q:
    """The one meaning of "overdue now" (超期), for every page, queue and figure: the assignment is
    still open, its handling deadline has passed and its clock is running. A paused clock (waiting
    for the citizen or an extension decision) is not overdue: the time is given back when the pause
    ends. Whether the sweep has stamped the overdue rung yet does not matter."""
    return open_q() & Q(paused_since__isnull=True, handle_deadline__lt=now)


def answered_q() -> Q:
    """Answered: the lead's reply, or an assisting department's part, was given."""
    return Q(status=AssignmentStatus.DONE)


def answered_on_time() -> Q:
    # A lead assignment is answered on time when its reply came by its handling deadline, the one
    # in force after approved extensions and pauses.
    return answered_q() & Q(finished_at__lte=F("handle_deadline"))


def sign_late(now: datetime | Now) -> Q:
    """Still unsigned past the sign-for deadline: a rung of its own, not 超期."""
    return Q(status=AssignmentStatus.PENDING_SIGN, sign_deadline__lt=now)


def answered_again() -> Exists:
    """For a lead assignment: whether a later lead assignment of its demand answered it again
    (after a redo), so that the citizen's rating is of that later answer."""
    assignment = apps.get_model("dispatch", "Assignment")
    return Exists(
        assignment.objects.lead()
        .answered()
        .filter(demand_id=OuterRef("demand_id"), finished_at__gt=OuterRef("finished_at"))
    )


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def lead(self) -> AssignmentQuerySet:
        return self.filter(lead_q())

    def assisting(self) -> AssignmentQuerySet:
        return self.filter(role=AssignmentRole.ASSIST)

    def open(self) -> AssignmentQuerySet:
        return self.filter(open_q())

    def to_sign(self) -> AssignmentQuerySet:
        return self.filter(status=AssignmentStatus.PENDING_SIGN)

    def in_hand(self) -> AssignmentQuerySet:
        """Signed and being worked on."""
        return self.filter(status=AssignmentStatus.SIGNED)

    def overdue_now(self, now: datetime | None = None) -> AssignmentQuerySet:
        return self.filter(overdue_now(now or timezone.now()))

    def sign_late(self, now: datetime | None = None) -> AssignmentQuerySet:
        return self.filter(sign_late(now or timezone.now()))

    def answered(self) -> AssignmentQuerySet:
        return self.filter(answered_q())

    def answered_on_time(self) -> AssignmentQuerySet:
        return self.filter(answered_on_time())

    def returned(self) -> AssignmentQuerySet:
        return self.filter(status=AssignmentStatus.RETURNED)

    def released(self) -> AssignmentQuerySet:
        return self.filter(status=AssignmentStatus.RELEASED)

    def of_demand(self, demand_id: int) -> AssignmentQuerySet:
        return self.filter(demand_id=demand_id)

    def with_lead_deadline(self) -> AssignmentQuerySet:
        """Each row with `lead_handle_deadline`: the handling deadline of its demand's open lead,
        which an assisting department's part must come in before."""
        lead = self.model.objects.filter(lead_q() & open_q(), demand_id=OuterRef("demand_id")).order_by()
        return self.annotate(lead_handle_deadline=Subquery(lead.values("handle_deadline")[:1]))
