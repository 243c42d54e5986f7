"""A hot-topic cluster for the demo: six residents of 金碧花园 (六和社区) report the same low water
pressure over the past six days, each as their own case, so the hot-topic page shows a cluster
(a 未诉先办 candidate) and the supervisors get its notice. The demo's other demands are drawn at
random from the sample messages and rarely fall together like this.

Run after load_demo_demands (the Makefile's `sample` does). Idempotent: once the first of these
demands exists, nothing is submitted again."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from assessment.clusters import notify_new_clusters
from config.demo_clock import clock_at
from demands.citizen_messages import LOG_SENDER
from demands.models import Demand
from demands.services import demand_submit
from departments.models import Community

PLACE = "坪山街道金碧花园"
COMMUNITY = "六和社区"
# (days ago, title, content, citizen, phone): made up, like every demo demand. Six over six days,
# in an order where whichever side of a month's end holds three or more of them still links up:
# the month's shortlist shows the cluster on any day of the month (this one's or the last's).
REPORTS = (
    (5, "金碧花园二次供水水压太低", "金碧花园小区这几天高层水压太低，早晚用水高峰家里水龙头几乎没水，热水器都点不着火。", "陈女士", "13700010001"),
    (4, "高层水压不足", "金碧花园小区二次供水加压不够，高层早晚用水高峰水压太低，热水器点不着火。", "周先生", "13700010002"),
    (3, "金碧花园高层水压低", "金碧花园小区高层住户早晚用水高峰水压太低，水龙头几乎没水，热水器点不着火，请尽快处理。", "黄先生", "13700010003"),
    (2, "金碧花园水压太低", "金碧花园小区二次供水水压太低，高层住户用水高峰时水龙头几乎没水，热水器点不着火。", "刘女士", "13700010004"),
    (1, "小区高层没水", "金碧花园小区高层早晚用水高峰水压太低，家里水龙头几乎没水，洗澡都成问题。", "杨先生", "13700010005"),
    (0, "金碧花园用水高峰没水", "金碧花园小区高层住户用水高峰时水压太低，水龙头几乎没水，老人洗澡都困难。", "吴女士", "13700010006"),
)  # fmt: skip


class Command(BaseCommand):
    help = "Submit a few similar demands at one estate so the demo's hot-topic page shows a cluster."

    def handle(self, *args, **options):
        if Demand.objects.filter(title=REPORTS[0][1], location_text=PLACE).exists():
            self.stdout.write("The demo hot-topic cluster is there already.")
            return
        community = Community.objects.filter(name=COMMUNITY).first()
        if community is None:
            self.stdout.write(f"{COMMUNITY} not found (load_sample_district first); no demo cluster loaded.")
            return
        now = timezone.now()
        for days_ago, title, content, name, phone in REPORTS:
            moment = timezone.localtime(now - timedelta(days=days_ago)).replace(hour=19, minute=30)
            with clock_at(min(moment, now)):
                demand_submit(
                    title=title,
                    content=content,
                    location_text=PLACE,
                    community_id=community.pk,
                    citizen_name=name,
                    citizen_phone=phone,
                    # Made-up numbers are texted only where texts go to the log.
                    text_messages=settings.CITIZEN_MESSAGE_SENDER == LOG_SENDER,
                )
        told = notify_new_clusters()
        self.stdout.write(f"Submitted {len(REPORTS)} demands at {PLACE}; {told} cluster notice(s) sent.")
