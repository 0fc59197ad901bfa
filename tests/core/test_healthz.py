"""/healthz: what a load balancer sees, on the real database and a real (or dead) broker."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.broker import closed_port

pytestmark = pytest.mark.django_db


@override_settings(CELERY_BROKER_URL="")
def test_healthz_is_ok_on_the_database_without_a_broker(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "embedded"},
    }
    assert "no-cache" in response["Cache-Control"]


def test_healthz_checks_the_configured_broker(client, settings):
    if not settings.CELERY_BROKER_URL:
        pytest.skip("no CELERY_BROKER_URL: the PostgreSQL and Redis pass runs this")

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


def test_healthz_names_an_unreachable_broker_and_nothing_else(client):
    port = closed_port()
    url = f"redis://:hunter2-broker-password@127.0.0.1:{port}/0"

    with override_settings(CELERY_BROKER_URL=url):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "failing",
        "checks": {"database": "ok", "broker": "failing"},
    }
    body = response.content.decode()
    for leak in ("redis", "127.0.0.1", str(port), "hunter2", "Error"):
        assert leak not in body


def test_healthz_answers_head_without_a_body(client):
    response = client.head("/healthz")

    assert response.status_code == 200
    assert response.content == b""


def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405


@override_settings(SECURE_SSL_REDIRECT=True)
def test_healthz_is_not_redirected_to_https_unlike_other_pages(client):
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get("/login/").status_code == 301
