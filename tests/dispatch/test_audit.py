"""The auditor pages: figures per department and street over a period, and the charts."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from demands.services import demand_rate
from dispatch.audit_figures import AuditFilters, demand_series, department_rows, department_series, street_rows
from dispatch.models import Assignment, AssignmentRole
from dispatch.services import assignment_contribute, assignment_reply, assignment_return, assignment_sign, return_rule

STALL = {"title": "路边有流动摊贩占道经营", "content": "坪山大道上每天傍晚都有小贩摆摊占道经营"}
REPLY = "已处理完毕并回访群众，群众认可。"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def lead(demand) -> Assignment:
    return Assignment.objects.filter(demand=demand, role=AssignmentRole.LEAD).latest("dispatched_at")


@pytest.fixture
def scenario(district, submit):
    """Four demands:
    - answered: stall in 坪山街道, CGJ answers on time, the citizen rates it 4;
    - returned: stall in 坑梓街道, CGJ returns it, the return is upheld, KZJD (second dispatch) has it open;
    - overdue: stall in 坪山街道, open at CGJ past its deadline;
    - late: noise in 坪山街道, ZJJ leads with SHJ assisting, answered after its deadline."""
    users = district.users
    answered = submit(**STALL).demand
    assignment_sign(assignment_id=lead(answered).pk, actor=users["cgj"])
    assignment_reply(assignment_id=lead(answered).pk, actor=users["cgj"], body=REPLY)
    demand_rate(demand=answered, rating=4)

    returned = submit(**STALL, location_text="坑梓街道秀新村").demand
    request = assignment_return(
        assignment_id=lead(returned).pk, actor=users["cgj"], reason_code="wrong_territory", reason="属于街道管理范围"
    )
    return_rule(
        return_id=request.pk, actor=users["dispatcher"], uphold=True, department_id=district.departments["KZJD"].pk,
        note="街道负责",
    )  # fmt: skip

    overdue = submit(**STALL).demand
    Assignment.objects.filter(pk=lead(overdue).pk).update(handle_deadline=timezone.now() - timedelta(hours=1))

    late = submit().demand
    zjj_lead = lead(late)
    assignment_sign(assignment_id=zjj_lead.pk, actor=users["zjj"])
    assist = Assignment.objects.get(demand=late, role=AssignmentRole.ASSIST)
    assignment_contribute(assignment_id=assist.pk, actor=users["shj"], body="夜间噪声监测结果超标。")
    Assignment.objects.filter(pk=zjj_lead.pk).update(handle_deadline=timezone.now() - timedelta(minutes=5))
    assignment_reply(assignment_id=zjj_lead.pk, actor=users["zjj"], body=REPLY)
    return {"answered": answered, "returned": returned, "overdue": overdue, "late": late}


def _table(rows) -> dict[str, tuple]:
    return {
        r.name: (r.received, r.open, r.answered, r.on_time, r.overdue, r.returns, r.rating)
        for r in rows
    }  # fmt: skip


def test_figures_per_department(district, scenario):
    rows = {r.name: r for r in department_rows(AuditFilters.default())}
    cgj, kzjd, zjj, shj = (rows[district.departments[code].name] for code in ("CGJ", "KZJD", "ZJJ", "SHJ"))
    # received, open, answered, on time, overdue now, returns, rating
    assert _table([cgj])[cgj.name] == (3, 1, 1, 1, 1, 1, 4.0)
    assert (cgj.upheld, cgj.redispatched) == (1, 0)
    assert _table([kzjd])[kzjd.name] == (1, 1, 0, 0, 0, 0, None)
    assert kzjd.redispatched == 1
    assert _table([zjj])[zjj.name] == (1, 0, 1, 0, 0, 0, None)
    assert zjj.on_time_rate == 0.0 and cgj.on_time_rate == 1.0
    assert (shj.received, shj.assists) == (0, 1)

    only_zjj = department_rows(replace(AuditFilters.default(), department_ids=(district.departments["ZJJ"].pk,)))
    assert [r.name for r in only_zjj] == [zjj.name]


def test_figures_per_street(district, scenario):
    rows = _table(street_rows(AuditFilters.default()))
    assert rows["坪山街道"] == (3, 1, 2, 1, 1, 0, 4.0)
    assert rows["坑梓街道"] == (1, 1, 0, 0, 0, 1, None)


def test_a_period_before_the_demands_has_no_figures(district, scenario):
    today = timezone.localdate()
    past = AuditFilters(date_from=today - timedelta(days=30), date_to=today - timedelta(days=1))
    assert department_rows(past) == [] and street_rows(past) == []


def test_series_per_week_and_per_month(district, scenario):
    filters = AuditFilters.default()
    district_series = demand_series(filters, title="全区")
    assert not district_series.monthly and len(district_series.buckets) in (13, 14)
    this_week = district_series.buckets[-1]
    assert (this_week.received, this_week.answered, this_week.on_time) == (4, 2, 1)
    assert sum(b.received for b in district_series.buckets[:-1]) == 0

    cgj = department_series(filters, title="城管", department_id=district.departments["CGJ"].pk)
    assert (cgj.received, cgj.answered, cgj.on_time) == (3, 1, 1)

    today = timezone.localdate()
    year = AuditFilters(date_from=today - timedelta(days=364), date_to=today)
    monthly = demand_series(year, title="全区")
    assert monthly.monthly and len(monthly.buckets) in (12, 13)
    assert monthly.buckets[-1].received == 4 and monthly.received == 4


def test_audit_page_shows_tables_and_accessible_charts(district, scenario):
    auditor = logged_in(district.users["auditor"])
    page = auditor.get("/audit/").content.decode()
    assert 'role="img"' in page and '<title id="chart-district-vt">' in page and "<desc" in page
    assert 'id="by-department"' in page and 'id="by-street"' in page
    assert "坑梓街道" in page and "<rect" in page and "<polyline" in page

    cgj = district.departments["CGJ"]
    filtered = auditor.get("/audit/", {"department": cgj.pk, "street": district.streets["KZJD"].pk})
    html = filtered.content.decode()
    assert f'id="chart-department-{cgj.pk}-h"' in html and f'id="chart-street-{district.streets["KZJD"].pk}-h"' in html
    assert [r.name for r in filtered.context["department_rows"]] == [cgj.name]
    assert [r.name for r in filtered.context["street_rows"]] == ["坑梓街道"]
    assert logged_in(district.users["cgj"]).get("/audit/").status_code == 403
