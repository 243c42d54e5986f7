from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from departments.models import Department

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class FrozenVersionError(Exception):
    """A write that would change a published or retired version. The database refuses the same
    write with a trigger (migration 0002), so raw SQL and bulk updates cannot slip past either."""


FROZEN_STATUSES = ("published", "retired")


class VersionRowQuerySet(models.QuerySet):
    """Bulk writes on categories and matters, refused when any row belongs to a frozen version."""

    def _refuse_frozen(self) -> None:
        if self.filter(version__status__in=FROZEN_STATUSES).exists():
            raise FrozenVersionError("已发布的清单版本不能修改。")

    def update(self, **kwargs):
        self._refuse_frozen()
        return super().update(**kwargs)

    def delete(self):
        self._refuse_frozen()
        return super().delete()


class VersionRow(models.Model):
    """A row that belongs to one version (a category or a matter) and is frozen with it."""

    objects = VersionRowQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if ListVersion.objects.filter(pk=self.version_id, status__in=FROZEN_STATUSES).exists():  # type: ignore[attr-defined]
            raise FrozenVersionError("已发布的清单版本不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if ListVersion.objects.filter(pk=self.version_id, status__in=FROZEN_STATUSES).exists():  # type: ignore[attr-defined]
            raise FrozenVersionError("已发布的清单版本不能修改。")
        return super().delete(*args, **kwargs)


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已废止")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
    CRITICAL = "critical", _("特急")


class ListVersion(models.Model):
    """One version of the responsibility list. Published versions are law at a point in time:
    demands keep the version they were routed under, so the version never changes again."""

    number = models.PositiveIntegerField(_("版本号"), unique=True)
    title = models.CharField(_("名称"), max_length=200)
    status = models.CharField(_("状态"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    effective_from = models.DateTimeField(_("生效时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    based_on = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("清单版本")
        verbose_name_plural = _("清单版本")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(effective_from__isnull=False, published_at__isnull=False),
                name="published_version_has_dates",
            )
        ]

    def __str__(self) -> str:
        return f"V{self.number} {self.title}"

    @property
    def is_frozen(self) -> bool:
        return self.status != VersionStatus.DRAFT


class Category(VersionRow):
    """大类 (no parent) or 小类 (parent is a 大类) of one version."""

    version = models.ForeignKey(ListVersion, on_delete=models.CASCADE, related_name="categories")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    name = models.CharField(_("名称"), max_length=100)
    position = models.PositiveIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("事项类别")
        verbose_name_plural = _("事项类别")
        constraints = [
            models.UniqueConstraint(fields=["version", "parent", "name"], name="category_name_unique_per_parent"),
            models.UniqueConstraint(
                fields=["version", "name"], condition=Q(parent__isnull=True), name="top_category_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent else self.name


DEFAULT_ASSIST_SHARE_PERCENT = 50
MIN_ASSIST_SHARE_PERCENT = 10


def _limit_field(label: "StrOrPromise") -> models.DecimalField:
    return models.DecimalField(label, max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])


class Matter(VersionRow):
    """A matter (事项) of one version. `code` is stable across versions so history lines up."""

    version = models.ForeignKey(ListVersion, on_delete=models.CASCADE, related_name="matters")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="matters")
    code = models.CharField(_("事项编码"), max_length=32)
    name = models.CharField(_("事项名称"), max_length=200)
    description = models.TextField(_("事项描述"), blank=True)
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    exclusions = models.JSONField(_("排除词"), default=list, blank=True)
    # Either a named lead department, or "territorial": the street office where the demand is.
    lead_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="led_matters"
    )
    lead_is_territorial = models.BooleanField(_("属地主责"), default=False)
    assisting_departments = models.ManyToManyField(
        Department, blank=True, related_name="assisted_matters", verbose_name=_("协办部门")
    )
    assisted_by_territory = models.BooleanField(_("属地协办"), default=False)
    # An assisting department's part is due within this share of the lead's handling time, so
    # the lead has its contribution before its own deadline.
    assist_share_percent = models.PositiveSmallIntegerField(
        _("协办时限占比（%）"),
        default=DEFAULT_ASSIST_SHARE_PERCENT,
        validators=[MinValueValidator(MIN_ASSIST_SHARE_PERCENT), MaxValueValidator(100)],
        help_text=_("协办部门的办理期限占主办部门办理时限的百分比"),
    )
    sign_hours_normal = _limit_field(_("签收时限（一般，工作小时）"))
    sign_hours_urgent = _limit_field(_("签收时限（紧急，工作小时）"))
    sign_hours_critical = _limit_field(_("签收时限（特急，工作小时）"))
    handle_days_normal = _limit_field(_("办理时限（一般，工作日）"))
    handle_days_urgent = _limit_field(_("办理时限（紧急，工作日）"))
    handle_days_critical = _limit_field(_("办理时限（特急，工作日）"))
    legal_basis = models.TextField(_("法律依据"), blank=True)
    guidance = models.TextField(_("办理指引"), blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["code"]
        verbose_name = _("事项")
        verbose_name_plural = _("事项")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="matter_code_unique_per_version"),
            models.CheckConstraint(
                condition=Q(lead_department__isnull=False, lead_is_territorial=False)
                | Q(lead_department__isnull=True, lead_is_territorial=True),
                name="matter_has_exactly_one_kind_of_lead",
            ),
            models.CheckConstraint(
                condition=Q(sign_hours_normal__gte=F("sign_hours_urgent"))
                & Q(sign_hours_urgent__gte=F("sign_hours_critical"))
                & Q(handle_days_normal__gte=F("handle_days_urgent"))
                & Q(handle_days_urgent__gte=F("handle_days_critical"))
                & Q(sign_hours_critical__gt=0)
                & Q(handle_days_critical__gt=0),
                name="matter_time_limits_shrink_with_urgency",
            ),
            models.CheckConstraint(
                condition=Q(assist_share_percent__gte=MIN_ASSIST_SHARE_PERCENT, assist_share_percent__lte=100),
                name="matter_assist_share_is_a_percentage",
            ),
        ]
        indexes = [models.Index(fields=["code"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def sign_hours(self, urgency: str) -> Decimal:
        return getattr(self, f"sign_hours_{urgency}")

    def handle_days(self, urgency: str) -> Decimal:
        return getattr(self, f"handle_days_{urgency}")

    @property
    def lead_label(self) -> str:
        return "属地" if self.lead_is_territorial else str(self.lead_department)


class EditAction(models.TextChoices):
    CREATE_DRAFT = "create_draft", _("新建草稿")
    IMPORT = "import", _("导入")
    ADD = "add", _("新增事项")
    CHANGE = "change", _("修改事项")
    MOVE = "move", _("调整类别")
    REMOVE = "remove", _("删除事项")
    AMEND = "amend", _("采纳修订建议")
    PUBLISH = "publish", _("发布")
    RETIRE = "retire", _("废止")


class ListEdit(models.Model):
    """Every edit of a version, who made it and what changed ({field: [old, new]})."""

    version = models.ForeignKey(ListVersion, on_delete=models.CASCADE, related_name="edits")
    matter_code = models.CharField(_("事项编码"), max_length=32, blank=True)
    action = models.CharField(_("操作"), max_length=16, choices=EditAction.choices)
    changes = models.JSONField(default=dict, blank=True)
    note = models.CharField(_("说明"), max_length=255, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("清单修改记录")
        verbose_name_plural = _("清单修改记录")

    def __str__(self) -> str:
        return f"V{self.version_id} {self.action} {self.matter_code}"


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("未导入")


def import_upload_path(instance: "ImportJob", filename: str) -> str:
    return f"list-imports/{instance.created_at:%Y%m%d%H%M%S}-{filename}"


class ImportJob(models.Model):
    """A spreadsheet being imported as a new draft in the background, with its progress."""

    file = models.FileField(upload_to=import_upload_path)
    original_name = models.CharField(max_length=255)
    title = models.CharField(_("草稿名称"), max_length=200)
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    version = models.ForeignKey(ListVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("清单导入任务")
        verbose_name_plural = _("清单导入任务")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    # What its page asks of the job, named so that no template compares status strings.
    @property
    def is_underway(self) -> bool:
        return self.status in (ImportStatus.PENDING, ImportStatus.RUNNING)

    @property
    def is_done(self) -> bool:
        return self.status == ImportStatus.DONE

    @property
    def has_failed(self) -> bool:
        return self.status == ImportStatus.FAILED

    @property
    def percent(self) -> int:
        if self.status in (ImportStatus.DONE, ImportStatus.FAILED):
            return 100
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0


class AmendmentKind(models.TextChoices):
    CHANGE_LEAD = "change_lead", _("变更主责部门")
    ADD_ASSIST = "add_assist", _("增加协办部门")
    ADD_KEYWORD = "add_keyword", _("增加关键词")
    REMOVE_KEYWORD = "remove_keyword", _("删除关键词")
    SPLIT = "split", _("拆分事项")
    CHANGE_LIMIT = "change_limit", _("调整时限")


class AmendmentStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    ACCEPTED = "accepted", _("已采纳")
    DECLINED = "declined", _("未采纳")


class AmendmentProposal(models.Model):
    """A proposed change to a matter that came out of a dispute, citing the demand."""

    version = models.ForeignKey(ListVersion, on_delete=models.PROTECT, related_name="amendments")
    matter_code = models.CharField(_("事项编码"), max_length=32, db_index=True)
    matter_name = models.CharField(_("事项名称"), max_length=200)
    kind = models.CharField(_("修订类型"), max_length=16, choices=AmendmentKind.choices)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    territorial = models.BooleanField(_("属地"), default=False)
    keyword = models.CharField(_("关键词"), max_length=64, blank=True)
    limit_field = models.CharField(_("时限"), max_length=32, blank=True)
    limit_value = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    reason = models.TextField(_("理由"))
    # A string reference: demands sits above this app in the import order.
    demand = models.ForeignKey("demands.Demand", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=AmendmentStatus.choices, default=AmendmentStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("处理意见"), blank=True)
    applied_to = models.ForeignKey(ListVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("清单修订建议")
        verbose_name_plural = _("清单修订建议")

    def __str__(self) -> str:
        return f"{self.matter_code} {self.get_kind_display()}"

    @property
    def summary(self) -> str:
        target = "属地" if self.territorial else (self.department.name if self.department else "")
        detail = {
            AmendmentKind.CHANGE_LEAD: target,
            AmendmentKind.ADD_ASSIST: target,
            AmendmentKind.ADD_KEYWORD: self.keyword,
            AmendmentKind.REMOVE_KEYWORD: self.keyword,
            AmendmentKind.CHANGE_LIMIT: f"{self.limit_field} = {self.limit_value}",
        }.get(AmendmentKind(self.kind), "")
        return f"{self.get_kind_display()}{'：' + detail if detail else ''}"


class KnowledgeArticle(models.Model):
    """A ready answer to a question citizens ask (问答, 政策解答), kept by the list maintainers beside
    the list. It is tied to a matter by the matter's code, not by a row: published versions never
    change, and the code is what stays the same from one version to the next."""

    title = models.CharField(_("标题"), max_length=200)
    question = models.TextField(_("常见问题"))
    answer = models.TextField(_("答复口径"))
    matter_code = models.CharField(_("事项编码"), max_length=32, blank=True, db_index=True)
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    is_published = models.BooleanField(_("已发布"), default=True)
    # Title, question, keywords and answer in one lower-cased text, written by the service on every
    # save: a search looks for each word in it with a plain LIKE, which PostgreSQL and SQLite
    # answer alike (a lookup in the JSON keywords would not: SQLite stores Chinese as \u escapes).
    search_text = models.TextField(default="", blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["matter_code", "title"]
        verbose_name = _("知识库文章")
        verbose_name_plural = _("知识库文章")

    def __str__(self) -> str:
        return self.title
