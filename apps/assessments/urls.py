from django.urls import path

from apps.assessments import views

app_name = "assessments"

urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("start/", views.assessment_start, name="start"),
    path("<int:pk>/", views.assessment_overview, name="overview"),
    path("<int:pk>/d/<slug:dimension>/", views.questionnaire_page, name="dimension"),
    path("<int:pk>/evidence/add/", views.evidence_add, name="evidence-add"),
    path("<int:pk>/submit/", views.submit_review, name="submit"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/assess/", views.assess, name="assess"),
]
