"""Bad input is a 400 (or a 404 for a path that names nothing), never a 500: ids that
are not integers or do not fit, unknown choices, huge strings, NUL characters,
malformed JSON."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from apps.registry.models import Finding
from tests.registry.api.helpers import API, error

pytestmark = pytest.mark.django_db

HUGE_ID = 10**30
NUL = "bad\x00value"


@pytest.fixture
def rows(registry) -> SimpleNamespace:
    model = registry.model(name="fraud")
    draft = registry.version(model, submit=False)
    submitted = registry.version(model)
    item = registry.evidence(submitted, "model_card", accept=False)
    request = registry.request(submitted, "staging")
    finding = Finding.objects.create(
        organization=model.organization, model=model, kind="revalidation_overdue"
    )
    return SimpleNamespace(
        model=model.pk,
        draft=draft.pk,
        version=submitted.pk,
        evidence=item.pk,
        request=request.pk,
        finding=finding.pk,
    )


CASES = [
    # Query filters.
    ("get", "models/", {"team": "abc"}, 400),
    ("get", "models/", {"team": HUGE_ID}, 400),
    ("get", "models/", {"risk_tier": "extreme"}, 400),
    ("get", "models/", {"revalidation": "soon"}, 400),
    ("get", "models/", {"q": "q" * 201}, 400),
    ("get", "models/", {"q": NUL}, 400),
    ("get", "models/", {"alias": "a" * 61}, 400),
    ("get", "models/", {"page": "abc"}, 404),
    ("get", "versions/", {"model": "-1"}, 400),
    ("get", "versions/", {"status": "gone"}, 400),
    ("get", "versions/", {"artifact_sha256": "zz"}, 400),
    ("get", "versions/", {"code_commit": "c" * 65}, 400),
    ("get", "versions/", {"cursor": "nonsense"}, 404),
    ("get", "requests/", {"awaiting_me": "maybe"}, 400),
    ("get", "requests/", {"model": "1.5"}, 400),
    ("get", "requests/", {"target": NUL}, 400),
    ("get", "policies/", {"history": "perhaps"}, 400),
    ("get", "findings/", {"status": "closed"}, 400),
    # Paths naming nothing.
    ("get", f"models/{HUGE_ID}/", None, 404),
    ("get", f"models/{HUGE_ID}/aliases/production/", None, 404),
    ("delete", f"models/{HUGE_ID}/aliases/production/", None, 404),
    ("get", f"versions/{HUGE_ID}/", None, 404),
    ("post", f"requests/{HUGE_ID}/decisions/", {"approve": True}, 404),
    ("post", f"evidence/{HUGE_ID}/review/", {"accept": True}, 404),
    ("get", f"evidence/{HUGE_ID}/download/", None, 404),
    ("post", f"findings/{HUGE_ID}/resolve/", {"note": "x"}, 404),
    # Bodies.
    (
        "post",
        "models/",
        {"team": "{team}", "name": "n" * 10_000, "risk_tier": "low"},
        400,
    ),
    ("post", "models/", {"team": "{team}", "name": NUL, "risk_tier": "low"}, 400),
    ("post", "models/", {"team": "{team}", "name": "x", "risk_tier": ["low"]}, 400),
    ("patch", "models/{model}/", {"purpose": "p" * 5001}, 400),
    ("patch", "models/{model}/", {"owner": "me"}, 400),
    ("post", "models/{model}/versions/", {"authors": ["x"]}, 400),
    ("post", "models/{model}/versions/", {"authors": [HUGE_ID]}, 400),
    ("post", "models/{model}/versions/", {"metrics": {NUL: 1}}, 400),
    ("post", "models/{model}/versions/", {"dataset_refs": ["d" * 501]}, 400),
    ("post", "models/{model}/versions/", {"code_commit": "c" * 65}, 400),
    ("patch", "versions/{draft}/", {"authors": [HUGE_ID - 1]}, 400),
    ("patch", "versions/{draft}/", {"model_card": "not a dict"}, 400),
    ("put", "models/{model}/aliases/shadow/", {"version": HUGE_ID}, 400),
    ("put", "models/{model}/aliases/" + "a" * 61 + "/", {"version": 1}, 400),
    ("post", "versions/{version}/evidence/", {"url": "u" * 2000}, 400),
    ("post", "evidence/{evidence}/review/", {"accept": "maybe"}, 400),
    ("post", "requests/", {"version": "{version}", "target": "staging"}, 400),
    (
        "post",
        "requests/",
        {"version": "{version}", "target": "staging", "justification": NUL},
        400,
    ),
    (
        "post",
        "requests/{request}/decisions/",
        {"approve": True, "comment": "c" * 5001},
        400,
    ),
    ("post", "requests/{request}/comments/", {"body": "b" * 10_001}, 400),
    ("post", "requests/{request}/apply/", {"break_glass": "sure"}, 400),
    ("post", "policies/", {"requirements": "abc"}, 400),
    ("post", "findings/{finding}/resolve/", {"note": "n" * 2001}, 400),
]


def _fill(value, rows, team):
    names = {**vars(rows), "team": team}
    if isinstance(value, str):
        filled = value.format(**names) if "{" in value else value
        return int(filled) if filled.isdigit() and value.startswith("{") else filled
    if isinstance(value, dict):
        return {key: _fill(item, rows, team) for key, item in value.items()}
    return value


@pytest.mark.parametrize(
    ("method", "path", "data", "expected"),
    [
        pytest.param(*case, id=f"{case[0]} {case[1]} {str(case[2])[:40]}")
        for case in CASES
    ],
)
def test_bad_input_is_refused_in_the_error_shape(
    rows, registry, api_client, method, path, data, expected
):
    client = api_client(registry.lead)
    full_path = API + _fill(path, rows, registry.team.pk)

    response = getattr(client, method)(
        full_path, _fill(data, rows, registry.team.pk), format="json"
    )

    assert response.status_code == expected, response.content[:300]
    error(response)


@pytest.mark.parametrize(
    "path", ["models/abc/", "versions/1.5/", "models/{model}/aliases/no%00pe/"]
)
def test_path_that_matches_no_route_is_a_404(rows, registry, api_client, path):
    response = api_client(registry.lead).get(API + path.format(model=rows.model))

    assert response.status_code == 404


def test_malformed_json_is_a_400(rows, registry, api_client):
    response = api_client(registry.lead).post(
        API + "models/", "{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert error(response)["code"] == "parse_error"
