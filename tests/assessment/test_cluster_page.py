"""Where a cluster's notice leads: the supervisor opens the notice and finds the cluster itself,
every demand in it (and those that joined it since), not the first demand alone."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from assessment.clusters import NOTICE_KIND, notify_new_clusters
from assessment.models import ClusterNotice
from departments.models import Role
from dispatch.models import Notification
from tests.factories import make_user
from tests.staff import logged_in

pytestmark = pytest.mark.django_db

LIFT = {"title": "小区电梯经常困人", "content": "六和城小区3栋的电梯这个月已经困人好几次了，请尽快检修。"}
LIFT_AGAIN = {"title": "小区电梯又困人了", "content": "六和城小区3栋电梯经常困人，已经好几次了，请尽快检修。"}
PARKING = {"title": "路边停车收费太贵", "content": "想咨询一下路边停车位的收费标准是怎么定的。"}


@pytest.fixture
def supervisor(district):
    return make_user("supervisor", Role.SUPERVISOR, district.departments["ZXZX"])


@pytest.fixture
def told(district, submit, supervisor, settings):
    """Three residents of 六和社区 about one lift, the supervisors told; and a fourth about parking."""
    settings.NOTIFICATION_EMAILS = False
    lifts = [submit(**(LIFT if n % 2 == 0 else LIFT_AGAIN), citizen_phone=f"1380000000{n}").demand for n in range(1, 4)]
    submit(**PARKING, citizen_phone="13800000009")
    assert notify_new_clusters() == 1
    return ClusterNotice.objects.get(), lifts


def test_the_notice_opens_the_cluster_page_not_the_first_demand(district, supervisor, told):
    notice, lifts = told
    page = logged_in(supervisor)
    listed = page.get(reverse("notifications")).content.decode()
    cluster_url = reverse("audit-hot-topic-cluster", args=[notice.pk])
    [message] = Notification.objects.filter(user=supervisor, kind=NOTICE_KIND).values_list("message", flat=True)
    assert re.search(rf'<a href="{re.escape(cluster_url)}">\s*{re.escape(message)}', listed)
    assert reverse("desk-demand", args=[lifts[0].tracking_number]) not in listed


def test_the_cluster_page_lists_every_demand_told_and_those_that_joined_since(district, submit, supervisor, told):
    notice, lifts = told
    page = logged_in(supervisor)
    shown = page.get(reverse("audit-hot-topic-cluster", args=[notice.pk])).content.decode()
    assert "<h1>热点聚集：六和社区</h1>" in shown
    assert "共 3 件相似诉求，来自 3 位不同来电人" in shown
    told_table = shown.split('id="cluster-demands"')[1].split("</table>")[0]
    for demand in lifts:
        assert reverse("desk-demand", args=[demand.tracking_number]) in told_table
    assert "路边停车收费太贵" not in shown  # same place, another problem
    assert 'id="cluster-joined"' not in shown

    later = submit(**LIFT_AGAIN, citizen_phone="13800000005").demand
    shown = page.get(reverse("audit-hot-topic-cluster", args=[notice.pk])).content.decode()
    joined_table = shown.split('id="cluster-joined"')[1].split("</table>")[0]
    assert later.tracking_number in joined_table and lifts[0].tracking_number not in joined_table
    assert page.get(reverse("audit-hot-topic-cluster", args=[notice.pk + 1])).status_code == 404


def test_the_hot_topics_page_and_api_lead_to_the_cluster_told(district, supervisor, told):
    notice, _lifts = told
    cluster_url = reverse("audit-hot-topic-cluster", args=[notice.pk])
    shown = logged_in(supervisor).get(reverse("audit-hot-topics")).content.decode()
    clusters = shown.split('id="cluster-list"')[1].split("</table>")[0]
    assert f'<a href="{cluster_url}">是</a>' in clusters
    api = APIClient()
    api.force_authenticate(supervisor)
    [row] = api.get(reverse("api-hot-topics")).json()["clusters"]
    assert row["notified"] is True and row["notice_url"] == cluster_url


def test_department_staff_cannot_open_a_cluster(district, told):
    notice, _lifts = told
    assert logged_in(district.users["cgj"]).get(reverse("audit-hot-topic-cluster", args=[notice.pk])).status_code == 403
