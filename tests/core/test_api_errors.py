"""The API never answers bad input with a 500, and limits callers with 429."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from apps.accounts.models import Role
from tests.core.test_api_permissions import ENDPOINTS

pytestmark = pytest.mark.django_db

POST_PATHS = [
    "/" + e.route for e in ENDPOINTS if e.method == "POST" and "<" not in e.route
]
BAD_BODIES = [
    pytest.param([], id="list"),
    pytest.param("just text", id="string"),
    pytest.param({"user": "x", "role": None, "team": [], "name": {}}, id="wrong-types"),
    pytest.param({"expires_at": "tomorrow", "username": "a" * 500}, id="bad-values"),
]


@pytest.mark.parametrize("body", BAD_BODIES)
@pytest.mark.parametrize("path", POST_PATHS)
def test_post_api_answers_bad_body_with_400_error_shape(
    path, body, make_user, api_client
):
    admin = make_user(Role.ORG_ADMIN)

    response = api_client(admin).post(path, body, format="json")

    assert response.status_code == 400
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_api_answers_malformed_json_with_parse_error(make_user, api_client):
    admin = make_user(Role.ORG_ADMIN)

    response = api_client(admin).post(
        "/api/v1/memberships/grant/", "{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


@pytest.fixture
def tight_rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/min", "user": "2/min"},
    }
    cache.clear()
    yield
    cache.clear()


def test_api_throttles_user_beyond_rate(tight_rates, make_user, api_client):
    client = api_client(make_user())
    for _ in range(2):
        assert client.get("/api/v1/me/").status_code == 200

    response = client.get("/api/v1/me/")

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert response.json()["error"]["message"].startswith("Request was throttled.")
    assert int(response["Retry-After"]) > 0


def test_api_throttles_each_user_separately(tight_rates, make_user, api_client):
    busy = api_client(make_user())
    for _ in range(3):
        busy.get("/api/v1/me/")

    response = api_client(make_user()).get("/api/v1/me/")

    assert response.status_code == 200


@pytest.mark.parametrize("path", POST_PATHS)
def test_post_api_answers_a_deeply_nested_body_with_400(path, make_user, api_client):
    admin = make_user(Role.ORG_ADMIN)
    body = "[" * 100_000 + "]" * 100_000

    response = api_client(admin).post(path, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


@pytest.mark.parametrize(
    "path", ["/api/v1/nowhere/", "/api/v1/registry/models/abc/", "/api/v2/"]
)
def test_an_unknown_api_path_is_a_json_404(path, make_user, client):
    client.force_login(make_user(Role.ORG_ADMIN))

    response = client.get(path)

    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Not found.", "fields": {}}
    }


def test_an_unknown_page_is_still_an_html_404(make_user, client):
    client.force_login(make_user(Role.ORG_ADMIN))

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
