"""The territory in the figures: each street's table of its communities (passed down, answered,
answered on time, sent up, open and overdue), on the auditors' page and the street's workbench."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from assessment.territory import street_tables
from config.demo_clock import clock_at
from dispatch.services.delegations import delegation_answer, delegation_pass_down, delegation_send_up
from tests.staff import logged_in
from tests.territory import build_territory, case_in_hand

ANSWER = "已到现场核实，社区网格员已协调物业清理，居民表示满意。"


@pytest.fixture
def territory(district):
    return build_territory(district)


def test_each_street_counts_its_communities(submit, district, territory):
    street, liuhe, heping = district.users["psjd"], territory.stations["六和"], territory.stations["和平"]
    cases = [case_in_hand(submit, district) for _ in range(4)]
    passed = [
        delegation_pass_down(assignment_id=case.pk, actor=street, community_id=station.pk)
        for case, station in zip(cases, (liuhe, liuhe, liuhe, heping), strict=True)
    ]
    delegation_answer(delegation_id=passed[0].pk, actor=territory.users["liuhe"], body=ANSWER)
    with clock_at(passed[1].deadline + timedelta(hours=1)):  # answered late
        delegation_answer(delegation_id=passed[1].pk, actor=territory.users["liuhe"], body=ANSWER)
    delegation_send_up(delegation_id=passed[2].pk, actor=territory.users["liuhe"], reason="涉及执法，社区无权处理")
    tables = dict(street_tables())
    rows = {row.community.short_name: row for row in tables[district.departments["PSJD"]]}
    assert (rows["六和社区"].delegated, rows["六和社区"].answered, rows["六和社区"].answered_on_time) == (3, 2, 1)
    assert rows["六和社区"].sent_up == 1 and rows["六和社区"].open_overdue == 0
    assert rows["和平社区"].delegated == 1 and rows["和平社区"].open_overdue == 0
    assert [row.community.short_name for row in tables[district.departments["KZJD"]]] == ["秀新社区"]
    # Open past the community's deadline: overdue now.
    with clock_at(passed[3].deadline + timedelta(minutes=5)):
        later = {row.community.short_name: row for row in dict(street_tables())[district.departments["PSJD"]]}
    assert later["和平社区"].open_overdue == 1
    assert passed[3].deadline > timezone.now()


def test_the_auditors_read_the_page_and_departments_do_not(district, territory):
    page = logged_in(district.users["auditor"]).get("/audit/territory/")
    assert page.status_code == 200 and "六和社区" in page.content.decode()
    assert logged_in(district.users["psjd"]).get("/audit/territory/").status_code == 403
