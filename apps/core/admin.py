from django.contrib import admin


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Shows rows and nothing more: for history, and for content changed only by services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
