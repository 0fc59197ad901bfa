"""Error pages: the API answers in its one JSON error shape, pages in HTML."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from apps.core.api.errors import error_body


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A path no URL matches (DRF never sees it): for /api/, the API's 404."""
    if _is_api(request):
        return JsonResponse(error_body("not_found", "Not found."), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        body = error_body("server_error", "Something went wrong on our side.")
        return JsonResponse(body, status=500)
    return defaults.server_error(request)
