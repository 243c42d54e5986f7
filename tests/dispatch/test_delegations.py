"""Down and up the territory: a street office passes a case it holds to one of its communities
(下派) with a deadline inside its own; the community answers the street or sends it back up (上报);
the street's own clock keeps running and the street answers the citizen. And inside a bureau: its
head gives a case to one of its handlers or sections (内部派单)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from config.errors import IllegalTransition, NotAllowed, ValidationFailed
from demands.models import DemandEvent
from demands.workflow import Action, Status
from departments.working_time import current_clock
from dispatch.models import AssignmentStatus, DelegationKind, DelegationStatus, Notification
from dispatch.services import assignment_reply
from dispatch.services.delegations import (
    delegation_answer,
    delegation_pass_down,
    delegation_send_up,
    delegation_withdraw,
    internal_assign,
    latest_answer,
)
from tests.territory import build_territory, case_in_hand

ANSWER = "已到现场核实，社区网格员已协调物业清理，居民表示满意。"


@pytest.fixture
def territory(district):
    return build_territory(district)


@pytest.fixture
def street_case(submit, district, territory):
    return case_in_hand(submit, district)


def test_a_street_passes_its_case_to_its_community_with_a_deadline_a_working_day_before_its_own(
    district, territory, street_case
):
    before = street_case.handle_deadline
    delegation = delegation_pass_down(
        assignment_id=street_case.pk,
        actor=district.users["psjd"],
        community_id=territory.stations["六和"].pk,
        note="请社区网格员到现场核实",
    )
    assert delegation.kind == DelegationKind.DOWN and delegation.status == DelegationStatus.OPEN
    clock = current_clock()
    # One working day before the street's own deadline (computed in working time).
    assert abs(clock.working_hours_between(delegation.deadline, before) - clock.hours_per_day) < 0.01
    assert delegation.deadline < before
    event = DemandEvent.objects.get(demand=street_case.demand, action=Action.DELEGATE)
    assert event.department == district.departments["PSJD"] and event.reason == "请社区网格员到现场核实"
    assert not event.is_public and event.data["delegation"] == delegation.pk
    assert Notification.objects.filter(user=territory.users["liuhe"], kind=Action.DELEGATE).exists()
    # The street's clock is unaffected: its assignment stays in hand with its own deadline.
    street_case.refresh_from_db()
    assert street_case.status == AssignmentStatus.SIGNED and street_case.handle_deadline == before
    assert street_case.paused_since is None


def test_the_deadline_must_lie_inside_the_streets_own(district, territory, street_case):
    own = timezone.localdate(street_case.handle_deadline)
    with pytest.raises(ValidationFailed, match="办理期限"):
        delegation_pass_down(
            assignment_id=street_case.pk,
            actor=district.users["psjd"],
            community_id=territory.stations["六和"].pk,
            respond_by=own + timedelta(days=1),
        )
    # The street's own last day is allowed, capped at the street's own deadline.
    delegation = delegation_pass_down(
        assignment_id=street_case.pk,
        actor=district.users["psjd"],
        community_id=territory.stations["六和"].pk,
        respond_by=own,
    )
    assert delegation.deadline <= street_case.handle_deadline


def test_only_the_streets_own_communities(district, territory, street_case):
    with pytest.raises(ValidationFailed, match="本街道的社区"):
        delegation_pass_down(
            assignment_id=street_case.pk, actor=district.users["psjd"], community_id=territory.stations["秀新"].pk
        )
    with pytest.raises(ValidationFailed, match="本街道的社区"):
        delegation_pass_down(
            assignment_id=street_case.pk, actor=district.users["psjd"], community_id=district.departments["ZJJ"].pk
        )


def test_only_the_streets_staff_pass_down_and_only_a_street(submit, district, territory, street_case):
    for outsider in (district.users["kzjd"], territory.users["liuhe"], district.users["dispatcher"]):
        with pytest.raises(NotAllowed):
            delegation_pass_down(
                assignment_id=street_case.pk, actor=outsider, community_id=territory.stations["六和"].pk
            )
    # The street's head may, as its handlers may.
    delegation_pass_down(
        assignment_id=street_case.pk, actor=territory.users["psjd_head"], community_id=territory.stations["和平"].pk
    )
    bureau_case = case_in_hand(submit, district, "ZJJ", "zjj")
    with pytest.raises(NotAllowed, match="街道办事处"):
        delegation_pass_down(
            assignment_id=bureau_case.pk, actor=district.users["zjj"], community_id=territory.stations["六和"].pk
        )


def test_only_the_communitys_staff_answer_and_the_answer_goes_to_the_street(district, territory, street_case):
    delegation = delegation_pass_down(
        assignment_id=street_case.pk, actor=district.users["psjd"], community_id=territory.stations["六和"].pk
    )
    for outsider in (territory.users["heping"], district.users["psjd"], district.users["kzjd"]):
        with pytest.raises(NotAllowed):
            delegation_answer(delegation_id=delegation.pk, actor=outsider, body=ANSWER)
    with pytest.raises(ValidationFailed):
        delegation_answer(delegation_id=delegation.pk, actor=territory.users["liuhe"], body="好")
    delegation = delegation_answer(delegation_id=delegation.pk, actor=territory.users["liuhe"], body=ANSWER)
    assert delegation.status == DelegationStatus.ANSWERED and delegation.answer == ANSWER
    assert delegation.answered_on_time
    event = DemandEvent.objects.get(demand=street_case.demand, action=Action.DELEGATION_ANSWER)
    assert event.department == territory.stations["六和"] and event.data["late"] is False
    notice = Notification.objects.get(user=district.users["psjd"], kind=Action.DELEGATION_ANSWER)
    assert ANSWER in notice.message
    assert latest_answer(street_case) == delegation
    # Answered once: no second answer nor a send-up.
    with pytest.raises(IllegalTransition):
        delegation_send_up(delegation_id=delegation.pk, actor=territory.users["liuhe"], reason="无法解决此事")
    # The street replies to the citizen with the existing service; the demand is answered.
    demand = assignment_reply(assignment_id=street_case.pk, actor=district.users["psjd"], body=ANSWER)
    assert demand.status == Status.REPLIED
    assert demand.replies.get().department == district.departments["PSJD"]


def test_a_case_sent_up_returns_to_the_street_which_may_pass_it_again(district, territory, street_case):
    first = delegation_pass_down(
        assignment_id=street_case.pk, actor=district.users["psjd"], community_id=territory.stations["六和"].pk
    )
    with pytest.raises(IllegalTransition, match="已下派"):
        delegation_pass_down(
            assignment_id=street_case.pk, actor=district.users["psjd"], community_id=territory.stations["和平"].pk
        )
    with pytest.raises(ValidationFailed):
        delegation_send_up(delegation_id=first.pk, actor=territory.users["liuhe"], reason="")
    first = delegation_send_up(delegation_id=first.pk, actor=territory.users["liuhe"], reason="涉及执法，社区无权处理")
    assert first.status == DelegationStatus.SENT_UP and first.reason == "涉及执法，社区无权处理"
    assert DemandEvent.objects.filter(demand=street_case.demand, action=Action.SEND_UP).count() == 1
    assert "涉及执法" in Notification.objects.get(user=district.users["psjd"], kind=Action.SEND_UP).message
    street_case.refresh_from_db()
    assert street_case.status == AssignmentStatus.SIGNED  # back with the street, still in hand
    second = delegation_pass_down(
        assignment_id=street_case.pk, actor=district.users["psjd"], community_id=territory.stations["和平"].pk
    )
    assert second.status == DelegationStatus.OPEN


def test_the_street_withdraws_an_open_delegation(district, territory, street_case):
    delegation = delegation_pass_down(
        assignment_id=street_case.pk, actor=district.users["psjd"], community_id=territory.stations["六和"].pk
    )
    with pytest.raises(NotAllowed):
        delegation_withdraw(delegation_id=delegation.pk, actor=territory.users["liuhe"])
    delegation = delegation_withdraw(delegation_id=delegation.pk, actor=district.users["psjd"], reason="街道自行处理")
    assert delegation.status == DelegationStatus.WITHDRAWN
    assert Notification.objects.filter(user=territory.users["liuhe"], kind=Action.WITHDRAW_DELEGATION).exists()
    with pytest.raises(IllegalTransition):
        delegation_answer(delegation_id=delegation.pk, actor=territory.users["liuhe"], body=ANSWER)


def test_the_streets_reply_ends_an_open_delegation(district, territory, street_case):
    delegation = delegation_pass_down(
        assignment_id=street_case.pk, actor=district.users["psjd"], community_id=territory.stations["六和"].pk
    )
    assignment_reply(assignment_id=street_case.pk, actor=district.users["psjd"], body=ANSWER)
    delegation.refresh_from_db()
    assert delegation.status == DelegationStatus.WITHDRAWN
    with pytest.raises(IllegalTransition):
        delegation_answer(delegation_id=delegation.pk, actor=territory.users["liuhe"], body=ANSWER)


def test_an_unsigned_or_overdue_case_is_not_passed_down(submit, district, territory, street_case):
    street_case.handle_deadline = timezone.now() - timedelta(hours=1)
    street_case.save(update_fields=["handle_deadline"])
    with pytest.raises(IllegalTransition, match="已过"):
        delegation_pass_down(
            assignment_id=street_case.pk, actor=district.users["psjd"], community_id=territory.stations["六和"].pk
        )


def test_a_bureau_head_gives_a_case_to_a_handler_or_a_section(submit, district, territory):
    case = case_in_hand(submit, district, "ZJJ", "zjj")
    head = territory.users["zjj_head"]
    with pytest.raises(NotAllowed, match="负责人"):
        internal_assign(assignment_id=case.pk, actor=district.users["zjj"], user_id=territory.users["zjj_two"].pk)
    with pytest.raises(ValidationFailed, match="本部门的承办人"):
        internal_assign(assignment_id=case.pk, actor=head, user_id=district.users["cgj"].pk)
    with pytest.raises(ValidationFailed, match="本部门的科室"):
        internal_assign(assignment_id=case.pk, actor=head, section_id=territory.stations["六和"].pk)
    first = internal_assign(assignment_id=case.pk, actor=head, user_id=territory.users["zjj_two"].pk, note="你来办")
    assert first.kind == DelegationKind.INTERNAL and first.to_user == territory.users["zjj_two"]
    assert first.deadline == case.handle_deadline
    assert Notification.objects.filter(user=territory.users["zjj_two"], kind=Action.INTERNAL_ASSIGN).exists()
    # A new holder replaces the one before.
    second = internal_assign(assignment_id=case.pk, actor=head, section_id=territory.section.pk)
    first.refresh_from_db()
    assert first.status == DelegationStatus.WITHDRAWN and second.status == DelegationStatus.OPEN
    assert DemandEvent.objects.filter(demand=case.demand, action=Action.INTERNAL_ASSIGN).count() == 2
    # The section answers the bureau, as a community answers its street.
    delegation_answer(delegation_id=second.pk, actor=territory.users["jianguan"], body=ANSWER)
    second.refresh_from_db()
    assert second.status == DelegationStatus.ANSWERED
    # A head of another bureau may not.
    with pytest.raises(NotAllowed):
        internal_assign(assignment_id=case.pk, actor=territory.users["psjd_head"], user_id=district.users["zjj"].pk)
