from django.contrib import admin
from django.contrib.admin.actions import delete_selected
from django.db import transaction

from apps.audit.services import record_event


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Shows rows and nothing more: for history, and for content changed only by services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.action(permissions=["delete"], description=delete_selected.short_description)
def delete_selected_audited(modeladmin, request, queryset):
    # Django's bulk delete runs outside a transaction; each deletion's event needs one.
    with transaction.atomic():
        return delete_selected(modeladmin, request, queryset)


class AuditedModelAdmin(admin.ModelAdmin):
    """Edits rows directly, as the admin does, and writes each addition, change and
    deletion to the audit trail in the same transaction: `<audit_subject>.created`,
    `.updated` or `.deleted`, with the admin's change message (field names, never
    values) and `"via": "admin"`.

    Django runs the add, change and delete views in a transaction; the bulk delete
    action, which it does not, is wrapped here."""

    audit_subject: str  # "team": the name the services' events use

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            actions["delete_selected"] = (
                delete_selected_audited,
                "delete_selected",
                delete_selected.short_description,
            )
        return actions

    def organization_of(self, obj):
        return obj.organization

    def _audit(self, request, obj, verb: str, data: dict) -> None:
        record_event(
            organization=self.organization_of(obj),
            actor=request.user,
            action=f"{self.audit_subject}.{verb}",
            target=obj,
            data={"via": "admin", **data},
        )

    def log_addition(self, request, obj, message):
        self._audit(request, obj, "created", {"change": message})
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._audit(request, obj, "updated", {"change": message})
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._audit(request, obj, "deleted", {"name": str(obj)})
        return super().log_deletions(request, queryset)
