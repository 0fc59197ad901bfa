"""A broker that is down: the real Celery app, not eager, sending to a port nobody
listens on, so publishing fails as it does while Redis restarts."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

from config.celery import app


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # free again once closed


@contextmanager
def unreachable_broker() -> Iterator[None]:
    conf = app.conf
    saved = (conf.task_always_eager, conf.broker_url, app.amqp._producer_pool)
    conf.task_always_eager = False
    conf.broker_url = f"redis://127.0.0.1:{_closed_port()}/0"
    app.amqp._producer_pool = None  # built again for the new URL on the next send
    try:
        yield
    finally:
        conf.task_always_eager, conf.broker_url, app.amqp._producer_pool = saved
