"""Tasks sent after commit: a broker that is down is logged (without its URL) and
leaves the work to its sweep, instead of failing the request that committed."""

from __future__ import annotations

import logging

import pytest

from apps.core import queue
from config.celery import app
from tests.broker import unreachable_broker

pytestmark = pytest.mark.django_db


@app.task(name="tests.core.echo")
def echo(value: int) -> int:
    return value


def test_a_reachable_broker_gets_the_task():
    # Eager in the tests' settings: "sent" is "run" here.
    assert queue.send(echo, 7, then="never") is True


def test_an_unreachable_broker_is_logged_by_its_error_class_only(caplog):
    with unreachable_broker(), caplog.at_level(logging.WARNING, logger="apps.core"):
        sent = queue.send(echo, 7, then="the sweep sends it later")

    assert sent is False
    (record,) = caplog.records
    message = record.getMessage()
    assert message.startswith("tests.core.echo(7,) not sent: the broker is unreachable")
    assert message.endswith("; the sweep sends it later")
    assert "redis://" not in message
    assert "127.0.0.1" not in message


def test_send_on_commit_waits_for_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queue.send_on_commit(echo, 1, then="never")

    (callback,) = callbacks
    assert (callback.func, callback.args) == (queue.send, (echo, 1))


def test_a_replan_lost_to_the_broker_does_not_fail_the_change(team):
    from apps.core.events import team_evidence_changed

    with unreachable_broker():
        # What a scan's completion sends; it must not raise.
        team_evidence_changed.send(sender=None, team_id=team.pk)
