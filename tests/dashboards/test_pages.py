"""Dashboard pages: who sees which teams, the GET filters (and a 400 for bad ones),
each panel's chart, data table, downloads and drill-downs, the team page, the one
plotly.js served from our static files, and query budgets that do not grow with the
number of teams."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import Role, Team, User
from apps.dashboards.panels import ORG_PANELS
from apps.roadmaps import services as roadmaps
from tests.accounts.factories import (
    BusinessUnitFactory,
    OrganizationFactory,
    TeamFactory,
)
from tests.dashboards.conftest import BASIC, MATURE
from tests.repos.factories import LinkedRepoFactory, scanned

pytestmark = pytest.mark.django_db

URL = "/dashboards/"
PLANNED = {  # plans ops.l2.tools and data.l3.validated in Now
    "data.l1.documented": True,
    "data.snapshots": "versioned",
    "data.l3.validated": True,
    "ops.l1.runbook": "https://wiki.example.com/runbook",
    "ops.l2.tools": ["ci"],
}


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def team_url(team: Team) -> str:
    return f"/dashboards/teams/{team.pk}/"


def figure(response, key: str) -> dict:
    """The panel's figure as the page embeds it for dashboards.js."""
    html = response.content.decode()
    found = re.search(
        rf'<script type="application/json" id="figure-{key}">(.*?)</script>', html
    )
    assert found, f"no figure for {key}"
    return json.loads(found.group(1))


def heatmap_rows(response) -> list[str]:
    data = figure(response, "heatmap")["data"]
    return data[0]["y"] if data else []


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(captured)


# --- Who sees what ----------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(two_teams):
    shop, _credit = two_teams
    for url in (URL, team_url(shop), "/dashboards/data/heatmap.csv"):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_an_executive_sees_every_team(two_teams, executive):
    response = signed_in(executive).get(URL)

    assert response.status_code == 200
    assert heatmap_rows(response) == ["Credit", "Shop"]
    assert figure(response, "distribution")["layout"]["meta"]["teams"] == 2


def test_a_member_sees_only_their_team(two_teams, make_user):
    shop, credit = two_teams
    member = make_user(Role.TEAM_MEMBER, team=shop)

    response = signed_in(member).get(URL)

    assert heatmap_rows(response) == ["Shop"]
    team_choices = dict(response.context["form"].fields["team"].choices)
    assert shop.pk in team_choices
    assert credit.pk not in team_choices
    assert "Credit" not in response.content.decode()


def test_another_organisation_sees_nothing(two_teams, make_user):
    outsider = make_user(Role.EXECUTIVE, organization=OrganizationFactory())

    response = signed_in(outsider).get(URL)

    assert response.status_code == 200
    assert figure(response, "heatmap")["layout"]["meta"]["empty"] is True
    html = response.content.decode()
    assert "Shop" not in html
    assert "Credit" not in html


# --- Filters ----------------------------------------------------------------------------


def test_a_business_unit_narrows_every_panel(two_teams, units, executive):
    response = signed_in(executive).get(URL, {"business_unit": units[1].pk})

    assert heatmap_rows(response) == ["Credit"]
    assert figure(response, "distribution")["layout"]["meta"]["teams"] == 1
    evidence = response.context["panels"][4]
    assert evidence.panel.key == "evidence"
    assert [row[1][0] for row in evidence.table.rows] == ["Risk"]


def test_a_team_filter_shows_that_team(two_teams, executive):
    shop, credit = two_teams
    response = signed_in(executive).get(URL, {"team": shop.pk})
    assert heatmap_rows(response) == ["Shop"]
    # The filter keeps its choice, among the teams the user reads.
    html = response.content.decode()
    team_select = re.search(r'<select name="team" id="id_team">(.*?)</select>', html)
    options = dict(re.findall(r'<option value="(\d*)"( selected)?>', team_select[1]))
    assert options == {"": "", str(shop.pk): " selected", str(credit.pk): ""}


def test_a_period_shows_that_quarters_scores(two_teams, executive):
    response = signed_in(executive).get(URL, {"period": "2026-Q2"})
    assert heatmap_rows(response) == ["Shop"]


def test_empty_filters_from_the_form_mean_everything(two_teams, executive):
    query = {"business_unit": "", "team": "", "period": "", "sort": ""}
    response = signed_in(executive).get(URL, query)
    assert response.status_code == 200
    assert heatmap_rows(response) == ["Credit", "Shop"]


