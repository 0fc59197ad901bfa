from django.urls import path

from apps.repos.views import hooks

app_name = "hooks"

urlpatterns = [
    path("github/", hooks.github, name="github"),
    path("gitlab/", hooks.gitlab, name="gitlab"),
]
