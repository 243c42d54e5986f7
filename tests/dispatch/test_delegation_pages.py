"""The territory's pages: the street passes its case down from its case page, the community finds it
in its workbench (citizen's phone masked), answers or sends it up, and the street finds the answer
in its reply form; a head gives a case to a handler, who sees it first."""

from __future__ import annotations

import pytest

from demands.workflow import Status
from dispatch.models import Delegation, DelegationStatus
from dispatch.services.delegations import delegation_pass_down, internal_assign
from tests.staff import logged_in
from tests.territory import build_territory, case_in_hand

ANSWER = "已到现场核实，社区网格员已协调物业清理，居民表示满意。"


@pytest.fixture
def territory(district):
    return build_territory(district)


@pytest.fixture
def street_case(submit, district, territory):
    return case_in_hand(submit, district)


def test_street_community_street_through_the_pages(district, territory, street_case):
    street = logged_in(district.users["psjd"])
    page = street.get(f"/workbench/{street_case.pk}/")
    assert "下派社区" in page.content.decode()
    offered = [name for _pk, name in page.context["pass_down_form"].fields["community"].choices]
    assert offered == ["六和社区", "和平社区"]  # the street's own communities only
    response = street.post(
        f"/workbench/{street_case.pk}/delegate/",
        {"community": territory.stations["六和"].pk, "note": "请网格员核实现场"},
        follow=True,
    )
    assert "已下派社区" in response.content.decode()
    delegation = Delegation.objects.get()
    assert delegation.to_department == territory.stations["六和"]

    community = logged_in(territory.users["liuhe"])
    workbench = community.get("/workbench/").content.decode()
    assert "下派给本社区的诉求" in workbench and street_case.demand.tracking_number in workbench
    detail = community.get(f"/workbench/delegated/{delegation.pk}/").content.decode()
    assert "请网格员核实现场" in detail and street_case.demand.content in detail
    assert "13812345678" not in detail  # the phone stays masked
    # The community cannot open the street's own assignment.
    assert community.get(f"/workbench/{street_case.pk}/").status_code == 404
    response = community.post(f"/workbench/delegated/{delegation.pk}/answer/", {"body": ANSWER}, follow=True)
    assert "已答复" in response.content.decode()

    # Back at the street: the notice, and the answer in the reply box.
    assert street_case.demand.tracking_number in street.get("/workbench/").content.decode()
    page = street.get(f"/workbench/{street_case.pk}/")
    assert page.context["reply_form"].initial["body"] == ANSWER
    assert "community-answer" in page.content.decode()
    street.post(f"/workbench/{street_case.pk}/reply/", {"body": ANSWER})
    street_case.demand.refresh_from_db()
    assert street_case.demand.status == Status.REPLIED


def test_the_community_sends_a_case_up_and_others_cannot_open_it(district, territory, street_case):
    delegation = delegation_pass_down(
        assignment_id=street_case.pk, actor=district.users["psjd"], community_id=territory.stations["六和"].pk
    )
    assert logged_in(territory.users["heping"]).get(f"/workbench/delegated/{delegation.pk}/").status_code == 404
    assert logged_in(district.users["zjj"]).get(f"/workbench/delegated/{delegation.pk}/").status_code == 404
    community = logged_in(territory.users["liuhe"])
    community.post(f"/workbench/delegated/{delegation.pk}/send-up/", {"reason": "涉及执法，社区无权处理"})
    delegation.refresh_from_db()
    assert delegation.status == DelegationStatus.SENT_UP
    street = logged_in(district.users["psjd"])
    assert "社区答复与上报" in street.get("/workbench/").content.decode()
    page = street.get(f"/workbench/{street_case.pk}/").content.decode()
    assert "涉及执法" in page and "pass-down-submit" in page  # it may be passed again


def test_the_street_withdraws_and_only_a_street_passes_down(submit, district, territory, street_case):
    delegation = delegation_pass_down(
        assignment_id=street_case.pk, actor=district.users["psjd"], community_id=territory.stations["六和"].pk
    )
    street = logged_in(district.users["psjd"])
    street.post(f"/workbench/{street_case.pk}/delegations/{delegation.pk}/withdraw/", {"reason": ""})
    delegation.refresh_from_db()
    assert delegation.status == DelegationStatus.WITHDRAWN
    bureau_case = case_in_hand(submit, district, "ZJJ", "zjj")
    response = logged_in(district.users["zjj"]).post(
        f"/workbench/{bureau_case.pk}/delegate/", {"community": territory.stations["六和"].pk}
    )
    assert response.status_code == 403


def test_the_streets_workbench_counts_its_communities(district, territory, street_case):
    delegation_pass_down(
        assignment_id=street_case.pk, actor=district.users["psjd"], community_id=territory.stations["六和"].pk
    )
    page = logged_in(district.users["psjd"]).get("/workbench/")
    tables = page.context["street_tables"]
    ((street, rows),) = tables
    assert street == district.departments["PSJD"]
    by_name = {row.community.short_name: row for row in rows}
    assert set(by_name) == {"六和社区", "和平社区"}
    assert by_name["六和社区"].delegated == 1 and by_name["和平社区"].delegated == 0


def test_a_head_assigns_inside_the_bureau_and_the_holder_sees_it_first(submit, district, territory):
    case = case_in_hand(submit, district, "ZJJ", "zjj")
    handler = logged_in(district.users["zjj"])
    assert "assign-internally" not in handler.get(f"/workbench/{case.pk}/").content.decode()
    assert handler.post(f"/workbench/{case.pk}/assign/", {"holder": f"u{district.users['zjj'].pk}"}).status_code == 403
    head = logged_in(territory.users["zjj_head"])
    page = head.get(f"/workbench/{case.pk}/").content.decode()
    assert "assign-internally" in page and "监管科" in page
    head.post(f"/workbench/{case.pk}/assign/", {"holder": f"u{territory.users['zjj_two'].pk}", "note": "请跟进"})
    assert Delegation.objects.get().to_user == territory.users["zjj_two"]
    mine = logged_in(territory.users["zjj_two"]).get("/workbench/").content.decode()
    assert "派给我的" in mine and case.demand.tracking_number in mine
    # To a section: its staff see it passed down to them.
    internal_assign(assignment_id=case.pk, actor=territory.users["zjj_head"], section_id=territory.section.pk)
    assert "派给本科室的诉求" in logged_in(territory.users["jianguan"]).get("/workbench/").content.decode()


def test_the_case_pages_show_the_delegation_and_its_events(district, territory, street_case):
    delegation = delegation_pass_down(
        assignment_id=street_case.pk,
        actor=district.users["psjd"],
        community_id=territory.stations["六和"].pk,
        note="请网格员核实现场",
    )
    desk = logged_in(district.users["dispatcher"]).get(f"/desk/demands/{street_case.demand.tracking_number}/")
    content = desk.content.decode()
    assert 'id="delegations"' in content and delegation.holder_name in content and "下派社区" in content
    street = logged_in(district.users["psjd"]).get(f"/workbench/{street_case.pk}/").content.decode()
    assert f"delegation-{delegation.pk}" in street and "请网格员核实现场" in street


def test_the_communitys_notice_reads_and_opens_the_case_passed_down(district, territory, street_case):
    delegation = delegation_pass_down(
        assignment_id=street_case.pk, actor=district.users["psjd"], community_id=territory.stations["六和"].pk
    )
    page = logged_in(territory.users["liuhe"]).get("/notifications/").content.decode()
    assert "街道下派" in page and street_case.demand.title in page
    assert f"/workbench/delegated/{delegation.pk}/" in page
    assert "不再显示详情" not in page
