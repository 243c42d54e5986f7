from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that change only through the services, which write their history: the admin
    shows them and never adds, edits or deletes one."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
