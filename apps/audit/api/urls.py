from django.urls import path

from apps.audit.api import views

app_name = "audit-api"

urlpatterns = [
    path("events/", views.AuditEventListApi.as_view(), name="event-list"),
    path("events/<int:seq>/", views.AuditEventDetailApi.as_view(), name="event-detail"),
    path("verify/", views.AuditVerifyApi.as_view(), name="verify"),
]
