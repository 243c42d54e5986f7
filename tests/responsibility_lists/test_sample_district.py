from __future__ import annotations

import pytest
from django.core.management import call_command

from demands.services import demand_submit
from demands.workflow import Status
from departments.models import Community, Department, DepartmentKind, Membership, Role, Street
from departments.selectors import resolve_point
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
def test_sample_list_routes_typical_demands(sample, settings, title, content, location, expected):
    demand = demand_submit(
        title=title, content=content, location_text=location, citizen_name="测试", citizen_phone="13800000000"
    ).demand
    demand = demand_route(demand_id=demand.pk)
    result = demand.routing_results.get()
    assert result.candidates[0]["department_name"] == expected, result.candidates[0]
    # Sure enough, it went out at once; else a dispatcher has it, with that suggestion first.
    sure = result.confidence >= settings.ROUTING_AUTO_DISPATCH_THRESHOLD
    assert demand.status == (Status.DISPATCHED if sure else Status.TRIAGE)


def test_demo_demands_tell_their_stories_over_the_past_weeks(committed_sample_district, tmp_path, settings):
    # Committed: each demand is routed when its submission commits, as in `make run`.
    import csv
    from datetime import timedelta

    from django.utils import timezone

    from demands.models import Demand, DemandEvent
    from routing.models import HistoricalCase, RoutingModel, RoutingResult

    settings.CELERY_TASK_ALWAYS_EAGER = True
    messages = tmp_path / "messages.csv"
    texts = ["路边有流动摊贩占道经营，每天傍晚堵住人行道", "工地半夜施工打桩噪音太大，吵得无法入睡",
             "老板拖欠三个月工资不发，多次讨要无果", "小区门口垃圾桶满溢没人清运，臭气熏天"]  # fmt: skip
    with messages.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "body", "department", "reply"])
        for i in range(40):
            writer.writerow([i, texts[i % 4][:10], texts[i % 4], "", ""])
        # The rest is the district's past: learned from, never shown (their text here is too
        # short for a demo demand).
        past = {
            "坪山区住房和建设局": "工地夜里打桩吵",
            "坪山区人力资源局": "老板拖欠工资",
            "坪山区城市管理和综合执法局": "小贩占道摆摊",
        }
        for i in range(60):
            department, text = list(past.items())[i % 3]
            writer.writerow([f"P{i}", text, text, department, ""])
    now = timezone.now()
    call_command("load_demo_demands", "--messages", str(messages), "--count", "40")

    submitted = sorted(Demand.objects.values_list("submitted_at", flat=True))
    assert len(submitted) == 40 and submitted[-1] < now
    assert submitted[-1] - submitted[0] > timedelta(days=7)  # an age spread, not one moment
    # Routed under the sample list, which was in force before the oldest of them.
    assert Demand.objects.exclude(status=Status.TRIAGE).exists()
    # Every step came after the submission and none after today.
    events = DemandEvent.objects.select_related("demand")
    assert all(e.demand.submitted_at <= e.created_at <= timezone.now() for e in events)
    assert events.filter(action="reply").exists()
    # Deadlines that passed during the demo weeks were taken when they fell due, not all at load.
    from dispatch.models import Assignment

    late = list(events.filter(action="sign_overdue"))
    assert late
    deadlines = dict(Assignment.objects.values_list("pk", "sign_deadline"))
    taken = dict(Assignment.objects.values_list("pk", "sign_overdue_at"))
    assert all(taken[e.data["assignment"]] == deadlines[e.data["assignment"]] for e in late)
    # The loader plays each story before sweeping the weeks: a rung whose demand's story went on
    # past its deadline is recorded after the story's last step, as the audit chain allows no
    # event dated before the one it follows; the others at their deadline.
    assert all(e.created_at >= deadlines[e.data["assignment"]] for e in late)
    assert any(e.created_at == deadlines[e.data["assignment"]] for e in late)
    # Routed with the model learned from that past, whose version each routing record names
    # (on PostgreSQL a column too short for it once refused every demand).
    model = RoutingModel.objects.get(is_active=True)
    assert model.metrics["note"] == "demo history" and HistoricalCase.objects.count() == 60
    assert all(v.endswith(model.version) for v in RoutingResult.objects.values_list("router_version", flat=True))


@pytest.mark.django_db
def test_the_sample_district_outlines_tile_it_and_place_a_point():
    call_command("load_sample_district", verbosity=0)
    assert not Street.objects.filter(boundary__isnull=True).exists()
    assert not Community.objects.filter(boundary__isnull=True).exists()
    # Every community's outline lies in its street's, so a point in it resolves to both.
    for community in Community.objects.select_related("street"):
        ring = community.boundary["coordinates"][0]
        middle = (sum(p[1] for p in ring[:-1]) / 4, sum(p[0] for p in ring[:-1]) / 4)
        place = resolve_point(*middle)
        assert (place.community_id, place.street_id) == (community.pk, community.street_id)
