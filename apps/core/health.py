"""`/healthz` for load balancers: is this web process able to serve, right now?

Unauthenticated and unthrottled, so the body says nothing but which check failed: no
exception text, host or URL (the reason goes to the log instead).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from kombu import Connection

logger = logging.getLogger(__name__)

# A probe that hangs is as bad as one that fails: the load balancer times out first.
BROKER_TIMEOUT_SECONDS = 2


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        logger.warning(
            "healthz: database check failed: %s: %s", type(exc).__name__, exc
        )
        return "failing"
    return "ok"


def check_broker() -> str:
    """`embedded` when no broker is configured: tasks then run in-process (eager)."""
    if not settings.CELERY_BROKER_URL:
        return "embedded"
    try:
        with Connection(
            settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT_SECONDS
        ) as broker:
            broker.ensure_connection(
                max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT_SECONDS
            )
    except Exception as exc:
        # The class only: a broker error may quote its URL, credentials included.
        logger.warning("healthz: broker check failed: %s", type(exc).__name__)
        return "failing"
    return "ok"


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": check_database(), "broker": check_broker()}
    healthy = "failing" not in checks.values()
    body = {"status": "ok" if healthy else "failing", "checks": checks}
    return JsonResponse(body, status=200 if healthy else 503)
