"""URLs and the error shape, for the repositories API tests."""

from __future__ import annotations

API = "/api/v1/repos/"


def url(*parts: object) -> str:
    """url(3, "scans") -> /api/v1/repos/3/scans/"""
    return API + "".join(f"{part}/" for part in parts)


def error(response) -> dict:
    """The error body, after checking it has the one error shape."""
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]
