"""What the auditors' exports keep. The table keeps the name it had in dispatch."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportKind(models.TextChoices):
    DEMANDS = "demands", _("诉求")
    EVENTS = "events", _("事件日志")
    FIGURES = "figures", _("统计数据")
    DISPATCH_QUALITY = "dispatch_quality", _("分拨质量")


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ExportJob(models.Model):
    """An export too large to build while the auditor waits: a worker writes the file in chunks,
    counting rows as it goes, and the auditor downloads it when it is done."""

    kind = models.CharField(_("导出内容"), max_length=16, choices=ExportKind.choices)
    format = models.CharField(_("格式"), max_length=8, choices=ExportFormat.choices)
    # The auditor's filters as chosen (dates and ids), so the job can be run again the same way.
    filters = models.JSONField(default=dict)
    # The language of the page the auditor asked from: the worker writes the file in it.
    language = models.CharField(
        _("文件语言"),
        max_length=16,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        # A job inserted by the previous release during a rolling deploy names no language.
        db_default=settings.LANGUAGE_CODE,
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    # Each run claims the job with a new attempt number; a run whose number is no longer current
    # (a redelivered message started another) stops writing progress and files.
    attempt = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/", blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "dispatch_exportjob"
        ordering = ["-created_at"]
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        indexes = [models.Index(fields=["requested_by", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.format} #{self.pk}"

    # What its page asks of the job, named so that no template compares status strings.
    @property
    def is_underway(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    @property
    def is_done(self) -> bool:
        return self.status == ExportStatus.DONE

    @property
    def has_failed(self) -> bool:
        return self.status == ExportStatus.FAILED

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        return min(100, self.rows_done * 100 // self.rows_total) if self.rows_total else 0
