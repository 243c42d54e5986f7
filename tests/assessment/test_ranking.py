"""The composite score and the rankings: the weights in force applied, ranks within each department
type, departments below the minimum listed but not ranked, the change since the previous period;
the page and the API showing the same rows."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from assessment.figures import AuditFilters
from assessment.models import ScoreWeights, active_weights
from assessment.ranking import composite_score, previous_period, ranking
from assessment.rates import DepartmentType, RateRow
from tests.assessment_cases import NOVEMBER, NOW, TZ, lead, visit
from tests.staff import logged_in

OCTOBER_5 = datetime(2026, 10, 5, 9, tzinfo=TZ)  # a Monday of the previous period


def cases(district, code: str, n: int, *, satisfied: int, dispatched: datetime | None = None) -> None:
    """`n` cases answered by `code`, signed in time, solved; `satisfied` of them satisfied."""
    for i in range(n):
        extra = {"dispatched": dispatched} if dispatched else {}
        visit(
            lead(district, code, **extra),
            contacted_in_time=True,
            resolution="solved",
            satisfaction="satisfied" if i < satisfied else "unsatisfied",
        )


def table(result, department_type: str):
    return next(t for t in result.tables if t.department_type == department_type)


@pytest.mark.django_db
def test_the_sample_weights_are_10_45_45_and_in_force():
    weights = active_weights()
    assert (weights.response_weight, weights.resolution_weight, weights.satisfaction_weight) == (10, 45, 45)
    assert weights.pk is not None and weights.minimum_cases == 5


def test_the_score_weighs_the_three_rates():
    row = RateRow(key=1, name="x", response_known=4, responded=2, resolution_known=2, solved=2)
    row.satisfaction_known, row.satisfied = 4, 1
    weights = ScoreWeights(response_weight=10, resolution_weight=45, satisfaction_weight=45)
    # (10 × 0.5 + 45 × 1 + 45 × 0.25) ÷ 100 × 100
    assert composite_score(row, weights) == pytest.approx(61.25)
    weights.response_weight, weights.resolution_weight, weights.satisfaction_weight = 1, 0, 1
    assert composite_score(row, weights) == pytest.approx(37.5)
    assert composite_score(RateRow(key=2, name="no visits", response_known=1, responded=1), weights) is None


@pytest.mark.django_db
def test_ranks_are_within_each_department_type_and_a_small_department_is_listed_unranked(district):
    cases(district, "CGJ", 5, satisfied=5)
    cases(district, "ZJJ", 5, satisfied=3)
    cases(district, "SHJ", 2, satisfied=2)  # perfect, but below the minimum of five
    cases(district, "PSJD", 5, satisfied=1)

    result = ranking(NOVEMBER, now=NOW)
    bureaus = table(result, DepartmentType.BUREAU).rows
    assert [(r.figures.name, r.rank, r.ranked) for r in bureaus] == [
        ("坪山区城市管理和综合执法局", 1, True),
        ("坪山区住房和建设局", 2, True),
        ("深圳市生态环境局坪山管理局", None, False),
    ]
    assert bureaus[0].score == pytest.approx(100)
    assert bureaus[1].score == pytest.approx(10 + 45 + 45 * 3 / 5)
    assert bureaus[2].score == pytest.approx(100)  # scored, shown, not ranked
    # The street office is first among the 块, whatever its score beside the bureaus.
    territory = table(result, DepartmentType.TERRITORY).rows
    assert [(r.figures.name, r.rank) for r in territory] == [("坪山区坪山街道办事处", 1)]
    assert table(result, DepartmentType.UTILITY).rows == []


@pytest.mark.django_db
def test_equal_scores_share_a_rank_and_the_minimum_comes_from_the_weights(district):
    ScoreWeights.objects.update(is_active=False)
    ScoreWeights.objects.create(
        name="平均", response_weight=1, resolution_weight=1, satisfaction_weight=1, minimum_cases=2, is_active=True
    )
    cases(district, "CGJ", 2, satisfied=2)
    cases(district, "ZJJ", 2, satisfied=2)
    cases(district, "SHJ", 2, satisfied=1)

    result = ranking(NOVEMBER, now=NOW)
    assert result.weights.name == "平均"
    assert [r.rank for r in table(result, DepartmentType.BUREAU).rows] == [1, 1, 3]
    assert table(result, DepartmentType.BUREAU).rows[2].score == pytest.approx((1 + 1 + 0.5) / 3 * 100)


@pytest.mark.django_db
def test_a_month_is_compared_with_the_month_before_and_other_periods_with_the_same_length(district):
    assert previous_period(NOVEMBER) == AuditFilters(date_from=date(2026, 10, 1), date_to=date(2026, 10, 31))
    march = AuditFilters(date_from=date(2027, 3, 1), date_to=date(2027, 3, 31))
    assert previous_period(march) == AuditFilters(date_from=date(2027, 2, 1), date_to=date(2027, 2, 28))
    weeks = AuditFilters(date_from=date(2026, 11, 9), date_to=date(2026, 11, 22))
    assert previous_period(weeks) == AuditFilters(date_from=date(2026, 10, 26), date_to=date(2026, 11, 8))
    part_of_a_month = AuditFilters(date_from=date(2026, 11, 1), date_to=date(2026, 11, 29))
    assert previous_period(part_of_a_month).date_from == date(2026, 10, 3)
    cases(district, "CGJ", 5, satisfied=1, dispatched=OCTOBER_5)
    cases(district, "ZJJ", 5, satisfied=5, dispatched=OCTOBER_5)
    cases(district, "CGJ", 5, satisfied=5)
    cases(district, "ZJJ", 5, satisfied=3)

    cgj, zjj = table(ranking(NOVEMBER, now=NOW), DepartmentType.BUREAU).rows
    assert (cgj.figures.name, cgj.rank, cgj.previous_rank) == ("坪山区城市管理和综合执法局", 1, 2)
    assert cgj.score_change == pytest.approx(45 * 4 / 5)
    assert (zjj.rank, zjj.previous_rank) == (2, 1)
    assert zjj.score_change == pytest.approx(-45 * 2 / 5)


@pytest.mark.django_db
def test_the_page_shows_the_rankings_the_weights_and_every_definition(district):
    cases(district, "CGJ", 5, satisfied=4)
    response = logged_in(district.users["auditor"]).get(
        "/audit/ranking/", {"date_from": "2026-11-01", "date_to": "2026-11-30", "by": "street"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="ranking-bureau"' in page and "坪山区城市管理和综合执法局" in page
    assert "响应率 × 10 + 解决率 × 45 + 满意率 × 45" in page
    assert "2026-10-01" in page  # the previous month named
    for key in ("response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate", "working_time", "excluded"):
        assert f'id="definition-{key}"' in page
    assert "按街道统计" in page and "坪山街道" in page
    assert "91.0" in page  # 10 + 45 + 45 × 4/5: the score with one decimal


@pytest.mark.django_db
def test_the_page_refuses_a_bad_period_with_its_message_and_is_linked_from_the_audit_page(district):
    auditor = logged_in(district.users["auditor"])
    response = auditor.get("/audit/ranking/", {"date_from": "2026-11-30", "date_to": "2026-11-01"})
    assert response.status_code == 400
    assert "开始日期不能晚于结束日期" in response.content.decode()
    assert "/audit/ranking/" in auditor.get("/audit/").content.decode()
    assert logged_in(district.users["cgj"]).get("/audit/ranking/").status_code == 403


@pytest.mark.django_db
def test_the_api_returns_the_same_rows_with_the_weights(district):
    cases(district, "CGJ", 5, satisfied=4)
    api = APIClient()
    api.force_authenticate(district.users["auditor"])
    body = api.get("/api/v1/assessment/ranking/", {"date_from": "2026-11-01", "date_to": "2026-11-30"}).json()
    assert body["weights"] == {
        "name": "全区默认",
        "response": 10,
        "resolution": 45,
        "satisfaction": 45,
        "minimum_cases": 5,
    }
    assert (body["previous_date_from"], body["previous_date_to"]) == ("2026-10-01", "2026-10-31")
    bureau = next(t for t in body["tables"] if t["department_type"] == "bureau")
    row = bureau["rows"][0]
    assert (row["department"], row["rank"], row["ranked"], row["score"]) == (
        "坪山区城市管理和综合执法局",
        1,
        True,
        91.0,
    )
    assert (row["received"], row["satisfaction_rate"], row["visits_answered"]) == (5, 0.8, 5)
    assert row["score_change"] is None

    assert api.get("/api/v1/assessment/ranking/", {"date_from": "not a date"}).status_code == 400
    api.force_authenticate(district.users["cgj"])
    assert api.get("/api/v1/assessment/ranking/").status_code == 403


@pytest.mark.django_db
def test_only_one_set_of_weights_is_in_force_and_not_all_weights_are_zero():
    second = ScoreWeights(name="第二组", is_active=True)
    with pytest.raises(ValidationError, match="只能有一组在用的权重"):
        second.full_clean()
    zero = ScoreWeights(name="零", response_weight=0, resolution_weight=0, satisfaction_weight=0)
    with pytest.raises(ValidationError, match="三项权重不能都为零"):
        zero.full_clean()
