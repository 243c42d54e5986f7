"""What the callback staff read: the visits still to make, most urgent first, and the last ones
finished; each with the answer it asks about."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from assessment.models import CallbackVisit, VisitStatus
from demands.models import Reply
from departments.access import has_role
from departments.models import Role

# Who reads the queue: the callback staff who work it, and those who follow the centre's work.
VISIT_READERS = (Role.CALLBACK_OFFICER, Role.SUPERVISOR, Role.ADMIN)
RECENT_FINISHED = 20


def may_read_visits(user: User | AnonymousUser | None) -> bool:
    return has_role(user, *VISIT_READERS)


def visits_due() -> QuerySet[CallbackVisit]:
    """Due visits by deadline: the overdue ones come first, as they have the earliest deadlines."""
    return (
        CallbackVisit.objects.filter(status=VisitStatus.DUE)
        .select_related("demand", "department")
        .order_by("due_at", "pk")
    )


def visits_finished() -> QuerySet[CallbackVisit]:
    return (
        CallbackVisit.objects.exclude(status=VisitStatus.DUE)
        .select_related("demand", "department", "visited_by")
        .order_by("-finished_at", "-pk")[:RECENT_FINISHED]
    )


def answer_of(visit: CallbackVisit) -> Reply | None:
    """The answer the visit asks about. A demand is answered once per round (a reply moves it out
    of handling, and only a reopening brings it back), so round n's answer is the lead's n-th reply."""
    replies = Reply.objects.filter(demand_id=visit.demand_id, is_contribution=False).order_by("created_at", "pk")
    return replies[visit.answer_round : visit.answer_round + 1].first()
