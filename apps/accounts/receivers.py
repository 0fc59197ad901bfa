"""Login, logout and failed-login events from Django's auth signals (admin included)."""

from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.dispatch import receiver

from apps.accounts import services


@receiver(user_logged_in, dispatch_uid="audit-login")
def _on_login(sender, request, user, **kwargs):
    services.login_record_success(user=user)


@receiver(user_logged_out, dispatch_uid="audit-logout")
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        services.logout_record(user=user)


@receiver(user_login_failed, dispatch_uid="audit-login-failed")
def _on_login_failed(sender, credentials, request=None, **kwargs):
    services.login_record_failure(username=str(credentials.get("username", "")))
