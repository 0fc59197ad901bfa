from django.urls import path

from apps.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="report-list"),
    path("<int:report_id>/", views.report_detail, name="report-detail"),
    path("<int:report_id>/status/", views.report_status, name="report-status"),
    path("<int:report_id>/download/", views.report_download, name="report-download"),
]
