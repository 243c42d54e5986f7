"""Volume by matter, category and place per week, and spikes: a week at least max(3, mean + 3·sd)
of the same row's eight weeks before."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from assessment.figures import AuditFilters
from assessment.hot_topics import (
    DIMENSION_BY_CODE,
    spike_threshold,
    spike_weeks,
    volume_table,
)
from demands.models import Demand
from demands.workflow import Status
from tests.citizens import STALL

pytestmark = pytest.mark.django_db


# --- the definition, on hand-built series -----------------------------------------------------


def test_from_a_quiet_history_three_is_the_least_that_is_a_spike():
    assert spike_threshold([0] * 8) == 3
    assert spike_threshold([1] * 8) == 3  # mean 1, no spread: the floor holds
    assert spike_weeks([0] * 8 + [2]) == []
    assert spike_weeks([0] * 8 + [3]) == [8]


def test_a_spike_is_measured_against_the_rows_own_spread():
    steady = [10, 12, 11, 9, 10, 11, 12, 9]  # mean 10.5, population sd 1.118…
    assert spike_threshold(steady) == pytest.approx(10.5 + 3 * 1.1180339887)
    assert spike_weeks([*steady, 13]) == []  # busy, but within its usual swing
    assert spike_weeks([*steady, 14]) == [8]


def test_a_noisy_history_needs_a_bigger_week():
    noisy = [0, 8, 0, 8, 0, 8, 0, 8]  # mean 4, sd 4: the line is 16
    assert spike_threshold(noisy) == 16
    assert spike_weeks([*noisy, 15]) == []
    assert spike_weeks([*noisy, 16]) == [8]


def test_each_week_is_judged_on_the_eight_weeks_just_before_it():
    # A spike raises the bar for the weeks after it: the second 6 is judged with the first 6 in
    # its history (mean 0.75, sd 1.98…: the line is 6.7).
    counts = [0] * 8 + [6, 6]
    assert spike_weeks(counts) == [8]
    # Weeks before `first` are history only.
    assert spike_weeks([5, 0, 0], first=1) == []


# --- the tables on demands ----------------------------------------------------------------------


def _at(demand: Demand, moment: datetime) -> None:
    Demand.objects.filter(pk=demand.pk).update(submitted_at=moment)


def _monday(weeks_ago: int) -> datetime:
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday(), weeks=weeks_ago)
    return timezone.make_aware(datetime.combine(monday, time(10)))


def test_volume_counts_each_week_per_matter_and_place_and_finds_the_spike(district, submit):
    # One stall a week for eight weeks, then four in the current week: a spike of the stall
    # matter; one noise demand three weeks ago is no spike.
    for weeks_ago in range(1, 9):
        _at(submit(**STALL).demand, _monday(weeks_ago))
    for _ in range(4):
        _at(submit(**STALL).demand, _monday(0))
    _at(submit().demand, _monday(3))
    refused = submit(**STALL).demand
    Demand.objects.filter(pk=refused.pk).update(status=Status.REJECTED, submitted_at=_monday(0))

    today = timezone.localdate()
    filters = AuditFilters(date_from=today - timedelta(days=today.weekday(), weeks=3), date_to=today)
    table = volume_table(filters, DIMENSION_BY_CODE["matter"])
    assert len(table.weeks) == 4
    by_name = {row.name: row for row in table.rows}
    assert by_name["占道经营查处"].counts == [1, 1, 1, 4]  # the refused one is not counted
    assert by_name["占道经营查处"].spikes == {3}
    assert by_name["建筑施工噪音扰民"].counts == [1, 0, 0, 0]
    assert not by_name["建筑施工噪音扰民"].spikes
    [spike] = table.spikes
    assert (spike.name, spike.week, spike.count, spike.usual) == ("占道经营查处", table.weeks[3], 4, 1.0)

    streets = {row.name: row.total for row in volume_table(filters, DIMENSION_BY_CODE["street"]).rows}
    assert streets == {"坪山街道": 8}
    categories = {row.name: row.total for row in volume_table(filters, DIMENSION_BY_CODE["category"]).rows}
    assert categories == {"市容秩序": 7, "施工管理": 1}


def test_volume_is_narrowed_to_the_chosen_streets(district, submit):
    submit(**STALL)
    submit(**STALL, location_text="坑梓街道秀新村")
    today = timezone.localdate()
    filters = AuditFilters(
        date_from=today - timedelta(days=6), date_to=today, street_ids=(district.streets["KZJD"].pk,)
    )
    rows = volume_table(filters, DIMENSION_BY_CODE["community"]).rows
    assert [(row.name, row.total) for row in rows] == [("秀新社区", 1)]


def test_a_period_in_the_past_sees_its_own_weeks_only(district, submit):
    submit(**STALL)
    filters = AuditFilters(date_from=date(2020, 1, 6), date_to=date(2020, 1, 19))
    table = volume_table(filters, DIMENSION_BY_CODE["matter"])
    assert table.weeks == [date(2020, 1, 6), date(2020, 1, 13)]
    assert table.rows == [] and table.spikes == []


def test_no_week_is_judged_before_the_platform_has_eight_weeks_of_record(district, submit):
    # The platform opened two weeks ago: four stalls this week are busy, but there is no usual
    # level to be above yet.
    _at(submit(**STALL).demand, _monday(2))
    for _ in range(4):
        _at(submit(**STALL).demand, _monday(0))
    today = timezone.localdate()
    filters = AuditFilters(date_from=today - timedelta(days=today.weekday(), weeks=3), date_to=today)
    table = volume_table(filters, DIMENSION_BY_CODE["matter"])
    assert table.rows[0].counts == [0, 1, 0, 4]
    assert table.spikes == [] and not table.rows[0].spikes
