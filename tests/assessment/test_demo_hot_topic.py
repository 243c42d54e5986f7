"""The demo's hot-topic cluster: submitted once, found as a cluster, told to the supervisors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

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

    # Wherever a month's end falls among them, the side holding three or more is still a cluster:
    # the month's shortlist shows it on any day of the month.
    moments = sorted(Demand.objects.filter(location_text=PLACE).values_list("submitted_at", flat=True))
    since, until = moments[0] - timedelta(days=1), timezone.now() + timedelta(minutes=1)
    for cut in moments[1:]:
        before, after = sum(m < cut for m in moments), sum(m >= cut for m in moments)
        if before >= 3:
            assert len(find_clusters(since=since, until=cut)) == 1
        if after >= 3:
            assert len(find_clusters(since=cut, until=until)) == 1
