from django.urls import path

from apps.webhooks.api import views

app_name = "webhooks-api"

SUBSCRIPTION = "subscriptions/<int:subscription_id>/"

urlpatterns = [
    path("events/", views.WebhookEventListApi.as_view(), name="event-list"),
    path(
        "subscriptions/",
        views.WebhookSubscriptionListApi.as_view(),
        name="subscription-list",
    ),
    path(
        "subscriptions/create/",
        views.WebhookSubscriptionCreateApi.as_view(),
        name="subscription-create",
    ),
    path(
        SUBSCRIPTION,
        views.WebhookSubscriptionDetailApi.as_view(),
        name="subscription-detail",
    ),
    path(
        SUBSCRIPTION + "update/",
        views.WebhookSubscriptionUpdateApi.as_view(),
        name="subscription-update",
    ),
    path(
        SUBSCRIPTION + "delete/",
        views.WebhookSubscriptionDeleteApi.as_view(),
        name="subscription-delete",
    ),
    path(
        SUBSCRIPTION + "rotate-secret/",
        views.WebhookSubscriptionRotateSecretApi.as_view(),
        name="subscription-rotate-secret",
    ),
    path(
        SUBSCRIPTION + "deliveries/",
        views.WebhookDeliveryListApi.as_view(),
        name="delivery-list",
    ),
    path(
        SUBSCRIPTION + "deliveries/<int:delivery_id>/redeliver/",
        views.WebhookDeliveryRedeliverApi.as_view(),
        name="delivery-redeliver",
    ),
]
