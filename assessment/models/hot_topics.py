"""Hot topics (热点): the clusters of similar demands the supervisors were told of, so each is told
once, and the month's key problem (每月一题) adopted from the shortlist and followed to its end."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from demands.models import Demand


class ClusterNotice(models.Model):
    """A cluster of similar demands at one place, as it stood when the supervisors were told."""

    place = models.CharField(_("地点"), max_length=255)
    title = models.CharField(_("代表诉求"), max_length=200)
    recipients = models.PositiveIntegerField(_("通知人数"), default=0)
    sent_at = models.DateTimeField(_("通知时间"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("热点聚集通知")
        verbose_name_plural = _("热点聚集通知")

    def __str__(self) -> str:
        return f"{self.place} · {self.title}"


class ClusterNoticeDemand(models.Model):
    """A demand belongs to at most one notice: the database refuses a second notice of a cluster
    already told (two sweeps at once included), which is what "sent once" rests on."""

    notice = models.ForeignKey(ClusterNotice, on_delete=models.CASCADE, related_name="members")
    demand = models.OneToOneField(Demand, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.notice_id} · {self.demand_id}"


class KeyProblemStatus(models.TextChoices):
    OPEN = "open", _("跟踪中")
    RESOLVED = "resolved", _("已解决")


# The one graph of a key problem's status: resolved, or found unresolved after all.
KEY_PROBLEM_MOVES: dict[str, frozenset[str]] = {
    KeyProblemStatus.OPEN: frozenset({KeyProblemStatus.RESOLVED}),
    KeyProblemStatus.RESOLVED: frozenset({KeyProblemStatus.OPEN}),
}


class KeyProblem(models.Model):
    """The month's key problem (每月一题): one item of that month's shortlist, adopted by a
    supervisor or administrator, with the demands behind it as they stood when adopted."""

    month = models.DateField(_("月份"))  # the first day of the month
    item_key = models.CharField(max_length=120)
    kind = models.CharField(_("类型"), max_length=16)
    title = models.CharField(_("问题"), max_length=255)
    demands = models.ManyToManyField(Demand, related_name="+", blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=KeyProblemStatus.choices, default=KeyProblemStatus.OPEN)
    note = models.TextField(_("跟踪说明"), blank=True)
    adopted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    adopted_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("每月一题")
        verbose_name_plural = _("每月一题")
        constraints = [
            models.UniqueConstraint(fields=["month"], name="one_key_problem_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="key_problem_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} · {self.title}"
