"""The demo's appeal: played inside last month's appeal window on a demo case of last month."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from assessment.models import Appeal
from config.demo_clock import clock_at
from demands.services import demand_submit
from departments.models import Role
from dispatch.services import demand_route
from tests.citizens import STALL
from tests.factories import build_district, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = datetime(2026, 12, 3, 12, 0, tzinfo=SHANGHAI)


def _demo(out: StringIO) -> str:
    with clock_at(TODAY):
        call_command("load_demo_appeal", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_demo_appeals_a_case_of_last_month_once_and_the_auditor_upholds_it():
    with clock_at(datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)):
        district = build_district()
        make_user("cgj_head", Role.HEAD, district.departments["CGJ"])
        demand = demand_submit(**STALL, citizen_name="甲", citizen_phone="13800000000").demand
        demand_route(demand_id=demand.pk)

    assert "upheld" in _demo(StringIO())
    appeal = Appeal.objects.get()
    assert appeal.assignment.demand == demand and appeal.is_upheld
    assert appeal.submitted_at == datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)
    assert "already" in _demo(StringIO())
    assert Appeal.objects.count() == 1


@pytest.mark.django_db
def test_without_a_case_of_last_month_the_demo_has_no_appeal():
    with clock_at(datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI)):
        district = build_district()
        make_user("cgj_head", Role.HEAD, district.departments["CGJ"])
        demand_route(demand_id=demand_submit(**STALL, citizen_name="甲", citizen_phone="13800000000").demand.pk)
    assert "no case of last month" in _demo(StringIO())
    assert not Appeal.objects.exists()
