"""Small readers of the audit trail for assertions."""

from __future__ import annotations

import json
from typing import Any

from apps.audit.models import AuditEvent


def audit_events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("chain", "seq"))


def event_data(event: AuditEvent) -> dict[str, Any]:
    """The `data` part of the hashed text: what the trail really keeps."""
    return json.loads(event.canonical)["data"]


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
