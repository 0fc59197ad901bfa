"""A broker that is down: the real Celery app, not eager, sending to a port nobody
listens on, so publishing fails as it does while Redis restarts."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager

from config.celery import app


def closed_port() -> int:
    """A localhost port nothing listens on: bound once by the OS, then released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # free again once closed


@contextmanager
def unreachable_broker() -> Iterator[None]:
    conf = app.conf
    saved = (
        conf.task_always_eager,
        conf.broker_url,
        app.amqp._producer_pool,
        app._pool,
    )
    conf.task_always_eager = False
    down = f"redis://127.0.0.1:{closed_port()}/0"
    conf.broker_url = down
    # Celery reads the broker URL from this variable first, whatever conf says (set
    # in CI's PostgreSQL pass).
    environment = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = down
    # Built again for the new URL on the next send. The connection pool too: with a
    # real broker configured (CI's PostgreSQL pass) an earlier test may have made
    # one, and a send through it would reach the real Redis.
    app.amqp._producer_pool = None
    app._pool = None
    try:
        yield
    finally:
        if environment is None:
            del os.environ["CELERY_BROKER_URL"]
        else:
            os.environ["CELERY_BROKER_URL"] = environment
        (
            conf.task_always_eager,
            conf.broker_url,
            app.amqp._producer_pool,
            app._pool,
        ) = saved
