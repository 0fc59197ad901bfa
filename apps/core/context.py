"""Request context (request id, client address) carried to the audit trail.

A contextvar rather than a thread-local, so it is also right under ASGI; Celery tasks
set it for the task they run.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "tollgate_request_context", default=None
)


def current_context() -> dict[str, Any]:
    return dict(_context.get() or {})


@contextlib.contextmanager
def bound_context(**values: Any) -> Iterator[None]:
    token = _context.set({**(_context.get() or {}), **values})
    try:
        yield
    finally:
        _context.reset(token)
