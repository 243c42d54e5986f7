"""The figures by demand type: counted from the cases and read from the daily figures alike, and a
dispatcher's correction moves a case to its new type at once and in the next build."""

from __future__ import annotations

from datetime import timedelta

import pytest

from assessment import daily
from assessment.rates import Dimension, rate_rows
from config.demo_clock import clock_at
from demands.models import Demand, DemandType
from dispatch.services import demand_set_type
from tests.assessment.test_daily_figures import comparable
from tests.assessment_cases import NOVEMBER, NOW, at, lead, make_demand
from tests.staff import logged_in


def typed(district, demand_type: str, hours: float) -> Demand:
    demand = make_demand(district)
    Demand.objects.filter(pk=demand.pk).update(demand_type=demand_type)
    lead(district, demand=demand, dispatched=at(hours))
    return demand


@pytest.mark.django_db
def test_the_rates_by_type_agree_from_the_cases_and_from_the_table_and_follow_a_correction(district):
    typed(district, DemandType.COMPLAINT, 0)
    typed(district, DemandType.QUESTION, 24)
    unclassified = typed(district, DemandType.UNKNOWN, 48)

    counted = comparable(rate_rows(NOVEMBER, Dimension.DEMAND_TYPE, now=NOW))
    assert {key: row["name"] for key, row in counted.items()} == {"complaint": "投诉", "question": "咨询", "": "未分类"}
    assert {key: row["received"] for key, row in counted.items()} == {"complaint": 1, "question": 1, "": 1}
    with clock_at(NOW):
        daily.refresh()
        assert comparable(rate_rows(NOVEMBER, Dimension.DEMAND_TYPE)) == counted

    later = NOW + timedelta(minutes=10)
    with clock_at(later):
        demand_set_type(demand_id=unclassified.pk, actor=district.users["dispatcher"], demand_type=DemandType.COMPLAINT)
        # The correction touched its day: counted from the cases at once.
        now_read = comparable(rate_rows(NOVEMBER, Dimension.DEMAND_TYPE))
    assert {key: row["received"] for key, row in now_read.items()} == {"complaint": 2, "question": 1}
    with clock_at(later + timedelta(minutes=10)):
        refreshed = daily.refresh()
        assert refreshed is not None and at(48).date() in refreshed.days
        assert daily.split_period(NOVEMBER, later + timedelta(minutes=10))[1] == [NOVEMBER.date_from]
        assert comparable(rate_rows(NOVEMBER, Dimension.DEMAND_TYPE)) == now_read


@pytest.mark.django_db
def test_the_ranking_page_breaks_the_figures_down_by_type(district):
    typed(district, DemandType.REPORT, 0)
    response = logged_in(district.users["auditor"]).get(
        "/audit/ranking/", {"date_from": "2026-11-01", "date_to": "2026-11-30", "by": "demand_type"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "按诉求类型统计" in page and "举报" in page
