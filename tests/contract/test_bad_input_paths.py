"""Bad values in URLs, and formulas on their way into a spreadsheet.

Every route with a path parameter, API and pages alike, is asked for with ids past
64 bits, zero, and text where a slug or a version goes (unicode, a NUL, a climb out of
the folder, a kilobyte): a 4xx, never a 5xx, and the API's in its error shape. Query
strings get a NUL and an id past 64 bits. Text that a spreadsheet would run as a
formula goes in through the API and comes out of the CSV export neutralised.
"""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import get_resolver

from apps.accounts.models import Role
from apps.roadmaps import services as roadmap_services
from tests.assessments.factories import assessment_in
from tests.contract.bad_input import error_of
from tests.core.test_page_permissions import _served

pytestmark = pytest.mark.django_db

BAD_IDS = [str(2**70), str(2**63), "0"]
BAD_TEXT = ["ünïcødé-🧪", "a\x00b", "..", "%2e%2e%2f", "\u202e\u200b", "x" * 1000]
BAD_BY_CONVERTER = {"int": BAD_IDS, "slug": BAD_TEXT, "str": BAD_TEXT}
_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _routes() -> list[str]:
    return sorted(
        {
            route
            for _, route in _served(get_resolver().url_patterns)
            if _PARAMETER.search(route) and not route.startswith("admin/")
        }
    )


def _paths(route: str) -> list[str]:
    """The route once per bad value of each parameter, the others given a plain 1."""
    parameters = list(_PARAMETER.finditer(route))
    paths = []
    for bad in parameters:
        for value in BAD_BY_CONVERTER.get(bad.group(1) or "str", BAD_TEXT):
            path = "/" + route
            for match in reversed(parameters):
                text = value if match is bad else "1"
                path = (
                    path[: match.start() + 1]
                    + quote(text, safe="")
                    + path[match.end() + 1 :]
                )
            paths.append(path)
    return paths


@pytest.fixture
def clients(org, make_user, api_client):
    admin = make_user(Role.ORG_ADMIN)
    page = Client()
    page.force_login(admin)
    return {"api": api_client(admin), "page": page}


def _problem(client, method: str, path: str, query: dict | None = None) -> str | None:
    """Why the answer is wrong (a 5xx, an API error outside its shape), or None."""
    try:
        response = getattr(client, method)(path, query)
    except Exception as exc:  # a server error, reported with the others
        return f"raised {exc!r}"[:300]
    if response.status_code >= 500:
        return f"{response.status_code}"
    api_error = path.startswith("/api/") and response.status_code >= 400
    if api_error and not error_of(response).get("message"):
        return f"{response.status_code} not in the error shape"
    return None


@pytest.mark.parametrize("route", _routes())
def test_route_answers_bad_path_values_with_a_4xx(route, clients):
    client = clients["api" if route.startswith("api/") else "page"]
    failures = []

    for path in _paths(route):
        for method in ("get", "post"):
            if problem := _problem(client, method, path):
                failures.append(f"{method.upper()} {path[:120]}: {problem}")

    assert not failures, "\n".join(failures)


LIST_QUERIES = [
    "/api/v1/assessments/",
    "/api/v1/registry/models/",
    "/api/v1/registry/versions/",
    "/api/v1/repos/",
    "/api/v1/audit/events/",
    "/api/v1/reports/",
    "/registry/",
    "/assessments/",
    "/dashboards/",
    "/roadmaps/",
]
BAD_QUERY_VALUES = ["a\x00b", str(2**70), "ünï", "x" * 5000]


@pytest.mark.parametrize("path", LIST_QUERIES)
def test_list_answers_bad_query_values_with_a_4xx_at_worst(path, clients):
    client = clients["api" if path.startswith("/api/") else "page"]
    names = ["team", "model", "q", "status", "page", "period", "business_unit"]
    failures = []

    for name in names:
        for value in BAD_QUERY_VALUES:
            if problem := _problem(client, "get", path, {name: value}):
                failures.append(f"{name}={value[:20]!r}: {problem}")

    assert not failures, "\n".join(failures)


FORMULAS = [
    '=HYPERLINK("https://evil.example","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("formula", FORMULAS)
def test_formula_typed_into_the_api_is_neutralised_in_the_csv_export(
    formula, team, make_user, api_client
):
    lead = make_user(Role.TEAM_LEAD, team=team)
    assessment_in(team, "submitted")
    item = roadmap_services.roadmap_generate(team=team).items.first()

    saved = api_client(lead).patch(
        f"/api/v1/roadmaps/items/{item.pk}/",
        {"status": "dismissed", "dismissed_reason": formula},
        format="json",
    )
    page = Client()
    page.force_login(lead)
    response = page.get(f"/roadmaps/teams/{team.pk}/roadmap.csv")

    assert saved.status_code == 200, saved.content
    rows = csv.DictReader(io.StringIO(response.content.decode(), newline=""))
    (row,) = [r for r in rows if r["dismissed_reason"]]
    assert row["dismissed_reason"] == "'" + formula.strip()
