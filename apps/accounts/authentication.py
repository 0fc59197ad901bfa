"""API token authentication: `Authorization: Bearer tg_…`."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from apps.accounts.models import ApiToken
from apps.accounts.tokens import TOKEN_PREFIX, token_digest

LAST_USED_RESOLUTION = timedelta(minutes=5)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(
            errors="replace"
        )
        scheme, _, secret = header.partition(" ")
        secret = secret.strip()
        # The scheme is case-insensitive (RFC 9110 §11.1).
        if scheme.lower() != self.keyword.lower() or not secret.startswith(
            TOKEN_PREFIX
        ):
            return None
        try:
            # get(), not first(): the digest is unique, and first() would sort.
            token = ApiToken.objects.select_related("user", "user__organization").get(
                digest=token_digest(secret)
            )
        except ApiToken.DoesNotExist:
            token = None
        now = timezone.now()
        if (
            token is None
            or token.revoked_at is not None
            or (token.expires_at is not None and token.expires_at <= now)
            or not token.user.is_active
        ):
            # One message for every case: a caller learns nothing about which tokens exist.
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked token.")
        self._touch(token, now)
        request.api_token = token
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword

    @staticmethod
    def _touch(token: ApiToken, now) -> None:
        # Bookkeeping, not a state change: written at most every few minutes per token.
        if (
            token.last_used_at is None
            or now - token.last_used_at > LAST_USED_RESOLUTION
        ):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


class ApiTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "apps.accounts.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "tg_…"}
