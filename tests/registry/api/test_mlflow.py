"""mlflow/: the organisation's MLflow connection, read and set by org admins. The
token never comes back."""

from __future__ import annotations

import pytest

from apps.registry.models import MlflowConnection
from tests.registry.api.helpers import error, url

pytestmark = pytest.mark.django_db

TOKEN = "mlflow-token-do-not-echo"


def _put(client, registry, **changes):
    body = {
        "tracking_uri": "https://mlflow.example.com/",
        "token": TOKEN,
        "default_team": registry.team.pk,
        **changes,
    }
    return client.put(url("mlflow"), body, format="json")


def test_mlflow_connection_is_404_until_set(registry, api_client):
    response = api_client(registry.admin).get(url("mlflow"))

    assert response.status_code == 404


def test_mlflow_connection_set_stores_token_encrypted_and_never_returns_it(
    registry, api_client
):
    client = api_client(registry.admin)

    put = _put(client, registry)
    get = client.get(url("mlflow"))

    assert put.status_code == 200, put.content
    connection = MlflowConnection.objects.get()
    assert connection.token_encrypted
    assert TOKEN not in connection.token_encrypted
    for response in (put, get):
        assert TOKEN.encode() not in response.content
        assert connection.token_encrypted.encode() not in response.content
    assert get.json()["tracking_uri"] == "https://mlflow.example.com"
    assert (get.json()["enabled"], get.json()["authenticated"]) == (True, True)
    assert get.json()["default_team"]["id"] == registry.team.pk


def test_mlflow_connection_keeps_the_token_when_omitted_and_drops_it_when_empty(
    registry, api_client
):
    client = api_client(registry.admin)
    _put(client, registry)

    kept = client.put(
        url("mlflow"),
        {
            "tracking_uri": "https://mlflow2.example.com",
            "default_team": registry.team.pk,
        },
        format="json",
    )
    dropped = _put(client, registry, token="")

    assert kept.json()["authenticated"] is True
    assert dropped.json()["authenticated"] is False


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"tracking_uri": "ftp://mlflow.example.com"}, "tracking_uri"),
        ({"tracking_uri": "https://user:pw@mlflow.example.com"}, "tracking_uri"),
        ({"tracking_uri": "u" * 501}, "tracking_uri"),
        ({"default_team": "x"}, "default_team"),
        ({"default_team": 10**6}, "default_team"),
    ],
)
def test_mlflow_connection_set_refuses_bad_input(registry, api_client, changes, field):
    response = _put(api_client(registry.admin), registry, **changes)

    assert response.status_code == 400
    assert list(error(response)["fields"]) == [field]
    assert not MlflowConnection.objects.exists()


def test_mlflow_connection_is_for_org_admins_only(registry, api_client):
    officer = api_client(registry.risk_officers[0])

    assert officer.get(url("mlflow")).status_code == 403
    assert _put(officer, registry).status_code == 403
    assert _put(api_client(registry.lead), registry).status_code == 403


def test_mlflow_connection_of_another_organisation_is_invisible(
    registry, api_client, stranger
):
    _put(api_client(registry.admin), registry)

    assert api_client(stranger).get(url("mlflow")).status_code == 404
    assert error(_put(api_client(stranger), registry))["fields"] == {
        "default_team": ["Unknown team."]
    }
