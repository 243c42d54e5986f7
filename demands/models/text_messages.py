"""What is texted to citizens' phones: the messages about their demands, and the one-time codes
that let whoever holds a phone list its demands."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config.choice_labels import QuickChoiceLabels
from demands.models.demand import Demand
from demands.models.records import DemandEvent
from demands.workflow import Action


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    SKIPPED = "skipped", _("未发送（非手机号码）")
    DECLINED = "declined", _("未发送（群众不接收短信）")


class CitizenMessage(QuickChoiceLabels, models.Model):
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

    @property
    def went_wrong(self) -> bool:
        """Failed for good, or still waiting after a failed try: the staff see how often it was tried."""
        return self.status == MessageStatus.FAILED or (self.status == MessageStatus.PENDING and self.attempts > 0)


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
