"""Remove the personal data of demands closed, merged or refused longer ago than
PERSONAL_DATA_RETENTION_DAYS (demands.retention); with --dry-run, say how many demands and which
kinds of data would go, and change nothing. The periodic task does the same every day."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from demands.retention import KINDS, anonymisation_plan, anonymise_due_demands, retention_cutoff


class Command(BaseCommand):
    help = "Anonymise demands closed longer ago than PERSONAL_DATA_RETENTION_DAYS (--dry-run to only report)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="report what would go; change nothing")

    def handle(self, *args, dry_run: bool = False, **options):
        plan = anonymisation_plan()
        self.stdout.write(
            _("保存期限 %(days)s 日：%(cutoff)s 之前办结、合并或不予受理的诉求 %(count)s 件。")
            % {
                "days": settings.PERSONAL_DATA_RETENTION_DAYS,
                "cutoff": f"{timezone.localtime(retention_cutoff()):%Y-%m-%d %H:%M}",
                "count": plan.demands,
            }
        )
        for kind, label in KINDS.items():
            self.stdout.write(f"  {label}: {plan.counts[kind]}")
        if dry_run:
            self.stdout.write(_("试运行：未作任何更改。"))
            return
        done = anonymise_due_demands()
        self.stdout.write(_("已匿名化 %(count)s 件诉求。") % {"count": done})
