"""A database that cannot be reached (restart, failover) is a 503 asking to retry,
in the API's error shape or as a page that reads nothing from the database; any
other error stays a 500. bench/faults.py checks it against a real PostgreSQL
restart."""

from __future__ import annotations

import pytest
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path

from apps.core import views


def _raising(error: Exception):
    def view(request) -> HttpResponse:
        raise error

    return view


urlpatterns = [
    path("api/v1/down/", _raising(OperationalError("server closed the connection"))),
    path("down/", _raising(InterfaceError("connection already closed"))),
    path("api/v1/broken/", _raising(ValueError("a bug"))),
    path("broken/", _raising(ValueError("a bug"))),
]
handler500 = "apps.core.views.server_error"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls(__name__),
]


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)


@override_settings(DEBUG=False)
def test_the_api_answers_503_with_retry_after_in_its_error_shape(client):
    response = client.get("/api/v1/down/")

    assert response.status_code == 503
    assert response["Retry-After"] == str(views.RETRY_AFTER_SECONDS)
    assert response.json() == {
        "error": {
            "code": "service_unavailable",
            "message": views.UNAVAILABLE_MESSAGE,
            "fields": {},
        }
    }


@override_settings(DEBUG=False)
def test_a_page_answers_503_without_touching_the_database(
    client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/down/")

    assert response.status_code == 503
    assert response["Retry-After"] == str(views.RETRY_AFTER_SECONDS)
    assert b"try again shortly" in response.content


@override_settings(DEBUG=False)
@pytest.mark.parametrize("url", ["/api/v1/broken/", "/broken/"])
def test_any_other_error_is_still_a_500(client, url):
    response = client.get(url)

    assert response.status_code == 500
    assert "Retry-After" not in response
