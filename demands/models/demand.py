"""A demand and what it holds: the citizen's words and contact details, its attachments and the
departments' replies."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from config.choice_labels import QuickChoiceLabels
from demands.fields import EncryptedTextField, PhoneHashField
from demands.workflow import CITIZEN_STATUS_LABELS, Status
from departments.models import Community, Department, Street
from responsibility_lists.models import ListVersion, Matter, Urgency


class Channel(models.TextChoices):
    WEB = "web", _("网页")
    HOTLINE = "hotline", _("12345热线")
    APP = "app", _("移动应用")
    LETTER = "letter", _("来信")
    VISIT = "visit", _("来访")
    API = "api", _("系统对接")
    MINI_PROGRAM = "mini_program", _("小程序")
    # Handed down by the city's 12345 platform (上级转办), with its number and deadline.
    CITY_PLATFORM = "city_platform", _("市12345平台转办")


class DemandType(models.TextChoices):
    """What the citizen is asking for (诉求类型). Blank is "not yet classified": demands taken in
    before types existed, and citizens who leave the choice to staff. Guessing 求助 for them would
    put unclassified cases in the figures as help requests; blank keeps them visibly apart until
    the dispatcher sets the type on the case page. (In a context of their own: 建议 is also a
    proposal to amend the list.)"""

    UNKNOWN = "", _("未分类")
    QUESTION = "question", pgettext_lazy("demand type", "咨询")
    HELP = "help", pgettext_lazy("demand type", "求助")
    COMPLAINT = "complaint", pgettext_lazy("demand type", "投诉")
    REPORT = "report", pgettext_lazy("demand type", "举报")
    SUGGESTION = "suggestion", pgettext_lazy("demand type", "建议")
    PRAISE = "praise", pgettext_lazy("demand type", "表扬")


# What one submission may hold. The longest of the shared public messages runs to about 7,000
# characters; a limit well above it stops a paste of a whole document, not a real account.
TITLE_MAX_LENGTH = 200
CONTENT_MAX_LENGTH = 10_000
TITLE_TOO_LONG = _("标题不能超过200字。")
# The contact details are stored encrypted, in columns with no length of their own: these limits
# on the clear text are the service's to keep (demands.services.submission_errors).
# The citizen's satisfaction with an answer, from 1 (very dissatisfied) to 5 (very satisfied).
LOWEST_RATING, HIGHEST_RATING = 1, 5
CITIZEN_NAME_MAX_LENGTH = 64
CITIZEN_PHONE_MAX_LENGTH = 32
CITIZEN_ADDRESS_MAX_LENGTH = 255
CONTENT_TOO_LONG = _("诉求内容不能超过10000字，请精简，或把材料作为附件上传。")


# The citizen's contact details, encrypted at rest: a list that shows none of them leaves them
# unread (`.defer(*contact_fields("demand__"))`), as each costs a decryption per row.
CONTACT_FIELDS = ("citizen_name", "citizen_phone", "citizen_address")


def contact_fields(prefix: str = "") -> list[str]:
    return [f"{prefix}{name}" for name in CONTACT_FIELDS]


class Demand(QuickChoiceLabels, models.Model):
    tracking_number = models.CharField(_("受理编号"), max_length=32, unique=True)
    # Only a keyed hash of the query code is kept (demands.services.hash_query_code): the citizen
    # holds the code, and the database without the server's key cannot give it up.
    query_code_hash = models.CharField(max_length=64)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices, default=Channel.WEB)
    # The database holds the default too: bulk loaders (benchmarks) insert rows without the column.
    demand_type = models.CharField(
        _("诉求类型"),
        max_length=16,
        choices=DemandType.choices,
        default=DemandType.UNKNOWN,
        db_default=DemandType.UNKNOWN,
        blank=True,
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # Encrypted at rest (demands.fields); never filtered or sorted on in SQL.
    citizen_name = EncryptedTextField(_("诉求人姓名"))
    citizen_phone = EncryptedTextField(_("联系电话"))
    citizen_address = EncryptedTextField(_("联系地址"), blank=True)
    # What the demands of one caller are found by (demands.phones.phone_hash).
    citizen_phone_hash = PhoneHashField(source="citizen_phone", db_index=True)
    # Whether the citizen wants text messages about the demand (receipt, question, answer…).
    wants_text_messages = models.BooleanField(_("接收短信通知"), default=True)

    title = models.CharField(_("标题"), max_length=TITLE_MAX_LENGTH)
    content = models.TextField(_("诉求内容"))
    location_text = models.CharField(_("事发地点"), max_length=255, blank=True)
    street = models.ForeignKey(Street, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # True when the citizen picked the community from the list, so routing takes it as given
    # instead of reading the place from the text.
    community_picked = models.BooleanField(default=False)
    # The 大类 the citizen thought fitting, if any: shown to dispatchers, never binding.
    category_hint = models.CharField(_("群众所选类别"), max_length=100, blank=True)
    # The language the citizen used to submit: the text messages to them are written in it.
    citizen_language = models.CharField(
        _("群众使用的语言"), max_length=16, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    urgency = models.CharField(_("紧急程度"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)

    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.SUBMITTED, db_index=True)
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    list_version = models.ForeignKey(
        ListVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="demands"
    )
    lead_department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    due_at = models.DateTimeField(_("办理期限"), null=True, blank=True)

    rating = models.PositiveSmallIntegerField(
        _("满意度"),
        null=True,
        blank=True,
        validators=[MinValueValidator(LOWEST_RATING), MaxValueValidator(HIGHEST_RATING)],
    )
    rating_comment = models.TextField(_("评价意见"), blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    # How often the citizen reported it again while it was open (催办): each is an event too.
    follow_up_count = models.PositiveIntegerField(_("催办次数"), default=0)
    duplicate_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates")
    # The system that submitted it (demands.models.sources), its number there, and, for a case
    # handed down by a higher platform, that platform's deadline, which bounds the departments'.
    source_system = models.ForeignKey(
        "demands.SourceSystem",
        verbose_name=_("来源系统"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="demands",
    )
    source_reference = models.CharField(_("来源编号"), max_length=64, blank=True)
    upstream_deadline = models.DateTimeField(_("上级办理期限"), null=True, blank=True)
    # What an Open311 client said (dispatch/open311): the service (list matter code) it picked,
    # the point (WGS84) and a link to its photo. The router still decides the matter.
    requested_service_code = models.CharField(_("申报事项编码"), max_length=32, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    media_url = models.URLField(_("图片链接"), max_length=500, blank=True)

    submitted_at = models.DateTimeField(_("提交时间"), db_index=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # When the citizen's personal data was removed after the retention period (demands.retention);
    # the case itself stays for the figures.
    anonymised_at = models.DateTimeField(_("匿名化时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        indexes = [
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["status", "replied_at"], name="demand_replied_idx"),
            # A department's ratings of the last 30 days (dispatch/department_figures.py) start
            # from the ratings given in the period, not from every demand.
            models.Index(fields=["rated_at"], name="demand_rated_idx", condition=Q(rating__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="rating_in_range"
            ),
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(duplicate_of__isnull=False), name="merged_names_original"
            ),
            models.UniqueConstraint(
                fields=["source_system", "source_reference"],
                condition=~Q(source_reference=""),
                name="one_demand_per_source_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_number} {self.title}"

    @property
    def status_for_citizen(self) -> str:
        return str(CITIZEN_STATUS_LABELS.get(self.status, self.get_status_display()))


class DailySequence(models.Model):
    """The last tracking number handed out on a day (PS-20261127-000123 is the 123rd). Counted in a
    transaction of its own (demands.services._next_tracking_number), so a failed submission may
    leave a gap."""

    day = models.DateField(_("日期"), primary_key=True)
    last = models.PositiveIntegerField(_("当日已发出的最后序号"), default=0)

    class Meta:
        verbose_name = _("受理编号日序")
        verbose_name_plural = _("受理编号日序")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"attachments/{instance.demand.tracking_number}/{filename}"


class Attachment(models.Model):
    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.original_name


class Reply(models.Model):
    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="replies")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("答复内容"))
    # An assisting department's opinion, given to the lead: staff read it, the citizen gets the
    # lead's answer only.
    is_contribution = models.BooleanField(_("协办意见"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("答复")
        verbose_name_plural = _("答复")

    def __str__(self) -> str:
        return f"{self.demand.tracking_number} · {self.department}"
