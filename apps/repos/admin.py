"""Repositories change only through their services (each change audited): read-only
here. Credentials and webhook secrets are never shown."""

from django.contrib import admin

from apps.core.admin import ReadOnlyModelAdmin
from apps.repos.models import CIRun, LinkedRepo, Scan, Signal, WebhookDelivery


@admin.register(LinkedRepo)
class LinkedRepoAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "team", "provider", "project", "enabled"]
    list_filter = ["provider", "enabled"]
    list_select_related = ["team"]
    search_fields = ["name", "project", "clone_url"]
    exclude = ["credentials_encrypted", "webhook_secret_encrypted"]


@admin.register(Scan)
class ScanAdmin(ReadOnlyModelAdmin):
    list_display = ["repo", "status", "trigger", "commit", "started_at", "finished_at"]
    list_filter = ["status", "trigger"]
    list_select_related = ["repo"]


@admin.register(Signal)
class SignalAdmin(ReadOnlyModelAdmin):
    list_display = ["repo", "key", "value", "strength", "source", "observed_at"]
    list_filter = ["key", "value", "strength", "source"]
    list_select_related = ["repo"]


@admin.register(CIRun)
class CIRunAdmin(ReadOnlyModelAdmin):
    list_display = ["repo", "workflow", "event", "conclusion", "head_sha", "started_at"]
    list_filter = ["provider", "event", "conclusion"]
    list_select_related = ["repo"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyModelAdmin):
    list_display = [
        "provider",
        "delivery_id",
        "repo",
        "event",
        "outcome",
        "received_at",
    ]
    list_filter = ["provider", "outcome"]
    list_select_related = ["repo"]
