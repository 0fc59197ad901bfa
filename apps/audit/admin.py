from django.contrib import admin

from apps.audit.models import AuditEvent, Chain
from apps.audit.selectors import with_actor_username
from apps.core.admin import ReadOnlyModelAdmin


@admin.register(Chain)
class ChainAdmin(ReadOnlyModelAdmin):
    list_display = ["key", "organization", "head_seq", "created_at"]
    list_select_related = ["organization"]
    search_fields = ["key", "organization__slug"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
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
