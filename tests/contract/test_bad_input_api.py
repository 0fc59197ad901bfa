"""Every API write answers bad input with a 4xx that says what is wrong, and stores nothing.

The writes are the operations with a request body in the OpenAPI schema (drf-spectacular's
generator); each is sent by a caller allowed to make it, with the valid data of the
permission table (tests/core/test_api_permissions.py) and then one thing wrong: a body
that is not a JSON object, a body over DATA_UPLOAD_MAX_MEMORY_SIZE, a content type the
API does not read, or one field holding a value it must refuse (a huge string, a NUL,
a lone surrogate, a wrong type, an integer past 64 bits). Every answer must be a 4xx
with the error body (naming the field when one field was wrong), and every row of every
model must be as before. Unusual but valid text (right to left, zero width, emoji,
combining marks) must be accepted and kept exactly as sent.

Each operation is one test; its cases run one after another, each in a savepoint, and
the test reports every failing case at once.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator

from apps.accounts.models import Role
from apps.assessments.models import Assessment
from tests.contract.bad_input import (
    MALFORMED_JSON,
    UNUSUAL_TEXT,
    bad_values,
    changes,
    encode,
    error_of,
    field_kind,
    holds,
    json_body,
    snapshot,
)
from tests.core.test_api_permissions import (  # noqa: F401 (fixtures)
    ACTORS,
    ENDPOINTS,
    Endpoint,
    _media_in_tmp,
    _path,
    world,
)

pytestmark = pytest.mark.django_db

# Only the assessment's own reviewer (an assessor) acts on these.
REVIEWER_ROUTES = ("evidence/<int:evidence_id>/reject/", "/resolve/")
# Accepted, but not stored as sent: secrets are kept hashed or encrypted; a reason is
# ignored unless the request breaks glass, or dismisses the roadmap item.
NOT_KEPT_AS_SENT = {
    ("api/v1/users/create/", "password"),
    ("api/v1/registry/mlflow/", "token"),
    ("api/v1/repos/", "credentials"),
    ("api/v1/repos/<int:repo_id>/", "credentials"),
    ("api/v1/registry/requests/<int:request_id>/apply/", "reason"),
    ("api/v1/roadmaps/items/<int:item_id>/", "dismissed_reason"),
}


@functools.cache
def _schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _openapi_path(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def _writes() -> list[tuple[Endpoint, dict]]:
    """(table row, JSON request schema) of every operation that takes a body."""
    rows = {(e.method, _openapi_path(e.route)): e for e in ENDPOINTS}
    schema = _schema()
    writes = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {})
            if "application/json" in body:
                spec = body["application/json"]["schema"]
                components = schema["components"]["schemas"]
                spec = components[spec["$ref"].rsplit("/", 1)[-1]]
                writes.append((rows[(method.upper(), path)], spec))
    return writes


WRITES = [
    pytest.param(endpoint, spec, id=f"{endpoint.method} {endpoint.route}")
    for endpoint, spec in _writes()
]


def _caller(people, endpoint: Endpoint, kwargs: dict):
    """Someone the operation allows: an org admin, the team's member, or a reviewer."""
    if endpoint.route.startswith("api/v1/assessments/") and endpoint.route.endswith(
        REVIEWER_ROUTES
    ):
        return Assessment.objects.get(pk=kwargs["assessment_id"]).reviewer
    for name in ("org_admin", "team_member"):
        if 200 <= endpoint.expected[ACTORS.index(name)] < 300:
            return people.actors[name]
    return people.approver


@pytest.fixture
def call(world, make_user, api_client):  # noqa: F811 (the imported fixture)
    """call(endpoint) -> send(body, content_type) for the endpoint's allowed caller."""
    world.approver = make_user(Role.APPROVER)

    def _prepare(endpoint: Endpoint) -> tuple[Callable, dict]:
        kwargs = endpoint.kwargs(world, None)
        valid = endpoint.data(world) if callable(endpoint.data) else endpoint.data
        client = api_client(_caller(world, endpoint, kwargs))
        path = _path(endpoint, kwargs)

        def send(body: bytes, content_type: str = "application/json"):
            return client.generic(endpoint.method, path, body, content_type)

        return send, dict(valid or {})

    return _prepare


def _refused(send, body: bytes, content_type: str, field: str | None) -> str | None:
    """Why the answer to this bad body is wrong, or None when it is a proper refusal."""
    before = snapshot()
    try:
        with transaction.atomic():
            response = send(body, content_type)
    except Exception as exc:  # a server error, reported with the other cases
        return f"raised {exc!r}"[:300]
    error, changed = error_of(response), changes(before, snapshot())
    if not 400 <= response.status_code < 500 or response.status_code in (403, 404):
        return f"{response.status_code} {response.content[:200]!r}"
    if not error.get("message"):
        return f"{response.status_code} without an error message: {response.content[:200]!r}"
    top = re.split(r"[.\[]", field or "")[0]  # the JSON field that holds the bad value
    if field and not any(name.startswith(top) for name in error.get("fields", {})):
        return f"{response.status_code} does not name {field!r}: {error}"
    if changed:
        return f"{response.status_code}, yet changed {changed}"
    return None


