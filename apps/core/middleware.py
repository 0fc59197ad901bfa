from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

from apps.core.api.errors import error_body
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


class NulRefusalMiddleware:
    """A NUL in a path or query parameter or a form field is a 400 naming it.

    No text here may hold one: PostgreSQL refuses NUL in text columns (a server error
    there, a stored NUL on SQLite), and some pages read fields straight from the
    request rather than through a form. Django's form fields refuse NUL; this covers
    every other reader at once. The API's JSON bodies are checked by its parser
    (apps/core/api/parsers.py) and its form bodies by its serializers' fields, so for
    views exempt from CSRF (the API, providers' webhooks) only the query is read here:
    their bodies stay unread for the view. Form decoding turns bytes that are not
    UTF-8 into U+FFFD, so a lone surrogate cannot arrive this way.
    """

    MESSAGE = "Null characters are not allowed."

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        sources = [request.GET]
        if request.method == "POST" and not getattr(view_func, "csrf_exempt", False):
            sources.append(request.POST)  # a page reads its form anyway
        names = [
            name.replace("\x00", "\ufffd")
            for data in sources
            for name, values in data.lists()
            if "\x00" in name or any("\x00" in value for value in values)
        ]
        names += [
            name
            for name, value in view_kwargs.items()
            if isinstance(value, str) and "\x00" in value
        ]
        return self._refusal(request, names) if names else None

    def _refusal(self, request: HttpRequest, names: list[str]) -> HttpResponse:
        if request.path.startswith("/api/"):
            fields = {name: [self.MESSAGE] for name in names}
            body = error_body("validation_error", "The input is not valid.", fields)
            return JsonResponse(body, status=400)
        text = f"{self.MESSAGE} Check these fields: {', '.join(names)}."
        return HttpResponseBadRequest(text, content_type="text/plain; charset=utf-8")
