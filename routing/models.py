"""What the router keeps: its answers, its trained models, the past cases it learns from, the
per-category dispatch thresholds and the impact previews of draft lists. The tables keep the
names they had when these models lived in dispatch."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from demands.models import Demand
from departments.models import Department
from responsibility_lists.models import ListVersion


class RoutingResult(models.Model):
    """What the router answered for a demand, kept so any dispatch can be explained later."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="routing_results")
    list_version = models.ForeignKey(ListVersion, on_delete=models.PROTECT, null=True, related_name="+")
    router_version = models.CharField(max_length=64)
    candidates = models.JSONField(default=list)
    confidence = models.FloatField()
    auto_dispatched = models.BooleanField()
    resolved_location = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        db_table = "dispatch_routingresult"
        ordering = ["-created_at"]
        verbose_name = _("路由结果")
        verbose_name_plural = _("路由结果")

    def __str__(self) -> str:
        return f"{self.demand_id} {self.confidence:.2f}"


class HistoricalCase(models.Model):
    """A past demand from an older system whose final department (and perhaps matter) is known.
    The router learns from these and from this platform's own answered demands."""

    external_id = models.CharField(_("原编号"), max_length=64, blank=True)
    title = models.CharField(_("标题"), max_length=255, blank=True)
    content = models.TextField(_("内容"))
    location_text = models.CharField(_("地点"), max_length=255, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    matter_code = models.CharField(_("事项编码"), max_length=32, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "dispatch_historicalcase"
        ordering = ["pk"]
        verbose_name = _("历史案例")
        verbose_name_plural = _("历史案例")

    def __str__(self) -> str:
        return f"{self.title or self.content[:20]} → {self.department}"


class RoutingModel(models.Model):
    """One trained version of the learned router. Answers name the model version they came from,
    so the same text under the same list and model version always routes the same way."""

    version = models.CharField(max_length=40, unique=True)
    trained_at = models.DateTimeField()
    sample_count = models.PositiveIntegerField()
    classes = models.JSONField(default=list)
    blob = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    is_active = models.BooleanField(default=False)
    metrics = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "dispatch_routingmodel"
        ordering = ["-trained_at"]
        verbose_name = _("路由模型")
        verbose_name_plural = _("路由模型")
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="one_active_routing_model")
        ]

    def __str__(self) -> str:
        return f"{self.version} ({self.sample_count})"


class CategoryThreshold(models.Model):
    """The confidence a demand of one category (大类, by name: names outlive list versions) needs
    to be dispatched without a person, where the district's default does not fit: stricter
    for categories with costly mistakes, looser where the router has proven itself; 1 sends
    every demand of the category to a person."""

    category_name = models.CharField(_("大类名称"), max_length=100, unique=True)
    threshold = models.FloatField(_("自动派单置信度"), validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "dispatch_categorythreshold"
        ordering = ["category_name"]
        verbose_name = _("分类自动派单阈值")
        verbose_name_plural = _("分类自动派单阈值")

    def __str__(self) -> str:
        return f"{self.category_name} ≥ {self.threshold:g}"


class ImpactStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("计算中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ImpactPreview(models.Model):
    """A draft's impact preview, computed by a worker: the demands of the last months routed under
    the draft and under the version in force. Kept per draft and look-back, it stands while the
    inputs it was computed from stand (the draft's routing fields, the version in force, the
    learned model); when one changes it is out of date and is computed again on request."""

    draft = models.ForeignKey(ListVersion, on_delete=models.CASCADE, related_name="+")
    baseline = models.ForeignKey(ListVersion, on_delete=models.CASCADE, related_name="+")
    months = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(24)])
    since = models.DateTimeField()
    draft_fingerprint = models.CharField(max_length=64)  # routing.list_matcher.list_fingerprint
    model_version = models.CharField(max_length=40, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=16, choices=ImpactStatus.choices, default=ImpactStatus.QUEUED)
    demands_done = models.PositiveIntegerField(default=0)
    demands_total = models.PositiveIntegerField(default=0)
    # Each run claims the preview with a new attempt number; a run whose number is no longer
    # current (a redelivered message started another) stops writing.
    attempt = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)  # routing.impact.ImpactReport.to_json()
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "dispatch_impactpreview"
        ordering = ["-created_at", "-pk"]
        verbose_name = _("影响预览")
        verbose_name_plural = _("影响预览")
        indexes = [models.Index(fields=["draft", "months", "created_at"], name="impact_preview_latest_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.get_status_display()})"

    # What its page asks of the job, named so that no template compares status strings.
    @property
    def is_underway(self) -> bool:
        return self.status in (ImpactStatus.QUEUED, ImpactStatus.RUNNING)

    @property
    def is_done(self) -> bool:
        return self.status == ImpactStatus.DONE

    @property
    def has_failed(self) -> bool:
        return self.status == ImpactStatus.FAILED

    @property
    def percent(self) -> int:
        if self.status == ImpactStatus.DONE:
            return 100
        return min(100, self.demands_done * 100 // self.demands_total) if self.demands_total else 0
