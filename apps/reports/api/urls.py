from django.urls import path

from apps.reports.api import views

app_name = "reports-api"

urlpatterns = [
    path("", views.ReportListApi.as_view(), name="report-list"),
    path("<int:report_id>/", views.ReportDetailApi.as_view(), name="report-detail"),
    path(
        "<int:report_id>/download/",
        views.ReportDownloadApi.as_view(),
        name="report-download",
    ),
]
