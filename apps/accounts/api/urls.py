from django.urls import path

from apps.accounts.api import views

app_name = "accounts-api"

urlpatterns = [
    path("me/", views.MeApi.as_view(), name="me"),
    path(
        "business-units/",
        views.BusinessUnitListApi.as_view(),
        name="business-unit-list",
    ),
    path("teams/", views.TeamListApi.as_view(), name="team-list"),
    path("teams/<int:team_id>/", views.TeamDetailApi.as_view(), name="team-detail"),
    path("users/", views.UserListApi.as_view(), name="user-list"),
    path("users/create/", views.UserCreateApi.as_view(), name="user-create"),
    path("memberships/", views.MembershipListApi.as_view(), name="membership-list"),
    path(
        "memberships/grant/",
        views.MembershipGrantApi.as_view(),
        name="membership-grant",
    ),
    path(
        "memberships/<int:membership_id>/revoke/",
        views.MembershipRevokeApi.as_view(),
        name="membership-revoke",
    ),
    path("tokens/", views.ApiTokenListApi.as_view(), name="token-list"),
    path("tokens/create/", views.ApiTokenCreateApi.as_view(), name="token-create"),
    path(
        "tokens/<int:token_id>/revoke/",
        views.ApiTokenRevokeApi.as_view(),
        name="token-revoke",
    ),
]
