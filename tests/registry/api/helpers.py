"""URLs and the error shape, for the registry API tests."""

from __future__ import annotations

API = "/api/v1/registry/"


def url(*parts: object) -> str:
    """url("models", 3, "versions") -> /api/v1/registry/models/3/versions/"""
    return API + "".join(f"{part}/" for part in parts)


def error(response) -> dict:
    """The error body, after checking it has the one error shape."""
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]
