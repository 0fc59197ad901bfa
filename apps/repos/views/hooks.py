"""`/hooks/github/` and `/hooks/gitlab/`: where providers deliver events.

Unauthenticated by session or token by nature; a delivery authenticates with the
repository's webhook secret instead. The order of checks: a malformed delivery is a
400, a repository nobody linked a 404, a wrong signature or token a 401 (and nothing
is stored), a delivery id seen before a 200 that changes nothing.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.repos import hooks
from apps.repos.models import Provider

# Largest body read (GitHub caps payloads at 25 MB; the events used are far smaller).
MAX_BODY = 5 * 1024 * 1024


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status)


def _payload(request: HttpRequest) -> dict | None:
    if request.content_type == "application/x-www-form-urlencoded":
        raw = request.POST.get("payload", "")
    else:
        raw = request.body
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return payload if isinstance(payload, dict) else None


def _receive(
    request: HttpRequest, provider: str, *, event: str, delivery: str, credential: str
) -> JsonResponse:
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY:
        return _error(413, "The delivery is too large.")
    body = request.body
    if not event or not delivery or len(delivery) > 100:
        return _error(400, "The event and delivery headers are required.")
    payload = _payload(request)
    if payload is None:
        return _error(400, "The body is not a JSON object.")
    repos = hooks.candidates(provider, hooks.project_of(provider, payload))
    if not repos:
        return _error(404, "No enabled repository is linked for this delivery.")
    matched = hooks.authenticated(provider, repos, body=body, credential=credential)
    if not matched:
        return _error(401, "The signature does not match the repository's secret.")
    receipt = hooks.delivery_receive(
        provider=provider,
        delivery_id=delivery,
        event=event,
        payload=payload,
        repos=matched,
    )
    status = 200 if receipt.duplicate or receipt.outcome == "ignored" else 202
    return JsonResponse(
        {"outcome": receipt.outcome, "scans": receipt.scans}, status=status
    )


@csrf_exempt
@require_POST
def github(request: HttpRequest) -> JsonResponse:
    return _receive(
        request,
        Provider.GITHUB,
        event=request.headers.get("X-GitHub-Event", ""),
        delivery=request.headers.get("X-GitHub-Delivery", ""),
        # Only the SHA-256 signature: the legacy SHA-1 header is not accepted.
        credential=request.headers.get("X-Hub-Signature-256", ""),
    )


@csrf_exempt
@require_POST
def gitlab(request: HttpRequest) -> JsonResponse:
    return _receive(
        request,
        Provider.GITLAB,
        event=request.headers.get("X-Gitlab-Event", ""),
        # The same Idempotency-Key comes with every retry of one event (GitLab 17.4+);
        # older versions send only a per-event X-Gitlab-Webhook-UUID.
        delivery=request.headers.get("Idempotency-Key")
        or request.headers.get("X-Gitlab-Webhook-UUID", ""),
        credential=request.headers.get("X-Gitlab-Token", ""),
    )