def _field_cases(spec: dict, valid: dict, prefix: str = "") -> Iterator[tuple]:
    """(label, field name, data): the valid data with one field holding a bad value.

    Lists of objects (an assessment's answers, a policy's requirements) are entered:
    their first valid item gets the bad value in each of its fields in turn.
    """
    components = _schema()["components"]["schemas"]
    for name, field in spec.get("properties", {}).items():
        if field.get("readOnly") or field_kind(field, components) == "file":
            continue
        for label, value in bad_values(field, components):
            yield f"{prefix}{name}={label}", f"{prefix}{name}", {**valid, name: value}
        items = field.get("items", {})
        if "$ref" in items and valid.get(name) and isinstance(valid[name][0], dict):
            item_spec = components[items["$ref"].rsplit("/", 1)[-1]]
            for label, item_name, item in _field_cases(
                item_spec, valid[name][0], f"{prefix}{name}[0]."
            ):
                yield label, item_name, {**valid, name: [item]}


def _report(failures: list[str]) -> str:
    return "\n".join(failures)


@pytest.mark.parametrize(("endpoint", "spec"), WRITES)
def test_api_write_refuses_a_body_that_is_not_a_json_object(call, endpoint, spec):
    send, _ = call(endpoint)

    failures = [
        f"{label}: {problem}"
        for label, body in MALFORMED_JSON.items()
        if (problem := _refused(send, body, "application/json", None))
    ]

    assert not failures, _report(failures)


@pytest.mark.parametrize(("endpoint", "spec"), WRITES)
def test_api_write_refuses_a_content_type_it_does_not_read(call, endpoint, spec):
    send, valid = call(endpoint)
    body = json_body(valid)

    failures = [
        f"{content_type}: {problem}"
        for content_type in ("text/plain", "application/xml", "text/csv")
        if (problem := _refused(send, body, content_type, None))
    ]

    assert not failures, _report(failures)


@pytest.mark.parametrize(("endpoint", "spec"), WRITES)
def test_api_write_refuses_a_body_over_the_upload_limit(call, endpoint, spec):
    send, valid = call(endpoint)
    padding = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    problem = _refused(
        send, json_body({**valid, "padding": padding}), "application/json", None
    )

    assert problem is None, problem


@pytest.mark.parametrize(("endpoint", "spec"), WRITES)
def test_api_write_refuses_each_bad_field_value(call, endpoint, spec):
    send, valid = call(endpoint)

    failures = [
        f"{label}: {problem}"
        for label, field, data in _field_cases(spec, valid)
        if (problem := _refused(send, encode(data), "application/json", field))
    ]

    assert not failures, _report(failures)


def _text_fields(spec: dict) -> list[str]:
    components = _schema()["components"]["schemas"]
    return [
        name
        for name, field in spec.get("properties", {}).items()
        if field_kind(field, components) == "text" and not field.get("readOnly")
    ]


@pytest.mark.parametrize(
    ("endpoint", "spec"),
    [param for param in WRITES if _text_fields(param.values[1])],
)
def test_api_write_keeps_unusual_text_as_sent(call, endpoint, spec):
    send, valid = call(endpoint)
    failures = []

    for field in _text_fields(spec):
        kept = (endpoint.route, field) not in NOT_KEPT_AS_SENT
        problem = _kept(send, {**valid, field: UNUSUAL_TEXT}, kept=kept)
        if problem:
            failures.append(f"{field}: {problem}")

    assert not failures, _report(failures)


def _kept(send, data: dict[str, Any], *, kept: bool) -> str | None:
    """Why unusual text was not accepted and stored as sent, or None.

    A refusal for another reason (a name already taken, a value a format refuses) is a
    4xx that names a field; only a 5xx, or a 2xx that stored something else, is wrong.
    """
    try:
        with transaction.atomic():
            response = send(json_body(data))
            state = snapshot()
            transaction.set_rollback(True)
    except Exception as exc:
        return f"raised {exc!r}"[:300]
    if response.status_code >= 500:
        return f"{response.status_code} {response.content[:200]!r}"
    if response.status_code >= 400:
        return None if error_of(response).get("message") else "4xx without a message"
    echoed = UNUSUAL_TEXT in response.content.decode()
    if kept and not (echoed or holds(state, UNUSUAL_TEXT)):
        return f"{response.status_code}, but the text was neither echoed nor stored as sent"
    return None
