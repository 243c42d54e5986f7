"""Clusters: similar demands at one place, open or answered separately, from three callers or more;
and the supervisors told of each new one once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessment.clusters import NOTICE_KIND, find_clusters, notify_new_clusters
from assessment.models import ClusterNotice, ClusterNoticeDemand
from assessment.tasks import notify_hot_topic_clusters
from demands.models import Demand
from departments.models import Role
from dispatch.models import Notification
from tests.factories import make_user

pytestmark = pytest.mark.django_db

LIFT = {"title": "小区电梯经常困人", "content": "六和城小区3栋的电梯这个月已经困人好几次了，请尽快检修。"}
LIFT_AGAIN = {"title": "小区电梯又困人了", "content": "六和城小区3栋电梯经常困人，已经好几次了，请尽快检修。"}
PARKING = {"title": "路边停车收费太贵", "content": "想咨询一下路边停车位的收费标准是怎么定的。"}


def _lifts(submit, phones=("13800000001", "13800000002", "13800000003"), **extra):
    return [
        submit(**(LIFT if n % 2 == 0 else LIFT_AGAIN), citizen_phone=phone, **extra).demand
        for n, phone in enumerate(phones)
    ]


@pytest.fixture
def supervisors(district):
    return [make_user(name, Role.SUPERVISOR, district.departments["ZXZX"]) for name in ("supervisor", "supervisor2")]


def test_three_callers_at_one_community_with_alike_demands_are_a_cluster(district, submit):
    lifts = _lifts(submit)
    submit(**PARKING, citizen_phone="13800000004")  # same place, another matter
    [cluster] = find_clusters()
    assert cluster.place == "六和社区"
    assert [d.pk for d in cluster.demands] == [d.pk for d in lifts]
    assert cluster.callers == 3 and cluster.title == LIFT["title"]
    assert cluster.key == f"cluster:{lifts[0].pk}"


def test_one_caller_repeating_is_not_a_cluster(district, submit):
    _lifts(submit, phones=("13800000001", "13800000001", "13800000002"))
    assert find_clusters() == []


def test_the_same_problem_at_two_places_is_no_cluster(district, submit):
    _lifts(submit, phones=("13800000001", "13800000002"))
    submit(**LIFT, citizen_phone="13800000003", location_text="坑梓街道秀新村")
    assert find_clusters() == []


def test_without_a_community_the_location_text_is_the_place(district, submit):
    # 坪山大道 is known to the street only: the place is the text the citizens wrote.
    road = {"title": "坪山大道路灯不亮", "content": "坪山大道东段一排路灯晚上都不亮，走路很危险。"}
    for phone in ("13800000001", "13800000002", "13800000003"):
        submit(**road, citizen_phone=phone, location_text="坪山大道")
    [cluster] = find_clusters()
    assert cluster.place == "坪山大道"


def test_merged_demands_and_those_outside_the_window_are_left_out(district, submit):
    first, _second, third = _lifts(submit)
    Demand.objects.filter(pk=third.pk).update(status="merged", duplicate_of=first)
    assert find_clusters() == []
    Demand.objects.filter(pk=third.pk).update(status="submitted", duplicate_of=None)
    Demand.objects.filter(pk=first.pk).update(submitted_at=timezone.now() - timedelta(days=31))
    assert find_clusters() == []
    assert len(find_clusters(days=40)) == 1


def test_answered_demands_still_count_answered_separately(district, submit):
    lifts = _lifts(submit)
    Demand.objects.filter(pk=lifts[0].pk).update(status="replied")
    [cluster] = find_clusters()
    assert cluster.open_count == 2


def test_each_cluster_is_told_to_every_supervisor_once(district, submit, supervisors, settings):
    settings.NOTIFICATION_EMAILS = False
    lifts = _lifts(submit)
    assert notify_new_clusters() == 1
    notices = Notification.objects.filter(kind=NOTICE_KIND)
    assert sorted(n.user.username for n in notices) == ["supervisor", "supervisor2"]
    assert all(n.demand_id == lifts[0].pk and "六和社区" in n.message for n in notices)
    notice = ClusterNotice.objects.get()
    assert notice.recipients == 2 and set(notice.members.values_list("demand_id", flat=True)) == {d.pk for d in lifts}

    # Run again, and again after the cluster grew: nothing more is sent.
    assert notify_new_clusters() == 0
    submit(**LIFT, citizen_phone="13800000009")
    assert notify_hot_topic_clusters.apply().get() == 0
    assert Notification.objects.filter(kind=NOTICE_KIND).count() == 2

    # A new cluster at another place is told on its own.
    _lifts(submit, location_text="坑梓街道秀新村")
    assert notify_new_clusters() == 1
    assert Notification.objects.filter(kind=NOTICE_KIND).count() == 4


def test_the_database_refuses_a_demand_in_a_second_notice(district, submit):
    demand = _lifts(submit)[0]
    first = ClusterNotice.objects.create(place="六和社区", title="t")
    ClusterNoticeDemand.objects.create(notice=first, demand=demand)
    second = ClusterNotice.objects.create(place="六和社区", title="t")
    with pytest.raises(IntegrityError), transaction.atomic():
        ClusterNoticeDemand.objects.create(notice=second, demand=demand)


def test_a_run_that_loses_the_race_sends_nothing(district, submit, supervisors, monkeypatch, settings):
    """Two runs at once both see the cluster as new; the one that writes second rolls back."""
    settings.NOTIFICATION_EMAILS = False
    lifts = _lifts(submit)
    from assessment import clusters as module

    real = module._notify

    def told_meanwhile(cluster, recipients):
        other = ClusterNotice.objects.create(place=cluster.place, title=cluster.title)
        ClusterNoticeDemand.objects.create(notice=other, demand=lifts[1])
        real(cluster, recipients)

    monkeypatch.setattr(module, "_notify", told_meanwhile)
    with transaction.atomic():
        assert notify_new_clusters() == 0
    assert not Notification.objects.filter(kind=NOTICE_KIND).exists()
