from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from demands.fields import EncryptedTextField, PhoneHashField
from demands.wording import SYSTEM_SENTENCES, in_reader_language
from demands.workflow import CITIZEN_STATUS_LABELS, Action, Status
from departments.models import Community, Department, Street
from responsibility_lists.models import ListVersion, Matter, Urgency


class Channel(models.TextChoices):
    WEB = "web", _("网页")
    HOTLINE = "hotline", _("12345热线")
    APP = "app", _("移动应用")
    LETTER = "letter", _("来信")
    VISIT = "visit", _("来访")
    API = "api", _("系统对接")


# What one submission may hold. The longest of the shared public messages runs to about 7,000
# characters; a limit well above it stops a paste of a whole document, not a real account.
TITLE_MAX_LENGTH = 200
CONTENT_MAX_LENGTH = 10_000
TITLE_TOO_LONG = _("标题不能超过200字。")
# The contact details are stored encrypted, in columns with no length of their own: these limits
# on the clear text are the service's to keep (demands.services.submission_errors).
CITIZEN_NAME_MAX_LENGTH = 64
CITIZEN_PHONE_MAX_LENGTH = 32
CITIZEN_ADDRESS_MAX_LENGTH = 255
CONTENT_TOO_LONG = _("诉求内容不能超过10000字，请精简，或把材料作为附件上传。")


# The citizen's contact details, encrypted at rest: a list that shows none of them leaves them
# unread (`.defer(*contact_fields("demand__"))`), as each costs a decryption per row.
CONTACT_FIELDS = ("citizen_name", "citizen_phone", "citizen_address")


def contact_fields(prefix: str = "") -> list[str]:
    return [f"{prefix}{name}" for name in CONTACT_FIELDS]


class Demand(models.Model):
    tracking_number = models.CharField(_("受理编号"), max_length=32, unique=True)
    # Only a keyed hash of the query code is kept (demands.services.hash_query_code): the citizen
    # holds the code, and the database without the server's key cannot give it up.
    query_code_hash = models.CharField(max_length=64)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices, default=Channel.WEB)
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
        _("满意度"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.TextField(_("评价意见"), blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    # How often the citizen reported it again while it was open (催办): each is an event too.
    follow_up_count = models.PositiveIntegerField(_("催办次数"), default=0)
    duplicate_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates")

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
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="rating_in_range"
            ),
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(duplicate_of__isnull=False), name="merged_names_original"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_number} {self.title}"

    @property
    def status_for_citizen(self) -> str:
        return str(CITIZEN_STATUS_LABELS.get(self.status, self.get_status_display()))


class DailySequence(models.Model):
    """The last tracking number handed out on a day (PS-20261127-000123 is the 123rd)."""

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


class AppendOnlyError(Exception):
    pass


def _append(row: models.Model, save, args, kwargs) -> None:
    """Insert an audit row in its place in the demand's hash chain; never update one. Here, in
    save(), rather than at each call site, so that no way of creating one single row can skip the
    chain (bulk inserts call demands.audit_chain.seal themselves)."""
    if row.pk is not None:
        raise AppendOnlyError(f"{type(row).__name__} rows are append-only.")
    from demands.audit_chain import seal

    with transaction.atomic():
        seal([row])
        save(*args, **kwargs)


# Who acted, for events without a user.
ACTOR_LABELS = {"citizen": _("群众"), "system": _("系统")}


CITIZEN_FACING_REASONS = frozenset(
    {Action.REJECT, Action.MERGE, Action.ASK_CITIZEN, Action.CITIZEN_SUPPLEMENT, Action.REOPEN, Action.RATE}
)


