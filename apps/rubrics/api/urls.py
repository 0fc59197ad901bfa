from django.urls import path

from apps.rubrics.api import views

app_name = "rubrics-api"

urlpatterns = [
    path("rubrics/", views.RubricListApi.as_view(), name="rubric-list"),
    # Before <version>/: "settings" would otherwise read as a version.
    path(
        "rubrics/<slug:slug>/settings/",
        views.DimensionSettingsApi.as_view(),
        name="dimension-settings",
    ),
    path(
        "rubrics/<slug:slug>/<str:version>/",
        views.RubricDetailApi.as_view(),
        name="rubric-detail",
    ),
    path(
        "rubrics/<slug:slug>/<str:version>/export/",
        views.RubricExportApi.as_view(),
        name="rubric-export",
    ),
    path(
        "teams/<int:team_id>/targets/",
        views.TeamTargetsApi.as_view(),
        name="team-targets",
    ),
]
