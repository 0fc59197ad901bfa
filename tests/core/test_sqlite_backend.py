"""The SQLite backend queues writers instead of letting them sleep in SQLite's busy
handler (a process's threads on a lock, processes on a file lock), and gives up as
SQLite does after its timeout."""

from __future__ import annotations

import multiprocessing
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


# --- Between processes: the flock beside the database file ---------------------------


def _try_in_child(lock: sqlite_backend.ProcessLock, timeout: float) -> bool:
    """Whether a forked child process takes `lock` within `timeout` seconds."""
    context = multiprocessing.get_context("fork")
    result = context.Queue()

    def child() -> None:
        result.put(lock.acquire(timeout=timeout))
        lock.release()

    process = context.Process(target=child)
    process.start()
    taken = result.get(timeout=30)
    process.join(30)
    return taken


def test_another_process_waits_for_the_file_lock_and_gives_up_after_the_timeout(
    tmp_path,
):
    # Opened by this process before the fork: the child must still be excluded.
    lock = sqlite_backend.ProcessLock(str(tmp_path / "db.sqlite3-writer.lock"))
    assert lock.acquire(timeout=1)
    try:
        started = time.monotonic()
        assert _try_in_child(lock, timeout=0.3) is False
        assert time.monotonic() - started >= 0.3
    finally:
        lock.release()

    assert _try_in_child(lock, timeout=0.3) is True


def test_a_file_database_writer_holds_the_file_lock_until_commit(tmp_path):
    name = str(tmp_path / "writers.sqlite3")
    # Its own connection to a file database (the tests' own database is in memory);
    # the steps are those transaction.atomic() takes on SQLite.
    files = sqlite_backend.DatabaseWrapper(
        {**connection.settings_dict, "NAME": name}, alias="files"
    )
    lock = sqlite_backend.process_lock(name)
    try:
        files.ensure_connection()
        files._start_transaction_under_autocommit()
        files.cursor().execute("CREATE TABLE t (x INTEGER)")
        inside = _try_in_child(lock, timeout=0.1)
        files._commit()
        after = _try_in_child(lock, timeout=0.1)
    finally:
        files.close()

    assert (inside, after) == (False, True)
