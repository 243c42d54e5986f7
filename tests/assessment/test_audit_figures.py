"""The auditor pages' figures: per department and street over a period, per week and month, and the
tables and charts the page shows them in."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

from django.utils import timezone

from assessment.figures import AuditFilters, demand_series, department_rows, department_series, street_rows
from tests.staff import logged_in


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
    # On time over what fell due: CGJ answered one case on time and has one overdue and open.
    assert zjj.on_time_rate == 0.0 and (cgj.due, cgj.on_time_rate) == (2, 0.5)
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
    assert (cgj.received, cgj.answered, cgj.on_time, cgj.overdue) == (3, 1, 1, 1)
    assert sum(b.due for b in cgj.buckets) == 2

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
    # The headline's on-time share counts the overdue open cases beside it: never "100%" next to them.
    headline = page[page.index('id="district-figures"') : page.index('id="routing"')]
    assert re.search(r'<b id="overdue-now">[1-9]', headline)
    assert re.search(r'<b id="on-time">(\d+)%</b>', headline).group(1) != "100"
    assert "坑梓街道" in page and "<rect" in page and "<polyline" in page
    # The period shows in the date inputs, which take ISO dates only.
    assert re.search(r'name="date_from" value="\d{4}-\d{2}-\d{2}"', page), "period start not shown"

    cgj = district.departments["CGJ"]
    filtered = auditor.get("/audit/", {"department": cgj.pk, "street": district.streets["KZJD"].pk})
    html = filtered.content.decode()
    assert f'id="chart-department-{cgj.pk}-h"' in html and f'id="chart-street-{district.streets["KZJD"].pk}-h"' in html
    assert [r.name for r in filtered.context["department_rows"]] == [cgj.name]
    assert [r.name for r in filtered.context["street_rows"]] == ["坑梓街道"]
    assert logged_in(district.users["cgj"]).get("/audit/").status_code == 403


def test_the_audit_and_desk_list_departments_in_the_same_order(district):
    from assessment.forms import AuditFilterForm
    from departments.selectors import departments_for_choice
    from dispatch.forms.desk import DispatchForm

    audit = [d.pk for d in AuditFilterForm().fields["department"].queryset if d.is_active]
    desk = [pk for pk, _ in DispatchForm().fields["department"].choices if pk]
    assert audit == desk == [d.pk for d in departments_for_choice()]
    kinds = [d.kind for d in departments_for_choice()]
    assert kinds.index("street") > kinds.index("functional")  # bureaus first, then street offices
