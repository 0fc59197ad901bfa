"""The MLflow REST client: against the real server, and a few HTTP shapes it must
handle that the test server cannot produce (it has no authentication)."""

from __future__ import annotations

import httpx
import pytest

from apps.registry.mlflow.client import MlflowClient, MlflowError
from tests.registry.mlflow.conftest import TOKEN


@pytest.fixture
def client(mlflow):
    with MlflowClient(mlflow.url, TOKEN, page_size=2) as api:
        yield api


def _mocked(handler) -> MlflowClient:
    return MlflowClient(
        "https://mlflow.example.com", TOKEN, transport=httpx.MockTransport(handler)
    )


def test_search_registered_models_reads_every_page_with_aliases(mlflow, client):
    for name in ("a", "b", "c", "d", "e"):
        mlflow.model(name, description=f"model {name}", tags={"team": "fraud"})
    mlflow.version("c")
    mlflow.set_alias("c", "champion", "1")

    models = list(client.search_registered_models())

    assert [m.name for m in models] == ["a", "b", "c", "d", "e"]
    assert (models[2].aliases, models[2].tags, models[2].description) == (
        {"champion": "1"},
        {"team": "fraud"},
        "model c",
    )


def test_search_model_versions_reads_every_page_of_one_model(mlflow, client):
    mlflow.model("fraud")
    mlflow.model("fraud-v2")  # a name sharing the prefix is not included
    for _ in range(5):
        mlflow.version("fraud", run_id="r1", tags={"k": "v"})
    mlflow.version("fraud-v2")

    versions = list(client.search_model_versions("fraud"))

    assert sorted(v.number for v in versions) == [1, 2, 3, 4, 5]
    assert {(v.name, v.run_id, v.status, v.tags["k"]) for v in versions} == {
        ("fraud", "r1", "READY", "v")
    }
    assert versions[0].source == "s3://models/fraud/artifacts"


def test_set_and_delete_alias_round_trip(mlflow, client):
    mlflow.model("fraud")
    mlflow.version("fraud")
    mlflow.version("fraud")

    client.set_alias("fraud", "production", "1")
    client.set_alias("fraud", "production", "2")
    client.set_alias("fraud", "staging", "1")
    client.delete_alias("fraud", "staging")

    assert client.get_registered_model("fraud").aliases == {"production": "2"}


def test_an_unknown_model_is_a_permanent_error_with_mlflows_code(mlflow, client):
    with pytest.raises(MlflowError, match="HTTP 404 RESOURCE_DOES_NOT_EXIST") as caught:
        client.get_registered_model("nope")

    assert (caught.value.status, caught.value.error_code) == (
        404,
        "RESOURCE_DOES_NOT_EXIST",
    )
    assert caught.value.transient is False


def test_a_wrong_path_is_not_an_mlflow_response(mlflow):
    api = MlflowClient(f"{mlflow.url}/not-mlflow")
    with pytest.raises(MlflowError, match="HTTP 404, not an MLflow JSON response"):
        api.get_registered_model("fraud")


def test_an_unreachable_server_is_a_transient_error(closed_port):
    api = MlflowClient(f"http://127.0.0.1:{closed_port}", TOKEN)
    with pytest.raises(MlflowError, match="unreachable") as caught:
        list(api.search_registered_models())

    assert caught.value.transient is True
    assert caught.value.status is None
    assert TOKEN not in str(caught.value)


def test_the_token_is_sent_as_a_bearer_header_and_never_echoed():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization"))
        body = {"error_code": "UNAUTHENTICATED", "message": f"Bad token {TOKEN}."}
        return httpx.Response(401, json=body)

    with pytest.raises(MlflowError, match="HTTP 401 UNAUTHENTICATED") as caught:
        _mocked(handler).get_registered_model("fraud")

    assert seen == [f"Bearer {TOKEN}"]
    assert TOKEN not in str(caught.value)
    assert "Check the token" in str(caught.value)
    assert caught.value.transient is False


def test_no_token_no_authorization_header():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization"))
        return httpx.Response(200, json={"registered_models": []})

    client = MlflowClient(
        "https://mlflow.example.com", transport=httpx.MockTransport(handler)
    )
    assert list(client.search_registered_models()) == []
    assert seen == [None]


def test_redirects_are_refused_not_followed():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            302, headers={"location": "https://sso.example.com/login?next=x"}
        )

    with pytest.raises(
        MlflowError, match=r"redirect to https://sso\.example\.com/login;"
    ):
        _mocked(handler).get_registered_model("fraud")


def test_a_server_error_is_transient():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, text="upstream unavailable")

    with pytest.raises(MlflowError) as caught:
        _mocked(handler).set_alias("fraud", "production", "1")

    assert (caught.value.status, caught.value.transient) == (503, True)
