"""Appeals (申诉): a department head asks that a case be left out of the department's figures for
a period; an auditor upholds or rejects it. Upheld cases leave the figures, which recompute."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from departments.models import Department


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("待裁定")
    UPHELD = "upheld", _("申诉成立")
    REJECTED = "rejected", _("申诉驳回")


class Appeal(models.Model):
    """One appeal per assignment: the case as the department had it (lead or assisting)."""

    assignment = models.OneToOneField("dispatch.Assignment", on_delete=models.PROTECT, related_name="appeal")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="appeals")
    # The first day of the month whose figures the case is in (the month it was dispatched).
    period = models.DateField(_("考核月份"))
    reason = models.TextField(_("申诉理由"))
    evidence = models.FileField(_("证明材料"), upload_to="appeals/", blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=AppealStatus.choices, default=AppealStatus.PENDING)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("裁定理由"), blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("考核申诉")
        verbose_name_plural = _("考核申诉")
        indexes = [models.Index(fields=["status", "period"], name="appeal_status_period_idx")]

    def __str__(self) -> str:
        return f"{self.assignment} · {self.get_status_display()}"

    @property
    def is_pending(self) -> bool:
        return self.status == AppealStatus.PENDING

    @property
    def is_upheld(self) -> bool:
        return self.status == AppealStatus.UPHELD
