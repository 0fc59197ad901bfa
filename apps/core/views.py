"""Error pages: the API answers in its one JSON error shape, pages in HTML."""

from __future__ import annotations

import sys

from django.contrib import messages
from django.db import InterfaceError, OperationalError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape
from django.views import defaults

from apps.core.api.errors import error_body
from apps.core.exceptions import ApplicationError, PermissionDeniedError


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A path no URL matches (DRF never sees it): for /api/, the API's 404."""
    if _is_api(request):
        return JsonResponse(error_body("not_found", "Not found."), status=404)
    return defaults.page_not_found(request, exception)


# What the database raises when it cannot be reached or gives up on a statement
# (a restart, a failover, a lock it waited too long for): passing, so the answer is
# a 503 asking to retry, not a 500. The app reconnects on its own afterwards.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5
UNAVAILABLE_MESSAGE = "The database is unavailable for a moment; try again shortly."


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this handler inside its `except` block: the error is at hand.
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return _database_unavailable(request)
    if _is_api(request):
        body = error_body("server_error", "Something went wrong on our side.")
        return JsonResponse(body, status=500)
    return defaults.server_error(request)


def _database_unavailable(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        body = error_body("service_unavailable", UNAVAILABLE_MESSAGE)
        response = JsonResponse(body, status=503)
    else:
        # No template: rendering one reads the session and the user, in the database.
        response = HttpResponse(
            "<!doctype html><title>Tollgate is unavailable</title>"
            f"<h1>Unavailable</h1><p>{escape(UNAVAILABLE_MESSAGE)}</p>",
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def show_refusal(
    request: HttpRequest, exc: ApplicationError, form: Form | None = None
) -> int:
    """Show a service's refusal on the page being re-rendered: its message, and its
    field errors on the form. Returns the status for that page (403 or 400)."""
    messages.error(request, exc.message)
    if form is not None:
        for name, errors in exc.fields.items():
            if name in form.fields:
                for error in errors:
                    form.add_error(name, error)
    return 403 if isinstance(exc, PermissionDeniedError) else 400
