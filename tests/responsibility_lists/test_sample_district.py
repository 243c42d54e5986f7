from __future__ import annotations

import pytest
from django.core.management import call_command

from demands.services import demand_submit
from demands.workflow import Status
from departments.models import Community, Department, DepartmentKind, Membership, Role, Street
from dispatch.services import demand_route
from responsibility_lists.models import Category, ListVersion, Matter, VersionStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample(django_db_blocker):
    call_command("load_sample_district", verbosity=0)


def test_sample_district_is_complete(sample):
    assert Street.objects.count() == 6
    assert Community.objects.count() >= 20
    assert Department.objects.exclude(kind=DepartmentKind.COMMUNITY).count() >= 30
    for name in ("住房和建设局", "城市管理和综合执法局", "生态环境", "交通运输", "教育局", "卫生健康局", "人力资源局",
                 "民政局", "市场监督管理", "公安局坪山分局", "水务局", "规划和自然资源", "文化广电旅游体育局",
                 "商务局", "应急管理局", "供电", "燃气", "水务集团"):  # fmt: skip
        assert Department.objects.filter(name__contains=name).exists(), name
    for role in Role.values:
        assert Membership.objects.filter(role=role).exists(), role
    version = ListVersion.objects.get()
    assert version.status == VersionStatus.PUBLISHED
    assert Matter.objects.filter(version=version).count() >= 300
    assert Category.objects.filter(version=version, parent__isnull=True).count() >= 15


def test_loading_twice_changes_nothing(sample):
    counts = (Department.objects.count(), Matter.objects.count(), Membership.objects.count())
    call_command("load_sample_district", verbosity=0)
    assert (Department.objects.count(), Matter.objects.count(), Membership.objects.count()) == counts


@pytest.mark.parametrize(
    ("title", "content", "location", "expected"),
    [
        (
            "工地半夜施工",
            "隔壁工地每天晚上十一点后还在施工，噪音很大，吵得睡不着",
            "坪山街道六和城",
            "坪山区住房和建设局",
        ),
        ("公司拖欠工资", "我在坑梓一家电子厂上班，老板已经三个月不发工资了", "坑梓街道", "坪山区人力资源局"),
        ("小区停水", "我们小区从昨天开始停水，一直没有通知什么时候来水", "龙田街道", "深圳市水务集团坪山分公司"),
    ],
)
def test_sample_list_routes_typical_demands(sample, title, content, location, expected):
    demand = demand_submit(
        title=title, content=content, location_text=location, citizen_name="测试", citizen_phone="13800000000"
    ).demand
    demand = demand_route(demand_id=demand.pk)
    assert demand.status == Status.DISPATCHED
    best = demand.routing_results.get().candidates[0]
    assert best["department_name"] == expected, best
