"""Check the audit trail: walk every demand's chain of events and of contact disclosures and
check it against the signed daily checkpoints. Names the first altered, inserted, reordered or
missing record of each kind (its id and the demand's tracking number) and exits non-zero; prints
a short summary and exits zero when the trail is intact."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from demands.audit_chain import verify


class Command(BaseCommand):
    help = "Verify the hash chains of demand events and contact disclosures against the checkpoints."

    def handle(self, *args, **options):
        report = verify()
        for finding in report.findings:
            self.stdout.write(str(finding))
        if not report.intact:
            raise CommandError(_("审计日志不完整：发现 %(count)s 处问题。") % {"count": len(report.findings)})
        last = (
            timezone.localtime(report.last_checkpoint).strftime("%Y-%m-%d %H:%M")
            if report.last_checkpoint
            else _("尚无")
        )
        self.stdout.write(
            _(
                "审计日志完整：%(events)s 条事件（%(chains)s 件诉求），%(disclosures)s 条联系方式查看记录；"
                "%(checkpoints)s 个校验点，最近一个：%(last)s。"
            )
            % {
                "events": report.rows["event"],
                "chains": report.chains["event"],
                "disclosures": report.rows["disclosure"],
                "checkpoints": report.checkpoints,
                "last": last,
            }
        )
