"""Bad input is a 400 (or a 404 for a path that names nothing), never a 500: ids that
are not integers or do not fit, unknown choices, huge strings, NUL characters,
malformed JSON."""

from __future__ import annotations

import pytest

from tests.repos.api.helpers import API, error
from tests.repos.factories import scanned

pytestmark = pytest.mark.django_db

HUGE_ID = 10**30
NUL = "bad\x00value"
LINK = {"team": "{team}", "name": "n", "provider": "github"}
GOOD_URL = "https://github.com/acme/x.git"

CASES = [
    # Query filters.
    ("get", "", {"team": "abc"}, 400),
    ("get", "", {"team": HUGE_ID}, 400),
    ("get", "", {"team": "0"}, 400),
    ("get", "", {"page": "abc"}, 404),
    ("get", "{repo}/runs/", {"event": "deploy"}, 400),
    ("get", "{repo}/runs/", {"conclusion": "green"}, 400),
    ("get", "{repo}/scans/", {"page": "999"}, 404),
    # Paths naming nothing.
    ("get", f"{HUGE_ID}/", None, 404),
    ("patch", f"{HUGE_ID}/", {"enabled": False}, 404),
    ("post", f"{HUGE_ID}/webhook-secret/", None, 404),
    ("get", f"{HUGE_ID}/scans/", None, 404),
    ("post", f"{HUGE_ID}/scans/", None, 404),
    ("get", f"{HUGE_ID}/signals/", None, 404),
    ("get", f"{HUGE_ID}/runs/", None, 404),
    ("get", f"scans/{HUGE_ID}/", None, 404),
    ("get", f"teams/{HUGE_ID}/signals/", None, 404),
    # Link bodies.
    ("post", "", {**LINK, "clone_url": GOOD_URL, "team": "abc"}, 400),
    ("post", "", {**LINK, "clone_url": GOOD_URL, "team": HUGE_ID}, 400),
    ("post", "", {**LINK, "clone_url": GOOD_URL, "name": "n" * 201}, 400),
    ("post", "", {**LINK, "clone_url": GOOD_URL, "name": NUL}, 400),
    ("post", "", {**LINK, "clone_url": GOOD_URL, "provider": ["github"]}, 400),
    ("post", "", {**LINK, "clone_url": "https://github.com/" + "u" * 500}, 400),
    ("post", "", {**LINK, "clone_url": NUL}, 400),
    ("post", "", {**LINK, "clone_url": GOOD_URL, "credentials": "c" * 4001}, 400),
    ("post", "", {**LINK, "clone_url": GOOD_URL, "credentials": ["x"]}, 400),
    ("post", "", {**LINK, "clone_url": GOOD_URL, "subdir": {"a": 1}}, 400),
    ("post", "", {**LINK, "clone_url": GOOD_URL, "local_path": "/srv"}, 400),
    ("post", "", {**LINK, "clone_url": "-oProxyCommand=x"}, 400),
    ("post", "", {**LINK, "clone_url": GOOD_URL, "default_branch": "a..b"}, 400),
    ("post", "", {"name": "n"}, 400),
    ("post", "", ["not", "an", "object"], 400),
    # Change bodies.
    ("patch", "{repo}/", {}, 400),
    ("patch", "{repo}/", {"unknown": 1}, 400),
    ("patch", "{repo}/", {"enabled": "maybe"}, 400),
    ("patch", "{repo}/", {"name": ""}, 400),
    ("patch", "{repo}/", {"project": "p" * 301}, 400),
    ("patch", "{repo}/", {"default_branch": "-x"}, 400),
    ("patch", "{repo}/", {"subdir": NUL}, 400),
    ("patch", "{repo}/", {"credentials": {"token": "x"}}, 400),
]


def _fill(value, names):
    if isinstance(value, str):
        filled = value.format(**names)
        # "{team}" alone is the id itself; in a path it is part of a string.
        return int(filled) if value.startswith("{") and value.endswith("}") else filled
    if isinstance(value, dict):
        return {key: _fill(item, names) for key, item in value.items()}
    return value


@pytest.mark.parametrize(
    ("method", "path", "data", "expected"),
    [
        pytest.param(*case, id=f"{case[0]} {case[1]} {str(case[2])[:40]}")
        for case in CASES
    ],
)
def test_bad_input_is_refused_in_the_error_shape(
    repo, people, api_client, method, path, data, expected
):
    scanned(repo, {})
    names = {"repo": repo.pk, "team": people.team.pk}
    client = api_client(people.lead)

    response = getattr(client, method)(
        API + _fill(path, names), _fill(data, names), format="json"
    )

    assert response.status_code == expected, response.content[:300]
    error(response)


@pytest.mark.parametrize("path", ["abc/", "1.5/scans/", "scans/-1/", "teams/x/"])
def test_path_that_matches_no_route_is_a_404(people, api_client, path):
    assert api_client(people.lead).get(API + path).status_code == 404


def test_malformed_json_is_a_400(people, api_client):
    response = api_client(people.lead).post(
        API, "{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert error(response)["code"] == "parse_error"
