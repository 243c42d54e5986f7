from django.contrib import admin

from config.admin_mixins import ReadOnlyAdmin
from responsibility_lists.models import (
    AmendmentProposal,
    Category,
    ImportJob,
    KnowledgeArticle,
    ListEdit,
    ListVersion,
    Matter,
)


class FrozenVersionAdmin(admin.ModelAdmin):
    """Rows of a published or retired version are read-only here: the list is law at a point in time."""

    def _frozen(self, obj) -> bool:
        version = obj if isinstance(obj, ListVersion) else getattr(obj, "version", None)
        return bool(version and version.is_frozen)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and self._frozen(obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and self._frozen(obj))


@admin.register(ListVersion)
class ListVersionAdmin(FrozenVersionAdmin):
    list_display = ["number", "title", "status", "effective_from", "published_at"]
    list_filter = ["status"]
    readonly_fields = ["status", "published_at", "published_by"]


@admin.register(Category)
class CategoryAdmin(FrozenVersionAdmin):
    list_display = ["name", "parent", "version", "position"]
    list_filter = ["version"]
    search_fields = ["name"]


@admin.register(Matter)
class MatterAdmin(FrozenVersionAdmin):
    list_display = ["code", "name", "category", "lead_label", "version"]
    list_filter = ["version", "lead_is_territorial", "category__parent"]
    search_fields = ["code", "name", "keywords"]
    filter_horizontal = ["assisting_departments"]
    autocomplete_fields = ["lead_department"]


@admin.register(ListEdit)
class ListEditAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "version", "action", "matter_code", "actor"]
    list_filter = ["action", "version"]
    search_fields = ["matter_code"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["created_at", "original_name", "status", "processed_rows", "total_rows", "version", "created_by"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(AmendmentProposal)
class AmendmentProposalAdmin(ReadOnlyAdmin):
    """Proposals are filed and decided on the pages, which apply and record them."""

    list_display = ["created_at", "matter_code", "kind", "status", "proposed_by", "decided_by"]
    list_filter = ["status", "kind"]
    search_fields = ["matter_code", "matter_name"]


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(ReadOnlyAdmin):
    """Articles are written on the knowledge base's pages, which keep their search text and editor."""

    list_display = ["title", "matter_code", "is_published", "updated_at", "updated_by"]
    list_filter = ["is_published"]
    search_fields = ["title", "matter_code"]
