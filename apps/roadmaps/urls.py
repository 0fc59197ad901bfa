from django.urls import path

from apps.roadmaps import views

app_name = "roadmaps"

urlpatterns = [
    path("", views.roadmap_list, name="roadmap-list"),
    path("teams/<int:team_id>/", views.roadmap_detail, name="roadmap-detail"),
    path(
        "teams/<int:team_id>/generate/",
        views.roadmap_generate,
        name="roadmap-generate",
    ),
    path("teams/<int:team_id>/roadmap.csv", views.roadmap_csv, name="roadmap-csv"),
    path(
        "teams/<int:team_id>/roadmap.md",
        views.roadmap_markdown,
        name="roadmap-markdown",
    ),
    path("items/<int:item_id>/", views.item_update, name="item-update"),
]
