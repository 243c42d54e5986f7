"""Callback visits (回访) on hand-built cases: made when an answer goes out, recorded by the callback
officer (attempts, not reachable, reached), answered by the citizen's own stars, cancelled when the
answer is superseded, reopening from a call, sampling, and the reconciler."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from assessment.models import CallbackVisit, Resolution, Satisfaction, VisitStatus
from assessment.visit_calls import CallOutcome, visit_record
from assessment.visits import is_sampled, satisfaction_of_stars, visit_schedule, visits_reconcile
from config.errors import IllegalTransition, NotAllowed, ValidationFailed
from demands.models import Demand, DemandEvent
from demands.services import demand_rate
from demands.workflow import Action, Status
from departments.models import Role
from departments.working_time import current_clock
from dispatch.services import demand_reopen
from tests.citizens import STALL
from tests.factories import make_user
from tests.staff import answered

REACHED = CallOutcome(
    reached=True, contacted_in_time=True, resolution=Resolution.SOLVED, satisfaction=Satisfaction.SATISFIED
)
UNSATISFIED = CallOutcome(
    reached=True,
    contacted_in_time=False,
    resolution=Resolution.UNSOLVED,
    satisfaction=Satisfaction.UNSATISFIED,
    notes="群众说摊贩第二天又来了",
    reopen=True,
    reopen_reason="摊贩第二天又来了，问题没有解决",
)


@pytest.fixture
def officer(district):
    return make_user("callback", Role.CALLBACK_OFFICER, district.departments["ZXZX"])


@pytest.fixture
def answer(district, submit, django_capture_on_commit_callbacks):
    """A stall case answered by 城管局, with what the answer queues run as on commit."""

    def _answer(demand: Demand | None = None, *, lost: bool = False) -> Demand:
        demand = demand or submit(**STALL).demand
        if lost:  # the broker was away: the message to make the visit never arrived
            return answered(district, demand, by="cgj")
        with django_capture_on_commit_callbacks(execute=True):
            return answered(district, demand, by="cgj")

    return _answer


def test_an_answer_gets_one_visit_due_some_working_days_later(district, answer, settings):
    settings.VISIT_WITHIN_WORKING_DAYS = 2
    demand = answer()
    visit = CallbackVisit.objects.get(demand=demand)
    assert (visit.status, visit.answer_round, visit.department) == (VisitStatus.DUE, 0, district.departments["CGJ"])
    assert visit.answered_at == demand.replied_at
    assert visit.due_at == current_clock().add_working_days(demand.replied_at, 2)
    assert visit_schedule(demand_id=demand.pk) == visit  # queued twice, made once
    assert CallbackVisit.objects.filter(demand=demand).count() == 1


def test_three_calls_not_answered_make_the_visit_unreachable_each_call_in_the_audit_trail(answer, officer):
    visit = CallbackVisit.objects.get(demand=answer())
    for attempt in (1, 2):
        visit = visit_record(visit_id=visit.pk, actor=officer, outcome=CallOutcome(reached=False, notes="无人接听"))
        assert (visit.status, visit.attempts) == (VisitStatus.DUE, attempt)
    visit = visit_record(visit_id=visit.pk, actor=officer, outcome=CallOutcome(reached=False))
    assert (visit.status, visit.attempts) == (VisitStatus.UNREACHABLE, 3) and visit.finished_at
    events = DemandEvent.objects.filter(demand=visit.demand, action=Action.VISIT).order_by("pk")
    assert [e.data["attempt"] for e in events] == [1, 2, 3] and events.last().data["unreachable"]
    assert not any(e.is_public for e in events) and events.first().actor == officer
    with pytest.raises(IllegalTransition, match="无法联系"):
        visit_record(visit_id=visit.pk, actor=officer, outcome=CallOutcome(reached=False))


def test_a_reached_citizen_s_answers_are_recorded(answer, officer):
    demand = answer()
    visit = visit_record(visit_id=CallbackVisit.objects.get(demand=demand).pk, actor=officer, outcome=REACHED)
    visit.refresh_from_db()
    assert (visit.status, visit.contacted_in_time, visit.resolution, visit.satisfaction, visit.attempts) == (
        VisitStatus.DONE, True, Resolution.SOLVED, Satisfaction.SATISFIED, 1
    )  # fmt: skip
    assert visit.visited_by == officer and visit.is_answered
    event = DemandEvent.objects.get(demand=demand, action=Action.VISIT)
    assert event.data["satisfaction"] == "satisfied" and event.from_status == event.to_status == Status.REPLIED


def test_only_a_callback_officer_records_and_a_reached_call_needs_every_answer(district, answer, officer):
    visit = CallbackVisit.objects.get(demand=answer())
    with pytest.raises(NotAllowed):
        visit_record(visit_id=visit.pk, actor=district.users["dispatcher"], outcome=REACHED)
    with pytest.raises(ValidationFailed) as error:
        visit_record(visit_id=visit.pk, actor=officer, outcome=CallOutcome(reached=True, contacted_in_time=True))
    assert set(error.value.extra["fields"]) == {"resolution", "satisfaction"}
    with pytest.raises(ValidationFailed, match="不满意"):
        visit_record(visit_id=visit.pk, actor=officer, outcome=CallOutcome(**{**REACHED.__dict__, "reopen": True}))
    visit.refresh_from_db()
    assert (visit.status, visit.attempts) == (VisitStatus.DUE, 0)


@pytest.mark.parametrize(
    ("stars", "satisfaction"),
    [(5, "satisfied"), (4, "satisfied"), (3, "basically"), (2, "unsatisfied"), (1, "unsatisfied")],
)
def test_stars_read_as_satisfaction(stars, satisfaction):
    assert satisfaction_of_stars(stars) == satisfaction


def test_the_citizen_s_own_rating_answers_the_visit(answer, django_capture_on_commit_callbacks):
    demand = answer()
    with django_capture_on_commit_callbacks(execute=True):
        demand_rate(demand=demand, rating=3)
    visit = CallbackVisit.objects.get(demand=demand)
    assert (visit.status, visit.satisfaction) == (VisitStatus.CITIZEN_RATED, Satisfaction.BASICALLY)
    assert visit.is_answered


def test_a_visit_done_before_the_rating_keeps_the_officer_s_answers(
    answer, officer, django_capture_on_commit_callbacks
):
    demand = answer()
    visit_record(visit_id=CallbackVisit.objects.get(demand=demand).pk, actor=officer, outcome=REACHED)
    with django_capture_on_commit_callbacks(execute=True):
        demand_rate(demand=demand, rating=1)
    visit = CallbackVisit.objects.get(demand=demand)
    assert (visit.status, visit.satisfaction) == (VisitStatus.DONE, Satisfaction.SATISFIED)


def test_a_reopened_answer_s_visit_is_cancelled_and_the_next_answer_gets_its_own(
    answer, django_capture_on_commit_callbacks
):
    demand = answer()
    with django_capture_on_commit_callbacks(execute=True):
        demand_reopen(demand=demand, reason="摊贩还在，没有解决")
    first = CallbackVisit.objects.get(demand=demand, answer_round=0)
    assert first.status == VisitStatus.CANCELLED and not first.is_answered
    answer(demand)
    second = CallbackVisit.objects.get(demand=demand, answer_round=1)
    assert second.status == VisitStatus.DUE


def test_stars_given_with_a_reopening_answer_the_visit_of_the_answer_sent_back(
    answer, django_capture_on_commit_callbacks
):
    demand = answer()
    with django_capture_on_commit_callbacks(execute=True):
        demand_reopen(demand=demand, reason="摊贩还在，没有解决", rating=2)
    visit = CallbackVisit.objects.get(demand=demand, answer_round=0)
    assert (visit.status, visit.satisfaction) == (VisitStatus.CITIZEN_RATED, Satisfaction.UNSATISFIED)


def test_an_unsatisfied_citizen_s_case_is_reopened_from_the_call_once(
    district, answer, officer, django_capture_on_commit_callbacks
):
    demand = answer()
    with django_capture_on_commit_callbacks(execute=True):
        visit_record(visit_id=CallbackVisit.objects.get(demand=demand).pk, actor=officer, outcome=UNSATISFIED)
    demand.refresh_from_db()
    assert (demand.status, demand.reopen_count) == (Status.REOPENED, 1)
    reopening = DemandEvent.objects.get(demand=demand, action=Action.REOPEN)
    assert reopening.actor == officer and reopening.reason == UNSATISFIED.reopen_reason
    assert CallbackVisit.objects.get(demand=demand, answer_round=0).status == VisitStatus.DONE  # the call stands

    answer(demand)
    second = CallbackVisit.objects.get(demand=demand, answer_round=1)
    with pytest.raises(IllegalTransition, match="已重办过"):
        visit_record(visit_id=second.pk, actor=officer, outcome=UNSATISFIED)
    second.refresh_from_db()
    assert (second.status, second.attempts) == (VisitStatus.DUE, 0)  # nothing written
    assert not DemandEvent.objects.filter(demand=demand, action=Action.VISIT, data__visit=second.pk).exists()


def test_reopening_from_the_call_is_refused_once_the_citizen_rated(answer, officer):
    demand = answer()
    visit = CallbackVisit.objects.get(demand=demand)
    demand_rate(demand=demand, rating=2)  # its message is still on the way: the visit is due
    with pytest.raises(IllegalTransition, match="已办结"):
        visit_record(visit_id=visit.pk, actor=officer, outcome=UNSATISFIED)


def test_a_call_about_a_superseded_answer_cancels_the_visit(answer, officer):
    demand = answer()
    visit = CallbackVisit.objects.get(demand=demand)
    demand_reopen(demand=demand, reason="摊贩还在，没有解决")  # its cancellation is still on the way
    with pytest.raises(IllegalTransition, match="已取消"):
        visit_record(visit_id=visit.pk, actor=officer, outcome=REACHED)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CANCELLED and visit.attempts == 0


def test_sampling_is_deterministic_and_keeps_a_minimum_per_department(district, answer, settings):
    settings.VISIT_SAMPLE = "0.000001"  # next to nothing: what is visited is the minimum
    settings.VISIT_SAMPLE_MINIMUM = 2
    demands = [answer() for _ in range(3)]
    assert [CallbackVisit.objects.filter(demand=d).exists() for d in demands] == [True, True, False]
    third = demands[2]
    reply = third.replies.get()
    assert is_sampled(demand=third, answer_round=0, reply=reply) is False
    settings.VISIT_SAMPLE = "1"
    assert is_sampled(demand=third, answer_round=0, reply=reply) is True
    settings.VISIT_SAMPLE_MINIMUM = 0
    settings.VISIT_SAMPLE = "0.5"
    first = is_sampled(demand=third, answer_round=0, reply=reply)
    assert all(is_sampled(demand=third, answer_round=0, reply=reply) == first for _ in range(3))
    settings.VISIT_SAMPLE = "most"
    with pytest.raises(ImproperlyConfigured):
        is_sampled(demand=third, answer_round=0, reply=reply)


def test_the_reconciler_makes_lost_visits_counts_ratings_and_cancels_superseded_ones(answer):
    lost = answer(lost=True)
    rated = answer(lost=True)
    reopened = answer()
    pending = answer()
    assert not CallbackVisit.objects.filter(demand__in=[lost, rated]).exists()
    Demand.objects.filter(pk__in=[lost.pk, rated.pk]).update(replied_at=timezone.now() - timedelta(minutes=10))
    demand_rate(demand=rated, rating=5)  # this message was lost too
    demand_reopen(demand=reopened, reason="摊贩还在，没有解决")  # and this one
    demand_rate(demand=pending, rating=4)  # and this one
    assert visits_reconcile() == {"created": 2, "rated": 1, "cancelled": 1}
    assert CallbackVisit.objects.get(demand=pending).satisfaction == Satisfaction.SATISFIED
    assert CallbackVisit.objects.get(demand=lost).status == VisitStatus.DUE
    assert CallbackVisit.objects.get(demand=rated).status == VisitStatus.CITIZEN_RATED
    assert CallbackVisit.objects.get(demand=reopened).status == VisitStatus.CANCELLED
    assert visits_reconcile() == {"created": 0, "rated": 0, "cancelled": 0}
