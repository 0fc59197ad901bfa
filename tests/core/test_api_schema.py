"""The OpenAPI schema generates cleanly and its docs page needs no outside host."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_openapi_schema_generates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))

    assert "/api/v1/teams/{team_id}/" in out.read_text()


def test_schema_api_serves_openapi_document(make_user, api_client):
    response = api_client(make_user()).get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def _asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


def test_api_docs_page_loads_assets_from_own_static_files(make_user, client):
    client.force_login(make_user())

    html = client.get("/api/docs/").content.decode()

    assets = _asset_urls(html)
    assert any(url.endswith("swagger-ui-bundle.js") for url in assets)
    for url in assets:
        assert url.startswith("/static/"), url
        assert finders.find(url.removeprefix("/static/")), url


def test_api_docs_page_names_no_outside_host(make_user, client):
    client.force_login(make_user())

    html = client.get("/api/docs/").content.decode()

    assert not re.search(
        r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/|cdn|unpkg|jsdelivr", html
    )
