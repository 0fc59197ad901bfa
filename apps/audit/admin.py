from django.contrib import admin

from apps.audit.models import AuditEvent, Chain
from apps.audit.selectors import with_actor_username


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
    # ts and the rest are derived from the hashed text by the database.
    list_display = [
        "seq",
        "chain",
        "ts",
        "actor",
        "actor_type",
        "action",
        "object_type",
        "object_id",
    ]
    list_filter = ["actor_type", "chain"]
    list_select_related = ["chain"]
    search_fields = ["action", "object_type", "object_id"]
    ordering = ["chain", "-seq"]

    def get_queryset(self, request):
        # The usernames come with the page, in the same query.
        return with_actor_username(super().get_queryset(request))

    @admin.display(description="actor", ordering="actor_username")
    def actor(self, event: AuditEvent) -> str:
        return event.actor_username or event.actor_id or "-"