class DemandEvent(models.Model):
    """The append-only log: every change of a demand's state writes exactly one row."""

    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("动作"), max_length=32, choices=Action.choices)
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Who acted when there is no user: "citizen" or "system" (the router, a sweep).
    actor_label = models.CharField(max_length=150)  # a username, or a role of the system
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.TextField(_("原因"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Events shown to the citizen on the tracking page; internal notes stay internal.
    is_public = models.BooleanField(default=True)
    created_at = models.DateTimeField(db_index=True)
    # The event's place in its demand's hash chain (demands.audit_chain): 1, 2, 3…, the hash of
    # the event before it, and its own keyed hash over its content. The database refuses any
    # UPDATE or DELETE of the row (migration 0015).
    seq = models.PositiveIntegerField(default=0, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    row_hash = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("诉求事件")
        verbose_name_plural = _("诉求事件")
        constraints = [models.UniqueConstraint(fields=["demand", "seq"], name="one_event_per_chain_place")]

    def __str__(self) -> str:
        return f"{self.demand_id} {self.action} {self.from_status}→{self.to_status}"

    def save(self, *args, **kwargs):
        _append(self, super().save, args, kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Demand events are append-only.")

    @property
    def actor_display(self) -> str:
        return str(ACTOR_LABELS.get(self.actor_label, self.actor_label))

    @property
    def reason_for_reader(self) -> str:
        """The reason in the reader's language where the system wrote it: its wording and values
        are kept in the event's data, or it is one of the system's fixed sentences (see
        demands.wording). What a person wrote stays as written, unless it is word for word one of
        those sentences (the triage queue's one-click note is), which then says the same thing."""
        if self.reason in SYSTEM_SENTENCES:
            return gettext(self.reason)
        return in_reader_language(self.data, self.reason)

    @property
    def reason_is_for_citizens(self) -> bool:
        """Whether the citizen sees this event's wording: the reasons written to them (a refusal,
        a question) or by them; routing and internal notes stay with the staff."""
        return self.action in CITIZEN_FACING_REASONS


class ContactDisclosure(models.Model):
    """Every time a staff member unmasks a citizen's contact details, with why."""

    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="disclosures")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(_("用途"), max_length=200)
    # Set before the row is chained (its hash covers the time), not on save as auto_now_add would.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Chained per demand like the events (demands.audit_chain), and as append-only.
    seq = models.PositiveIntegerField(default=0, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    row_hash = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("联系方式查看记录")
        verbose_name_plural = _("联系方式查看记录")
        constraints = [models.UniqueConstraint(fields=["demand", "seq"], name="one_disclosure_per_chain_place")]

    def __str__(self) -> str:
        return f"{self.user} · {self.demand.tracking_number}"

    def save(self, *args, **kwargs):
        _append(self, super().save, args, kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Contact disclosures are append-only.")


class AuditCheckpoint(models.Model):
    """The state of the audit chains at a moment, written daily (demands.tasks.audit_checkpoint)
    where the event table cannot change it: how many events and disclosures there were and the
    last id of each, a digest over all chain heads, and a signature with the chain key over all
    of it and the checkpoint before. Append-only in the database like the events. What a demand's
    own chain cannot show (its latest events deleted, a table emptied) shows against these."""

    created_at = models.DateTimeField(_("记录时间"))
    event_count = models.PositiveBigIntegerField()
    event_last_id = models.PositiveBigIntegerField(default=0)
    disclosure_count = models.PositiveBigIntegerField()
    disclosure_last_id = models.PositiveBigIntegerField(default=0)
    # sha256 over the previous checkpoint's digest and the heads recorded with this one.
    heads_digest = models.CharField(max_length=64)
    prev_signature = models.CharField(max_length=64, blank=True)
    signature = models.CharField(max_length=64)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("审计校验点")
        verbose_name_plural = _("审计校验点")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} · {self.event_count}"


class AuditCheckpointHead(models.Model):
    """A chain head recorded by a checkpoint: the last row of one demand's chain of events (or of
    disclosures) then. Only heads that moved since the checkpoint before are written."""

    checkpoint = models.ForeignKey(AuditCheckpoint, on_delete=models.PROTECT, related_name="heads")
    kind = models.CharField(max_length=16)  # "event" or "disclosure"
    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveIntegerField()
    record_id = models.PositiveBigIntegerField()
    row_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("审计校验点链头")
        verbose_name_plural = _("审计校验点链头")
        indexes = [models.Index(fields=["kind", "demand"], name="audit_head_demand_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.demand_id}#{self.seq}"


class PhoneSearch(models.Model):
    """Every search of the desk by a phone number, found or not, refused or not: who looked, for
    which number (its keyed hash only: the record must not hold the number it protects) and how
    many demands it found. A search by a full number tells whose it is as an unmask does, so it
    is recorded like one; and one row per search, not per demand found, so that the searches that
    found nothing, which is what trying the numbers behind a mask looks like, are seen too. The
    hourly limit counts these rows."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    phone_hash = models.CharField(max_length=64)
    found = models.PositiveIntegerField(_("找到件数"), default=0)
    refused = models.BooleanField(_("超出次数被拒绝"), default=False)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("电话号码查找记录")
        verbose_name_plural = _("电话号码查找记录")
        indexes = [models.Index(fields=["user", "created_at"], name="phone_search_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.phone_hash[:8]}… · {self.created_at:%Y-%m-%d %H:%M}"


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    SKIPPED = "skipped", _("未发送（非手机号码）")
    DECLINED = "declined", _("未发送（群众不接收短信）")


class CitizenMessage(models.Model):
    """A text message to a citizen about their demand, written in the same transaction as the
    event it tells of (so it is never lost) and sent afterwards through the gateway."""

    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="text_messages")
    event = models.ForeignKey(DemandEvent, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("事由"), max_length=32, choices=Action.choices)
    body = models.TextField(_("内容"))
    status = models.CharField(_("状态"), max_length=16, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("生成时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    # The claim of the attempt under way: no other worker tries the message again until a while
    # after it, so a worker lost mid-send costs one counted attempt, not an endless resend.
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # When someone was asked to phone the citizen instead (a message that failed, or a question
    # that could not be texted).
    followed_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("群众短信")
        verbose_name_plural = _("群众短信")
        constraints = [
            models.UniqueConstraint(fields=["event", "demand"], name="one_message_per_event_and_demand"),
        ]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(status="pending"), name="citizen_message_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.demand_id} {self.kind} {self.status}"


class PhoneCode(models.Model):
    """A one-time code texted to a mobile phone, so that whoever holds the phone can list its
    demands without their query codes (demands.phone_access). Only hashes are kept: the phone's,
    keyed with the secret key, to count and find the codes sent to it; and the code's. The code
    itself goes straight to the gateway, never to the outbox, a task's arguments or the log."""

    phone_hash = models.CharField(max_length=64)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    # Ten minutes after it was sent, or at once when a newer code replaces it or sending failed.
    expires_at = models.DateTimeField()
    failed_checks = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("手机验证码")
        verbose_name_plural = _("手机验证码")
        indexes = [
            models.Index(fields=["phone_hash", "created_at"], name="phone_code_phone_idx"),
            models.Index(fields=["created_at"], name="phone_code_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.phone_hash[:8]}… {self.created_at:%Y-%m-%d %H:%M}"
