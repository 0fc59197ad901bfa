"""A page's figures cached until the organisation's data changes (apps/dashboards/memo.py):
keyed on the hash of the newest audit event that may change a figure, the teams the
reader sees, the filters and the hundredth of a day."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import override_settings

from apps.accounts import services as accounts
from apps.accounts.models import Role
from apps.dashboards import memo, selectors
from apps.dashboards.panels import TEAM_PANELS
from tests.dashboards.conftest import MATURE
from tests.dashboards.test_memo import figures
from tests.dashboards.test_pages import URL, count_queries, signed_in, team_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def figures_cached(settings):
    """The cache on, as in production (config/settings_test.py turns it off), and empty."""
    settings.DASHBOARDS_FIGURES_CACHE_SECONDS = 3600
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def frames_read(monkeypatch) -> dict[str, int]:
    """Counts the reads of the frames each page starts from (the real selectors run)."""
    calls = {"maturity": 0, "levels": 0}

    def counted(name, real):
        def read(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)

        return read

    monkeypatch.setattr(
        selectors, "maturity_frame", counted("maturity", selectors.maturity_frame)
    )
    monkeypatch.setattr(
        selectors,
        "dimension_levels_frame",
        counted("levels", selectors.dimension_levels_frame),
    )
    return calls


def uncached(client, url, params=None) -> dict:
    with override_settings(DASHBOARDS_FIGURES_CACHE_SECONDS=0):
        return figures(client.get(url, params or {}))


def test_an_unchanged_organisation_is_read_once(two_teams, executive, frames_read):
    client = signed_in(executive)
    first = client.get(URL)
    read_once = count_queries(client, URL)

    assert frames_read["maturity"] == 1
    assert figures(client.get(URL)) == figures(first) == uncached(client, URL)
    with override_settings(DASHBOARDS_FIGURES_CACHE_SECONDS=0):
        # Every frame's queries, less the chain head's one.
        assert count_queries(client, URL) >= read_once + 8


def test_a_change_through_a_service_shows_at_once(
    two_teams, scored, executive, frames_read
):
    client = signed_in(executive)
    before = figures(client.get(URL))
    _shop, credit = two_teams

    scored(credit, "2026-Q4", MATURE)  # audited: the chain's figures hash moves
    after = figures(client.get(URL))

    assert frames_read["maturity"] == 2
    assert after["heatmap"] != before["heatmap"]
    assert after == uncached(client, URL)


def test_an_event_that_changes_no_figure_keeps_the_entry(
    two_teams, executive, frames_read
):
    client = signed_in(executive)
    client.get(URL)

    accounts.api_token_create(user=executive, name="ci")  # api_token.created
    client.get(URL)

    assert frames_read["maturity"] == 1


def test_readers_of_fewer_teams_get_their_own_figures(
    two_teams, executive, make_user, frames_read
):
    shop, _credit = two_teams
    lead = signed_in(make_user(Role.TEAM_LEAD, team=shop))
    everyone = figures(signed_in(executive).get(URL))

    own = figures(lead.get(URL))

    assert frames_read["maturity"] == 2
    assert own != everyone
    assert own == uncached(lead, URL)


def test_each_filter_is_its_own_entry(two_teams, executive, frames_read):
    shop, _credit = two_teams
    client = signed_in(executive)
    client.get(URL)
    narrowed = figures(client.get(URL, {"team": shop.pk}))
    client.get(URL, {"team": shop.pk})

    assert frames_read["maturity"] == 2
    assert narrowed == uncached(client, URL, {"team": shop.pk})


def test_figures_that_age_are_read_again_each_hundredth_of_a_day(
    two_teams, executive, frames_read, monkeypatch
):
    client = signed_in(executive)
    monkeypatch.setattr(memo, "age_bucket", lambda: 1)
    client.get(URL)
    client.get(URL)
    monkeypatch.setattr(memo, "age_bucket", lambda: 2)
    client.get(URL)

    assert frames_read["maturity"] == 2


def test_the_team_page_reads_the_organisation_s_levels_once(
    two_teams, scored, executive, frames_read
):
    shop, credit = two_teams
    client = signed_in(executive)
    first = client.get(team_url(shop))
    second = client.get(team_url(shop))

    assert frames_read["levels"] == 1
    assert figures(second, TEAM_PANELS) == figures(first, TEAM_PANELS)

    scored(credit, "2026-Q4", MATURE)  # moves the org median of one dimension
    client.get(team_url(shop))

    assert frames_read["levels"] == 2


@override_settings(DASHBOARDS_FIGURES_CACHE_SECONDS=0)
def test_the_cache_can_be_turned_off(two_teams, executive, frames_read):
    client = signed_in(executive)
    client.get(URL)
    client.get(URL)

    assert frames_read["maturity"] == 2
