from django.contrib import admin

from config.admin_mixins import ReadOnlyAdmin
from demands.models import Attachment, ContactDisclosure, DailySequence, Demand, DemandEvent, Reply
from demands.privacy import mask_name, mask_phone


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    readonly_fields = ["original_name", "content_type", "size", "uploaded_at"]


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
    fields = ["created_at", "action", "from_status", "to_status", "actor_label", "department", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Demand)
class DemandAdmin(ReadOnlyAdmin):
    """Read-only: states change through the services (the pages and the API), never by editing
    a row here, so every change keeps its event."""

    list_display = ["tracking_number", "title", "status", "channel", "masked_citizen", "submitted_at"]
    list_filter = ["status", "channel", "urgency", "street"]
    search_fields = ["tracking_number", "title"]
    date_hierarchy = "submitted_at"
    exclude = ["query_code_hash", "citizen_name", "citizen_phone", "citizen_address"]
    inlines = [AttachmentInline, ReplyInline, EventInline]

    @admin.display(description="诉求人")
    def masked_citizen(self, obj: Demand) -> str:
        return f"{mask_name(obj.citizen_name)} {mask_phone(obj.citizen_phone)}"


@admin.register(DemandEvent)
class DemandEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "demand", "action", "from_status", "to_status", "actor_label", "department"]
    list_filter = ["action", "to_status"]
    search_fields = ["demand__tracking_number"]


@admin.register(Reply)
class ReplyAdmin(admin.ModelAdmin):
    list_display = ["demand", "department", "author", "created_at"]
    readonly_fields = ["demand", "department", "author", "body", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["demand", "original_name", "content_type", "size", "uploaded_at"]
    readonly_fields = ["demand", "file", "original_name", "content_type", "size", "uploaded_at"]

    def has_add_permission(self, request):
        return False


@admin.register(ContactDisclosure)
class ContactDisclosureAdmin(ReadOnlyAdmin):
    """The record of who unmasked a citizen's contact details: read-only, for auditors."""

    list_display = ["created_at", "user", "demand", "purpose"]
    search_fields = ["demand__tracking_number", "user__username"]
    date_hierarchy = "created_at"


@admin.register(DailySequence)
class DailySequenceAdmin(ReadOnlyAdmin):
    list_display = ["day", "last"]
