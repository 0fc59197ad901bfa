from django.urls import path

from apps.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.org_dashboard, name="org-dashboard"),
    path("teams/<int:team_id>/", views.team_dashboard, name="team-dashboard"),
    path(
        "data/<slug:panel>.csv",
        views.panel_download,
        {"extension": "csv"},
        name="panel-csv",
    ),
    path(
        "data/<slug:panel>.xlsx",
        views.panel_download,
        {"extension": "xlsx"},
        name="panel-xlsx",
    ),
]
