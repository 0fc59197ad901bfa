"""LOG_FORMAT=json: real log records through the real formatter, one JSON object a line."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from apps.core.context import bound_context
from apps.core.logs import JsonFormatter

pytestmark = pytest.mark.django_db

SECRET = "tok-9f8e7d6c5b4a39281706"


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """What the root logger writes, as LOG_FORMAT=json would, access lines included."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root, access = logging.getLogger(), logging.getLogger("tollgate.access")
    saved = root.level, access.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    access.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(saved[0])
        access.setLevel(saved[1])


def _parsed(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_request_logs_json_lines_carrying_its_request_id(client, json_lines):
    response = client.get("/no-such-page/")

    lines = _parsed(json_lines)
    request_id = response["X-Request-ID"]
    access = next(line for line in lines if line["logger"] == "tollgate.access")
    assert access["request_id"] == request_id
    assert access["status"] == 404
    assert access["path"] == "/no-such-page/"
    not_found = next(line for line in lines if line["logger"] == "django.request")
    assert not_found["request_id"] == request_id
    assert not_found["level"] == "WARNING"
    assert {"time", "message"} <= not_found.keys()


def test_a_request_id_sent_by_the_proxy_is_the_one_logged(client, json_lines):
    client.get("/no-such-page/", headers={"X-Request-ID": "lb-request-0001"})

    assert {line.get("request_id") for line in _parsed(json_lines)} == {
        "lb-request-0001"
    }


def test_tokens_in_the_query_string_and_headers_are_not_logged(client, json_lines):
    client.get(
        f"/no-such-page/?api_key={SECRET}",
        headers={"Authorization": f"Bearer {SECRET}", "Cookie": f"sessionid={SECRET}"},
    )

    assert json_lines.getvalue()
    assert SECRET not in json_lines.getvalue()


def test_an_exception_is_serialised_with_its_traceback(json_lines):
    try:
        raise ValueError("the rubric has no levels")
    except ValueError:
        logging.getLogger("apps.rubrics").exception("import failed")

    (line,) = _parsed(json_lines)
    assert line["message"] == "import failed"
    assert line["level"] == "ERROR"
    assert "ValueError: the rubric has no levels" in line["exc_info"]


def test_a_task_context_adds_the_task_and_its_id(json_lines):
    with bound_context(task="apps.audit.tasks.audit_verify_all_chains", task_id="t-1"):
        logging.getLogger("apps.audit").info("chains verified")

    (line,) = _parsed(json_lines)
    assert line["task"] == "apps.audit.tasks.audit_verify_all_chains"
    assert line["task_id"] == "t-1"
    assert "request_id" not in line
