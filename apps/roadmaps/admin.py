"""Read-only views of roadmaps for operators: generation and the team's edits go
through the services (and the audit trail), never the admin."""

from django.contrib import admin

from apps.core.admin import ReadOnlyModelAdmin
from apps.roadmaps.models import Roadmap, RoadmapItem


@admin.register(Roadmap)
class RoadmapAdmin(ReadOnlyModelAdmin):
    list_display = ("team", "revision", "floor", "generated_at", "engine_version")
    list_select_related = ("team",)
    search_fields = ("team__name",)


@admin.register(RoadmapItem)
class RoadmapItemAdmin(ReadOnlyModelAdmin):
    list_display = ("criterion_key", "roadmap", "phase", "rank", "status", "owner")
    list_filter = ("phase", "status", "kind")
    list_select_related = ("roadmap__team", "owner")
    search_fields = ("criterion_key", "roadmap__team__name")