def test_the_heatmap_sorts_by_floor_or_index(two_teams, executive):
    response = signed_in(executive).get(URL, {"sort": "index"})
    assert figure(response, "heatmap")["layout"]["meta"]["sort"] == "index"
    assert heatmap_rows(response) == ["Shop", "Credit"]  # Shop's index is higher


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("business_unit", "retail"),
        ("business_unit", "999999"),
        ("team", "999999"),
        ("period", "1999-Q1"),
        ("period", "<script>"),
        ("sort", "size"),
    ],
)
def test_a_bad_filter_is_a_400_with_the_forms_error(two_teams, executive, name, value):
    response = signed_in(executive).get(URL, {name: value})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="filter-errors"' in html
    assert "Select a valid choice" in html
    assert 'id="chart-heatmap"' not in html


def test_a_team_the_user_may_not_read_is_not_a_filter_choice(two_teams, make_user):
    shop, credit = two_teams
    member = make_user(Role.TEAM_MEMBER, team=shop)
    response = signed_in(member).get(URL, {"team": credit.pk})
    assert response.status_code == 400


# --- Panels -----------------------------------------------------------------------------


def test_every_panel_has_a_chart_its_data_downloads_and_drill_downs(
    two_teams, units, executive
):
    query = {"business_unit": units[0].pk}
    html = signed_in(executive).get(URL, query).content.decode()

    for panel in ORG_PANELS:
        key = panel.key
        assert f'id="panel-{key}"' in html
        assert f'<div class="chart" id="chart-{key}" data-figure="figure-{key}"' in html
        assert f'id="data-{key}"' in html
        assert f"<caption>{panel.title}" in html
        for extension in ("csv", "xlsx"):
            href = f"/dashboards/data/{key}.{extension}?business_unit={units[0].pk}"
            assert f'href="{href}"' in html
    assert html.count("<summary>Show data</summary>") == len(ORG_PANELS)


def test_the_drill_downs_lead_to_the_lists_behind_the_panels(two_teams, executive):
    shop, credit = two_teams
    html = signed_in(executive).get(URL).content.decode()

    # The heatmap's rows (in its data table, and on click) open the team's page.
    assert f'<a href="/dashboards/teams/{shop.pk}/">Shop</a>' in html
    links = re.search(
        r'<script id="links-heatmap" type="application/json">(.*?)<', html
    )
    assert json.loads(links.group(1)) == {
        "Credit": f"/dashboards/teams/{credit.pk}/",
        "Shop": f"/dashboards/teams/{shop.pk}/",
    }
    assert 'href="/registry/requests/?status=open"' in html
    assert 'href="/registry/?alias=production"' in html
    assert 'href="/registry/?revalidation=overdue"' in html
    assert 'href="/roadmaps/"' in html
    assert 'href="/repos/"' in html


def test_the_registry_drill_downs_keep_the_team_filter(two_teams, executive):
    shop, _credit = two_teams
    html = signed_in(executive).get(URL, {"team": shop.pk}).content.decode()
    assert f'href="/registry/?alias=production&amp;team={shop.pk}"' in html


def test_the_data_table_matches_the_chart(two_teams, executive):
    response = signed_in(executive).get(URL)
    heatmap = response.context["panels"][0]
    assert heatmap.table.headers[:3] == ["Team", "Business unit", "Dimension"]
    assert [cells[:4] for _link, cells in heatmap.table.rows] == [
        ["Credit", "Risk", "Data", "1"],
        ["Credit", "Risk", "Operations", "0"],
        ["Shop", "Retail", "Data", "2"],
        ["Shop", "Retail", "Operations", "0"],
    ]


def test_a_team_name_cannot_end_the_figures_script(units, scored, executive):
    scored(TeamFactory(business_unit=units[0], name="</script><b>x"), "2026-Q3", BASIC)
    response = signed_in(executive).get(URL)
    assert "</script><b>x" not in response.content.decode()
    assert heatmap_rows(response) == ["</script><b>x"]


def test_the_nav_links_to_the_dashboards(executive):
    html = signed_in(executive).get("/roadmaps/").content.decode()
    assert '<a href="/dashboards/">Dashboards</a>' in html


# --- plotly.js --------------------------------------------------------------------------


def test_the_page_loads_plotly_from_our_static_files_only(two_teams, executive):
    html = signed_in(executive).get(URL).content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts == [
        "/static/plotly/plotly.min.js",
        "/static/dashboards/dashboards.js",
    ]
    assert "<script>" not in html  # no inline script
    assert "cdn" not in html.lower()


