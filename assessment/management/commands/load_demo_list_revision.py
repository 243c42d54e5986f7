"""A second version of the sample list for the demo, so the version scorecard has two versions to
compare: a small revision of the sample list (three matters' keywords widened, one's handling
time shortened) published partway through the demo weeks.

It runs between load_sample_district and load_demo_demands (the Makefile's `sample` target): the
demo demands are then routed, each at its own moment, under the version in force then, the
first weeks' under V1 and the last days' under the revision. It does nothing once demands exist
(a revision published in the past would claim demands already routed under V1) or once the list
has more than its first version, so it is safe to run again."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from config.demo_clock import clock_at
from demands.models import Demand
from dispatch.management.commands.load_demo_demands import SPAN_DAYS
from responsibility_lists.models import ListVersion, Matter, VersionStatus
from responsibility_lists.services import matter_save, version_create_draft, version_publish

# Published halfway through the demo weeks, so both versions have demands.
REVISED_DAYS_AGO = SPAN_DAYS // 2
MAINTAINER = "maintainer"
# What the revision changes: (matter code, keywords added, new normal handling days or None).
REVISIONS: tuple[tuple[str, list[str], Decimal | None], ...] = (
    ("PS-0101-001", ["占道卖菜", "路边摆卖"], None),
    ("PS-0103-001", ["路灯不亮了", "整条路没灯"], None),
    ("PS-1401-001", ["积水成河", "马路变河"], None),
    ("PS-0101-003", [], Decimal(7)),
)
TITLE = "坪山区民生诉求职责清单（2026年修订版）"
NOTE = "依据退单裁定补充占道经营、路灯、道路积水的关键词，缩短店外经营的办理时限。"


class Command(BaseCommand):
    help = "Publish a small revision of the sample list partway through the demo weeks (before load_demo_demands)."

    def handle(self, *args, **options):
        if Demand.objects.exists() or ListVersion.objects.count() != 1:
            self.stdout.write("The list has its revision already, or demands exist; no revision published.")
            return
        first = ListVersion.objects.get()
        maintainer = User.objects.filter(username=MAINTAINER).first()
        if first.status != VersionStatus.PUBLISHED or maintainer is None:
            self.stdout.write("No published sample list and maintainer to revise; no revision published.")
            return
        with clock_at(timezone.now() - timedelta(days=REVISED_DAYS_AGO)), transaction.atomic():
            revised = self._revise(first, maintainer)
        self.stdout.write(f"Published {revised}, in force since {REVISED_DAYS_AGO} days ago.")

    def _revise(self, first: ListVersion, maintainer: User) -> ListVersion:
        draft = version_create_draft(actor=maintainer, based_on_id=first.pk, title=TITLE)
        draft.note = NOTE
        draft.save(update_fields=["note"])
        for code, keywords, handle_days in REVISIONS:
            matter = Matter.objects.filter(version=draft, code=code).first()
            if matter is None:
                continue  # a sample list without this matter keeps the rest of the revision
            changes: dict = {"keywords": [*matter.keywords, *(k for k in keywords if k not in matter.keywords)]}
            if handle_days is not None:
                changes["handle_days_normal"] = max(handle_days, matter.handle_days_urgent)
            matter_save(
                version_id=draft.pk,
                actor=maintainer,
                code=code,
                category_id=matter.category_id,
                assisting_ids=list(matter.assisting_departments.values_list("pk", flat=True)),
                **changes,
            )
        return version_publish(version_id=draft.pk, actor=maintainer)
