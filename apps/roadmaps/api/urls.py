from django.urls import path

from apps.roadmaps.api import views

app_name = "roadmaps-api"

TEAM = "teams/<int:team_id>/"

urlpatterns = [
    path(TEAM, views.TeamRoadmapApi.as_view(), name="team-roadmap"),
    path(
        TEAM + "generate/",
        views.TeamRoadmapGenerateApi.as_view(),
        name="team-roadmap-generate",
    ),
    path(
        "items/<int:item_id>/",
        views.RoadmapItemDetailApi.as_view(),
        name="item-detail",
    ),
    path("gaps/", views.OrgGapsApi.as_view(), name="gaps"),
]
