from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from config.admin_mixins import ReadOnlyAdmin
from dispatch.models import (
    Assignment,
    CentreReviewRule,
    Delegation,
    DuplicateSuggestion,
    ExtensionRequest,
    HardCaseConsultation,
    IdempotencyRecord,
    InfoRequest,
    LeaderInstruction,
    Notification,
    ReplyReview,
    ReplyTemplate,
    ReturnRequest,
    Supervision,
    WebhookDelivery,
    WebhookKind,
    WebhookSubscription,
)
from dispatch.webhooks import new_secret, replay


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = [
        "demand",
        "department",
        "role",
        "status",
        "sign_deadline",
        "handle_deadline",
        "is_redispatch",
    ]
    list_filter = ["role", "status", "is_redispatch", "department"]
    search_fields = ["demand__tracking_number", "department__name"]


@admin.register(ReturnRequest)
class ReturnRequestAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "reason_code", "status", "requested_at", "ruled_at"]
    list_filter = ["reason_code", "status"]


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "extra_days", "status", "requested_at", "decided_at"]
    list_filter = ["status"]


@admin.register(InfoRequest)
class InfoRequestAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "status", "asked_at", "lapses_at", "closed_at"]
    list_filter = ["status"]


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "department", "created_by", "created_at"]
    list_filter = ["department"]


@admin.register(DuplicateSuggestion)
class DuplicateSuggestionAdmin(ReadOnlyAdmin):
    list_display = ["demand", "original", "similarity", "status", "created_at"]
    list_filter = ["status"]


@admin.register(Supervision)
class SupervisionAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "supervisor", "response_deadline", "created_at", "responded_at"]


@admin.register(HardCaseConsultation)
class HardCaseConsultationAdmin(ReadOnlyAdmin):
    list_display = ["demand", "lead", "convened_by", "created_at"]


@admin.register(LeaderInstruction)
class LeaderInstructionAdmin(ReadOnlyAdmin):
    list_display = ["demand", "leader_name", "deadline", "created_at", "answered_at"]


@admin.register(Delegation)
class DelegationAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "kind", "to_department", "to_user", "deadline", "status", "closed_at"]
    list_filter = ["kind", "status"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "kind", "message", "read_at", "emailed_at"]
    list_filter = ["kind"]


@admin.register(ReplyReview)
class ReplyReviewAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "stage", "status", "submitted_by", "submitted_at", "reviewer", "decided_at"]
    list_filter = ["stage", "status"]


@admin.register(CentreReviewRule)
class CentreReviewRuleAdmin(admin.ModelAdmin):
    """The categories and matters whose replies the centre reviews before the citizen sees them."""

    list_display = ["category_name", "matter_code", "note", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["category_name", "matter_code", "note"]


class WebhookSubscriptionForm(forms.ModelForm):
    url = forms.URLField(label=_("接收地址"), max_length=500, assume_scheme="https")
    kinds = forms.MultipleChoiceField(
        label=_("推送的变化"),
        choices=WebhookKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则推送全部变化。"),
    )

    class Meta:
        model = WebhookSubscription
        fields = ["name", "url", "source_system", "kinds", "is_active"]


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    """A new subscription's signing secret is made here and shown once, in the message after
    saving; "issue a new secret" replaces it (the receiver must take the new one)."""

    form = WebhookSubscriptionForm
    list_display = ["name", "url", "source_system", "is_active", "last_sequence", "created_at"]
    readonly_fields = ["last_sequence", "created_at"]
    actions = ["issue_new_secret"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.secret = new_secret()
        super().save_model(request, obj, form, change)
        if not change:
            self.message_user(
                request,
                _("推送订阅“%(name)s”的签名密钥（只显示这一次）：%(secret)s")
                % {"name": obj.name, "secret": obj.secret},
            )

    @admin.action(description=_("签发新签名密钥"))
    def issue_new_secret(self, request, queryset):
        for subscription in queryset:
            subscription.secret = new_secret()
            subscription.save(update_fields=["secret"])
            self.message_user(
                request,
                _("推送订阅“%(name)s”的新签名密钥（只显示这一次）：%(secret)s")
                % {"name": subscription.name, "secret": subscription.secret},
            )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """The delivery log per subscription; "send again" replays deliveries, in their order."""

    list_display = [
        "subscription", "sequence", "kind", "status", "attempts", "next_attempt_at", "last_status_code",
        "last_error", "delivered_at",
    ]  # fmt: skip
    list_filter = ["subscription", "status", "kind"]
    actions = ["send_again"]

    @admin.action(description=_("重新推送"))
    def send_again(self, request, queryset):
        count = replay(list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("已安排重新推送 %(count)d 条。") % {"count": count})


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    """The API's remembered creates (Idempotency-Key), for tracing a client's retries; the
    answers themselves stay out of sight (they may hold a query code)."""

    list_display = ["client", "key", "status_code", "created_at"]
    list_filter = ["status_code"]
    search_fields = ["client", "key"]
    exclude = ["response_body"]
