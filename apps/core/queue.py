"""Sending a task once the change that calls for it has committed.

The change is the record: a scan, delivery or report row is saved before its task is
sent, and a periodic sweep sends again whatever waits too long. So a broker that is
unreachable at that moment (Redis restarting) must not turn a committed request into
an error: the send is logged and the sweep takes the work later.
"""

from __future__ import annotations

import logging
from functools import partial

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def send(task: Task, *args: object, then: str) -> bool:
    """Send `task` now; False when the broker is unreachable. `then` says, for the
    log, what happens to the work instead (e.g. "the sweep sends it later")."""
    try:
        task.delay(*args)
    except OperationalError as exc:
        # The class only: a broker error may quote its URL, credentials included.
        logger.warning(
            "%s%r not sent: the broker is unreachable (%s); %s",
            task.name,
            args,
            type(exc).__name__,
            then,
        )
        return False
    return True


def send_on_commit(task: Task, *args: object, then: str) -> None:
    """send() once the current transaction commits (now, outside one)."""
    transaction.on_commit(partial(send, task, *args, then=then))
