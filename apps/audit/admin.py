from django.contrib import admin

from apps.audit.models import AuditEvent, Chain


class ReadOnlyAdmin(admin.ModelAdmin):
    """History is append-only: the admin shows it and nothing more."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Chain)
class ChainAdmin(ReadOnlyAdmin):
    list_display = ["key", "organization", "head_seq", "created_at"]
    list_select_related = ["organization"]
    search_fields = ["key", "organization__slug"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = [
        "seq",
        "chain",
        "occurred_at",
        "actor",
        "actor_type",
        "action",
        "object_type",
        "object_id",
    ]
    list_filter = ["actor_type", "chain"]
    list_select_related = ["chain", "actor"]
    search_fields = ["action", "object_type", "object_id", "actor__username"]
    date_hierarchy = "occurred_at"
    ordering = ["chain", "-seq"]
