from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from apps.core.context import bound_context

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def client_fingerprint(address: str) -> str:
    """Keyed hash of the client address: correlates requests without storing the IP."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:16]


class RequestContextMiddleware:
    """Binds a request id and a keyed client fingerprint for the audit trail and logs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        client = client_fingerprint(request.META.get("REMOTE_ADDR", ""))
        # Django logs 4xx responses after the middleware returns, outside the context:
        # the JSON log formatter finds the id on the request there.
        request.request_id = request_id
        with bound_context(request_id=request_id, client=client):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
