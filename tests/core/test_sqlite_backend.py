"""The SQLite backend queues one process's writers instead of letting them sleep in
SQLite's busy handler, and gives up as SQLite does after its timeout."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection, transaction

from apps.core.sqlite import base as sqlite_backend

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="the SQLite backend's own behaviour"
    ),
]


def _in_thread(target) -> threading.Thread:
    def run():
        try:
            target()
        finally:
            connection.close()  # the thread's own connection

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_second_writer_waits_for_the_first_to_commit():
    steps: list[str] = []
    first_in = threading.Event()

    def writer(name: str, hold: float) -> None:
        with transaction.atomic():
            steps.append(f"{name} begins")
            first_in.set()
            time.sleep(hold)
            steps.append(f"{name} commits")

    first = _in_thread(lambda: writer("first", 0.3))
    first_in.wait(5)
    second = _in_thread(lambda: writer("second", 0))
    first.join(10)
    second.join(10)

    assert steps == ["first begins", "first commits", "second begins", "second commits"]
    assert not sqlite_backend._WRITER.locked()


def test_a_rolled_back_writer_frees_the_lock():
    held: list[bool] = []

    def fail_inside() -> None:
        with transaction.atomic():
            held.append(sqlite_backend._WRITER.locked())
            raise RuntimeError("undone")

    with pytest.raises(RuntimeError):
        fail_inside()

    assert held == [True]
    assert not sqlite_backend._WRITER.locked()


def test_a_writer_gives_up_after_the_timeout_as_sqlite_would():
    options = connection.settings_dict["OPTIONS"]
    timeout = options.get("timeout")
    options["timeout"] = 0.2
    errors: list[Exception] = []

    def writer() -> None:
        try:
            with transaction.atomic():
                pass
        except OperationalError as exc:
            errors.append(exc)

    sqlite_backend._WRITER.acquire()  # another writer of this process holds it
    try:
        _in_thread(writer).join(10)
    finally:
        sqlite_backend._WRITER.release()
        options["timeout"] = timeout

    assert [str(e) for e in errors] == ["database is locked"]
    with transaction.atomic():  # and the lock is free again
        pass
