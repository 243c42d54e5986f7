"""Periodic reports (周报、月报): the ranking and the figures of a closed week or month, frozen
when an auditor publishes them, with the weights used copied in (not a link to a set of weights
an administrator may later change or switch off). A published report never changes: readers
compare it with the reports before it, and download it as a spreadsheet or a printable PDF."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from config.errors import IllegalTransition


class ReportKind(models.TextChoices):
    WEEKLY = "weekly", _("周报")
    MONTHLY = "monthly", _("月报")


class PeriodicReport(models.Model):
    kind = models.CharField(_("类型"), max_length=16, choices=ReportKind.choices)
    period_start = models.DateField(_("期间起"))
    period_end = models.DateField(_("期间止"))
    published_at = models.DateTimeField(_("发布时间"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发布人")
    )
    weights_name = models.CharField(_("权重名称"), max_length=64)
    response_weight = models.PositiveSmallIntegerField(_("响应率权重"))
    resolution_weight = models.PositiveSmallIntegerField(_("解决率权重"))
    satisfaction_weight = models.PositiveSmallIntegerField(_("满意率权重"))
    minimum_cases = models.PositiveIntegerField(_("参与排名的最少件数"))
    # The ranking, the breakdowns and the definitions as they read at publication
    # (assessment.reports.report_figures): every page and file of the report is drawn from it.
    figures = models.JSONField(_("冻结的数字"))
    # At publication: appeals still waiting for a ruling on cases of the period, and when the
    # appeal window of the period's months closes if it had not yet. Upheld appeals may later move
    # the live figures; the report keeps the figures as published and says so.
    open_appeals = models.PositiveIntegerField(_("待裁定的申诉"), default=0)
    appeals_close_at = models.DateTimeField(_("申诉期截止"), null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "kind"]
        verbose_name = _("考核报告")
        verbose_name_plural = _("考核报告")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period_start"],
                name="one_report_per_period",
                violation_error_message=_("这一期的报告已经发布。"),
            ),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="report_period_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Published is final: a report is written once, at publication, and read ever after.
        if not self._state.adding:
            raise IllegalTransition(str(_("已发布的报告不能修改。")))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise IllegalTransition(str(_("已发布的报告须留存，不能删除。")))

    @property
    def weights(self) -> dict[str, Any]:
        return {
            "name": self.weights_name,
            "response": self.response_weight,
            "resolution": self.resolution_weight,
            "satisfaction": self.satisfaction_weight,
            "minimum_cases": self.minimum_cases,
        }
