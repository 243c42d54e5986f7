from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from config.admin_mixins import ReadOnlyAdmin
from demands.models import (
    Attachment,
    AuditCheckpoint,
    AuditCheckpointHead,
    Channel,
    CitizenMessage,
    ContactDisclosure,
    DailySequence,
    Demand,
    DemandEvent,
    PhoneCode,
    PhoneSearch,
    Reply,
    SourceSystem,
)
from demands.privacy import mask_name, mask_phone
from demands.sources import SYSTEM_CHANNELS, source_system_new_key, source_system_register


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    readonly_fields = ["original_name", "content_type", "size", "uploaded_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ReplyInline(admin.TabularInline):
    model = Reply
    extra = 0
    readonly_fields = ["department", "author", "body", "created_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = DemandEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "created_at",
        "action",
        "from_status",
        "to_status",
        "actor_label",
        "department",
        "reason",
    )

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Demand)
class DemandAdmin(ReadOnlyAdmin):
    """Read-only: states change through the services (the pages and the API), never by editing
    a row here, so every change keeps its event."""

    list_display = ["tracking_number", "title", "status", "channel", "masked_citizen", "submitted_at"]
    list_filter = ["status", "channel", "urgency", "street"]
    # Read-only still builds the form: a link without its scheme reads as https, as Django 6 will.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    search_fields = ["tracking_number", "title"]
    date_hierarchy = "submitted_at"
    exclude = ["query_code_hash", "citizen_name", "citizen_phone", "citizen_address"]
    inlines = [AttachmentInline, ReplyInline, EventInline]

    @admin.display(description=_("诉求人"))
    def masked_citizen(self, obj: Demand) -> str:
        return f"{mask_name(obj.citizen_name)} {mask_phone(obj.citizen_phone)}"


@admin.register(DemandEvent)
class DemandEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "demand", "action", "from_status", "to_status", "actor_label", "department"]
    list_filter = ["action", "to_status"]
    search_fields = ["demand__tracking_number"]


@admin.register(Reply)
class ReplyAdmin(ReadOnlyAdmin):
    """Read-only: an answer the citizen was given, or an assisting department's part of it, is
    part of the record; it is never edited, hidden or deleted here, where no event would say so."""

    list_display = ["demand", "department", "author", "is_contribution", "created_at"]
    search_fields = ["demand__tracking_number"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    """Read-only, as the demand it came with."""

    list_display = ["demand", "original_name", "content_type", "size", "uploaded_at"]
    search_fields = ["demand__tracking_number"]


@admin.register(ContactDisclosure)
class ContactDisclosureAdmin(ReadOnlyAdmin):
    """The record of who unmasked a citizen's contact details: read-only, for auditors."""

    list_display = ["created_at", "user", "demand", "purpose"]
    search_fields = ["demand__tracking_number", "user__username"]
    date_hierarchy = "created_at"


@admin.register(PhoneSearch)
class PhoneSearchAdmin(ReadOnlyAdmin):
    """Who searched the desk by a phone number, when, and what it found: read-only, for
    auditors, beside the unmasks. The number itself is not kept, only its keyed hash."""

    list_display = ["created_at", "user", "short_hash", "found", "refused"]
    list_filter = ["refused"]
    search_fields = ["user__username"]
    date_hierarchy = "created_at"

    @admin.display(description=_("号码（密钥散列）"))
    def short_hash(self, search: PhoneSearch) -> str:
        return f"{search.phone_hash[:12]}…"


@admin.register(DailySequence)
class DailySequenceAdmin(ReadOnlyAdmin):
    list_display = ["day", "last"]


@admin.register(CitizenMessage)
class CitizenMessageAdmin(ReadOnlyAdmin):
    """The text messages to citizens and how their sending went; the number stays masked."""

    list_display = ["created_at", "tracking_number", "kind", "status", "attempts", "masked_phone", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["demand__tracking_number"]
    fields = readonly_fields = (
        "tracking_number",
        "masked_phone",
        "kind",
        "body",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    )
    list_select_related = ["demand"]

    @admin.display(description=_("受理编号"))
    def tracking_number(self, message: CitizenMessage) -> str:
        return message.demand.tracking_number

    @admin.display(description=_("联系电话"))
    def masked_phone(self, message: CitizenMessage) -> str:
        return mask_phone(message.demand.citizen_phone)


@admin.register(PhoneCode)
class PhoneCodeAdmin(ReadOnlyAdmin):
    """One-time codes asked for: when, and whether they were used or tried wrongly (a phone under
    attack shows as many failed checks). Neither the phone nor the code is kept to show."""

    list_display = fields = readonly_fields = ("created_at", "expires_at", "failed_checks", "used_at")


# Tuples: the admin's attributes are typed differently (a column may be a callable, a field a
# fieldset), and only an immutable sequence of names fits all of them.
CHECKPOINT_COLUMNS = ("created_at", "event_count", "event_last_id", "disclosure_count", "disclosure_last_id")
CHECKPOINT_HEAD_COLUMNS = ("checkpoint", "kind", "demand", "seq", "record_id")


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdmin):
    """The daily signed state of the audit chains (demands.audit_chain): read-only, as the
    database keeps it; `manage.py verify_audit_log` checks the trail against it."""

    list_display = CHECKPOINT_COLUMNS
    fields = readonly_fields = (*CHECKPOINT_COLUMNS, "heads_digest", "signature")


@admin.register(AuditCheckpointHead)
class AuditCheckpointHeadAdmin(ReadOnlyAdmin):
    list_display = CHECKPOINT_HEAD_COLUMNS
    fields = readonly_fields = (*CHECKPOINT_HEAD_COLUMNS, "row_hash")


@admin.register(SourceSystem)
class SourceSystemAdmin(admin.ModelAdmin):
    """Registering a system issues its key, shown once in the message after saving; only its
    prefix and hash are kept. "Issue a new key" ends the old one at once."""

    list_display = ["name", "channel", "hands_down", "is_active", "key_prefix", "key_issued_at", "last_used_at"]
    list_filter = ["channel", "is_active"]
    readonly_fields = ["key_prefix", "key_issued_at", "last_used_at", "created_at"]
    exclude = ["key_hash"]
    actions = ["issue_new_key"]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "channel":
            kwargs["choices"] = [(value, label) for value, label in Channel.choices if value in SYSTEM_CHANNELS]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # The channel is part of what the system's demands record: fixed once registered.
        return [*self.readonly_fields, "channel"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        issued = source_system_register(name=obj.name, channel=obj.channel, hands_down=obj.hands_down)
        obj.pk, obj.key_prefix, obj.key_issued_at = (
            issued.system.pk,
            issued.system.key_prefix,
            issued.system.key_issued_at,
        )
        self.message_user(
            request, _("来源系统“%(name)s”的密钥（只显示这一次）：%(key)s") % {"name": obj.name, "key": issued.key}
        )

    @admin.action(description=_("签发新密钥（旧密钥立即失效）"))
    def issue_new_key(self, request, queryset):
        for system in queryset:
            issued = source_system_new_key(system_id=system.pk)
            self.message_user(
                request,
                _("来源系统“%(name)s”的新密钥（只显示这一次）：%(key)s") % {"name": system.name, "key": issued.key},
            )
