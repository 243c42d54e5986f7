from __future__ import annotations

import logging

from django.db import OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from demands.models import Demand
from demands.services import SYSTEM, demand_transition
from demands.wording import system_sentence
from demands.workflow import Action, Status
from departments.models import Department
from departments.selectors import ResolvedLocation, resolve_location
from dispatch.duplicates import suggest_duplicates
from dispatch.services.assignments import create_assignments, matter_assisting
from responsibility_lists.models import Matter
from responsibility_lists.selectors import version_in_force
from routing.models import RoutingResult
from routing.router import RoutingAnswer, route
from routing.thresholds import threshold_for

logger = logging.getLogger(__name__)

# The reasons the system gives, stored in Chinese (the language of record) and read in the
# reader's language on the timeline.
NOT_SURE_ENOUGH = system_sentence(gettext_noop("路由置信度不足，转人工分拨。"))
NO_MATTER_MATCHED = system_sentence(gettext_noop("未匹配到清单事项，转人工分拨。"))
ROUTING_FAILED = system_sentence(gettext_noop("自动分拨出错，转人工分拨。"))
# The note a one-click dispatch from the triage queue leaves on the case.
SUGGESTION_TAKEN = system_sentence(gettext_noop("按路由建议派单"))


def _picked_place(demand: Demand) -> ResolvedLocation | None:
    if not demand.community_picked or demand.community is None:
        return None
    return ResolvedLocation(
        street_id=demand.community.street_id, community_id=demand.community_id, matched=demand.community.name
    )


def demand_route(*, demand_id: int) -> Demand | None:
    """Route a submitted demand under the list version in force: dispatch it when the router is
    sure enough, else put it in the triage queue with the router's suggestions. Idempotent: a
    demand that is gone or already routed is left alone (the task may be delivered twice)."""
    with transaction.atomic():
        demand = Demand.objects.select_for_update().filter(pk=demand_id).first()
        if demand is None or demand.status != Status.SUBMITTED:
            return None
        try:
            with transaction.atomic():  # a savepoint: a failed routing leaves nothing behind
                return _route_locked(demand)
        except OperationalError:
            raise  # the database is away: the task retries, and the reconciler after it
        except Exception:
            # A fault in routing itself (a bad model, a bug) would otherwise keep the demand in
            # "submitted", out of every queue, at every retry. A person routes it instead.
            logger.exception("Routing demand %s failed; it goes to the triage queue.", demand.pk)
            return _triage_unrouted(demand)


def _triage_unrouted(demand: Demand) -> Demand:
    # Only what needs no routing code (which may be what failed): the place the citizen picked.
    place = _picked_place(demand)
    return demand_transition(
        demand_id=demand.pk,
        action=Action.SEND_TO_TRIAGE,
        actor=None,
        actor_label=SYSTEM,
        reason=ROUTING_FAILED,
        data={"routing_failed": True},
        changes={"street_id": place.street_id, "community_id": place.community_id} if place else {},
    )


def _route_locked(demand: Demand) -> Demand:
    """Route a locked, submitted demand (see demand_route)."""
    version = version_in_force()
    place = _picked_place(demand)
    if version is None:
        location = place or resolve_location(demand.location_text, demand.title, demand.content)
        answer = RoutingAnswer(candidates=[], location=location)
    else:
        answer = route(
            title=demand.title,
            content=demand.content,
            location_text=demand.location_text,
            version=version,
            place=place,
        )
    best = answer.best
    # A candidate the learned model found may have no matter of the list: it is dispatched
    # to the department with the default time limits.
    matter = (
        Matter.objects.select_related("category__parent").filter(pk=best.matter_id).first()
        if best is not None and best.matter_id
        else None
    )
    threshold = threshold_for(matter)
    # A threshold of 1 means the category always goes to a person.
    auto = best is not None and best.department_id is not None and threshold < 1 and answer.confidence >= threshold
    RoutingResult.objects.create(
        demand=demand,
        list_version=version,
        router_version=answer.router_version,
        candidates=answer.candidates_as_json(),
        confidence=answer.confidence,
        auto_dispatched=auto,
        resolved_location=answer.location.as_dict(),
        created_at=timezone.now(),
    )
    located = {"street_id": answer.location.street_id, "community_id": answer.location.community_id}
    if version is None or not auto or best is None or best.department_id is None:
        reason = NOT_SURE_ENOUGH if best else NO_MATTER_MATCHED
        triaged = demand_transition(
            demand_id=demand.pk,
            action=Action.SEND_TO_TRIAGE,
            actor=None,
            actor_label=SYSTEM,
            reason=reason,
            data={
                "confidence": answer.confidence,
                "threshold": threshold,
                "suggestions": [c.matter_code for c in answer.candidates],
            },
            changes={**located, "list_version": version},
        )
        suggest_duplicates(triaged)
        return triaged
    lead = Department.objects.get(pk=best.department_id)
    assisting = matter_assisting(matter, answer.location.street_id)
    demand = demand_transition(
        demand_id=demand.pk,
        action=Action.AUTO_DISPATCH,
        actor=None,
        actor_label=SYSTEM,
        department=lead,
        reason=best.reason,
        data={
            "matter": matter.code if matter else None,
            "confidence": answer.confidence,
            "threshold": threshold,
            "version": version.number,
            "reasons": best.reasons,  # the reason above as data, read in the reader's language
        },
        changes={**located, "list_version": version, "matter": matter, "lead_department": lead},
    )
    create_assignments(demand=demand, lead=lead, matter=matter, assisting=assisting, actor=None)
    suggest_duplicates(demand)
    return demand
