"""Structured logs: one JSON object per line, carrying the request or task id.

Selected by `LOG_FORMAT=json` (config/settings.py). Loaded by Django's logging setup
before the apps are, so this module imports no models.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

from apps.core.context import current_context

# What the request or task context may add to a line. A whitelist, so a value bound
# to the context later for the audit trail never reaches the logs unnoticed.
CONTEXT_FIELDS = ("request_id", "client", "task", "task_id")

access_logger = logging.getLogger("tollgate.access")


class JsonFormatter(BaseJsonFormatter):
    """time, level, logger, message, the context's ids, extras and exc_info."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", "%(levelname)s %(name)s %(message)s")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", "time")
        # Django attaches the request to django.request and django.server records; its
        # repr is the full path, query string (tokens, emails) included.
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "request"])
        super().__init__(**kwargs)

    def add_fields(
        self,
        log_data: dict[str, Any],
        record: logging.LogRecord,
        message_dict: dict[str, Any],
    ) -> None:
        super().add_fields(log_data, record, message_dict)
        request_id = getattr(getattr(record, "request", None), "request_id", None)
        if request_id:
            log_data.setdefault("request_id", request_id)
        context = current_context()
        for field in CONTEXT_FIELDS:
            if field in context:
                log_data.setdefault(field, context[field])


class AccessLogMiddleware:
    """One line per request: method, path (no query string), status, duration.

    First in MIDDLEWARE, so the duration covers every other middleware; the request id
    comes from the response header RequestContextMiddleware sets.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        # The load balancer's probes every few seconds would drown the rest.
        if request.path == "/healthz" and response.status_code == 200:
            return response
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        fields = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": duration_ms,
        }
        # Absent when a middleware before RequestContextMiddleware answered (bad Host).
        if response.has_header("X-Request-ID"):
            fields["request_id"] = response["X-Request-ID"]
        access_logger.info(
            "%(method)s %(path)s %(status)s %(duration_ms)sms", fields, extra=fields
        )
        return response