def test_the_plotly_bundle_is_found_and_served():
    path = finders.find("plotly/plotly.min.js")
    assert path is not None
    assert path.endswith("plotly/package_data/plotly.min.js")
    with override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True):
        response = Client().get("/static/plotly/plotly.min.js")
        assert response.status_code == 200
        head = b"".join(response.streaming_content)[:200]
    assert b"plotly.js v" in head


# --- The team page ----------------------------------------------------------------------


@pytest.fixture
def planned(units, scored, rubric):
    """Shop with two quarters, a linked repository's signals and a roadmap."""
    shop = TeamFactory(business_unit=units[0], name="Shop")
    scored(shop, "2026-Q2", BASIC)
    scored(shop, "2026-Q3", PLANNED)
    scanned(
        LinkedRepoFactory(team=shop),
        {"ci_runs_tests": (True, "running"), "monitoring": (False, "")},
    )
    roadmaps.roadmap_generate(team=shop)
    return shop


def test_the_team_page_shows_profile_history_evidence_and_now_items(planned, executive):
    response = signed_in(executive).get(team_url(planned))

    assert response.status_code == 200
    radar = figure(response, "team-radar")
    assert [trace["name"] for trace in radar["data"]] == ["Team", "Org median"]
    history = figure(response, "team-history")
    assert history["data"][0]["x"] == ["2026-Q2", "2026-Q3"]
    html = response.content.decode()
    assert '<tr id="signal-ci_runs_tests">' in html
    assert "<td>Running</td>" in html
    assert timezone.now().strftime("%Y-%m-%d") in html
    url = f"/roadmaps/teams/{planned.pk}/"
    assert f'<a href="{url}#item-ops-l2-tools"><code>ops.l2.tools</code></a>' in html
    assert f'href="{url}#item-data-l3-validated"' in html
    assert html.count("<summary>Show data</summary>") == 2


def test_a_member_reads_their_team_page_and_not_anothers(two_teams, make_user):
    shop, credit = two_teams
    client = signed_in(make_user(Role.TEAM_MEMBER, team=shop))

    assert client.get(team_url(shop)).status_code == 200
    assert client.get(team_url(credit)).status_code == 404
    assert client.get("/dashboards/teams/999999/").status_code == 404


def test_another_organisations_team_page_is_a_404(two_teams, make_user):
    outsider = make_user(Role.EXECUTIVE, organization=OrganizationFactory())
    assert signed_in(outsider).get(team_url(two_teams[0])).status_code == 404


def test_a_team_without_scores_or_roadmap_says_so(org, executive):
    team = TeamFactory(business_unit=BusinessUnitFactory(organization=org))
    response = signed_in(executive).get(team_url(team))

    assert response.status_code == 200
    assert figure(response, "team-radar")["layout"]["meta"]["empty"] is True
    html = response.content.decode()
    assert "No signal yet" in html
    assert "No roadmap yet" in html


# --- Query budgets ----------------------------------------------------------------------


def add_teams(units, scored, n: int) -> None:
    for i in range(n):
        team = TeamFactory(business_unit=units[i % 2])
        scored(team, "2026-Q3", MATURE if i % 3 else BASIC)
        scanned(LinkedRepoFactory(team=team), {"ci_runs_tests": (True, "running")})


def test_the_org_dashboard_costs_the_same_for_3_or_50_teams(units, scored, executive):
    client = signed_in(executive)
    add_teams(units, scored, 3)
    # session, user, the executive's roles; the filter's business units, teams and
    # periods; maturity (2: scores per dimension, dimension names), team scores,
    # trend, evidence (2: teams' units, fresh signals), open requests, production
    # (2: aliases, overdue versions), break-glass, common Now items; the
    # organisation (top bar)
    assert count_queries(client, URL) == 18
    add_teams(units, scored, 47)

    assert count_queries(client, URL) == 18
    assert count_queries(client, f"{URL}?business_unit={units[0].pk}") == 18


def test_the_team_page_costs_the_same_for_3_or_50_teams(
    units, scored, planned, executive
):
    client = signed_in(executive)
    add_teams(units, scored, 2)
    # session, user, the executive's roles, the team, the org's levels, the team's
    # maturity (2), its history, its signals, its roadmap and items (2), the
    # organisation
    few = count_queries(client, team_url(planned))
    assert few == 12
    add_teams(units, scored, 47)

    assert count_queries(client, team_url(planned)) == few
