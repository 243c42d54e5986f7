"""The demo's hot-topic cluster: submitted once, found as a cluster, told to the supervisors."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from assessment.clusters import NOTICE_KIND, find_clusters
from assessment.management.commands.load_demo_hot_topic import PLACE, REPORTS
from demands.models import Demand
from dispatch.models import Notification


@pytest.mark.django_db(transaction=True)
def test_the_demo_shows_a_cluster_at_one_estate_and_loads_it_once(committed_sample_district, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.NOTIFICATION_EMAILS = False
    call_command("load_demo_hot_topic", verbosity=0)
    call_command("load_demo_hot_topic", verbosity=0)

    assert Demand.objects.filter(location_text=PLACE).count() == len(REPORTS)
    [cluster] = find_clusters()
    assert cluster.place == "六和社区" and len(cluster.demands) == len(REPORTS)
    notices = Notification.objects.filter(kind=NOTICE_KIND)
    assert notices.exists() and all(n.user.memberships.filter(role="supervisor").exists() for n in notices)
