"""Panels' drawings cached under their frame's digest (apps/dashboards/memo.py): a
page whose data did not change skips the chart builders, and changed data is never
drawn from an old entry."""

from __future__ import annotations

import pandas as pd
import pytest
from django.core.cache import cache
from django.test import override_settings

from apps.dashboards import charts, memo
from apps.dashboards.panels import ORG_PANELS, TEAM_PANELS
from tests.dashboards.conftest import MATURE
from tests.dashboards.test_pages import (
    URL,
    figure,
    signed_in,
    team_url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def heatmaps_drawn(monkeypatch) -> list[int]:
    """Counts the heatmap builder's calls (it stays the real builder)."""
    calls: list[int] = []
    real = charts.maturity_heatmap

    def counted(frame, sort):
        calls.append(len(frame))
        return real(frame, sort)

    monkeypatch.setattr(charts, "maturity_heatmap", counted)
    return calls


def frame(**columns) -> pd.DataFrame:
    return pd.DataFrame({"team_id": [1, 2], "level": [1, 3], **columns})


def test_equal_frames_have_one_digest_and_any_difference_another():
    digest = memo.frame_digest(frame())

    assert memo.frame_digest(frame()) == digest
    assert memo.frame_digest(frame(level=[1, 2])) != digest  # a value
    assert memo.frame_digest(frame().iloc[::-1]) != digest  # the order of rows
    assert memo.frame_digest(frame(level=[1.0, 3.0])) != digest  # a type
    assert memo.frame_digest(frame().rename(columns={"level": "floor"})) != digest
    assert memo.frame_digest(frame(extra=["a", "b"])) != digest


def test_a_frame_pandas_cannot_hash_is_drawn_afresh_every_time():
    unhashable = frame(names=[["a"], ["b"]])
    drawn = []

    for _ in range(2):
        memo.drawn("panel", unhashable, lambda: drawn.append(1) or "figure")

    assert memo.frame_digest(unhashable) is None
    assert drawn == [1, 1]


def test_an_unchanged_page_is_drawn_once(two_teams, executive, heatmaps_drawn):
    client = signed_in(executive)
    first = client.get(URL)
    second = client.get(URL)

    assert len(heatmaps_drawn) == 1
    assert figures(second) == figures(first)


def test_new_scores_are_drawn_at_once_never_from_the_old_entry(
    two_teams, scored, executive, heatmaps_drawn
):
    client = signed_in(executive)
    before = figures(client.get(URL))
    _shop, credit = two_teams

    scored(credit, "2026-Q4", MATURE)
    after = figures(client.get(URL))
    with override_settings(DASHBOARDS_DRAWING_CACHE_SECONDS=0):
        uncached = figures(client.get(URL))

    assert after["heatmap"] != before["heatmap"]
    assert after == uncached


def test_each_sort_is_its_own_drawing(two_teams, executive, heatmaps_drawn):
    client = signed_in(executive)
    client.get(URL)
    client.get(URL, {"sort": "floor"})
    client.get(URL, {"sort": "floor"})

    assert len(heatmaps_drawn) == 2


@override_settings(DASHBOARDS_DRAWING_CACHE_SECONDS=0)
def test_the_cache_can_be_turned_off(two_teams, executive, heatmaps_drawn):
    client = signed_in(executive)
    client.get(URL)
    client.get(URL)

    assert len(heatmaps_drawn) == 2


def test_the_team_page_draws_from_the_cache_too(two_teams, executive):
    shop, _credit = two_teams
    client = signed_in(executive)
    first = client.get(team_url(shop))
    keys = set(cache._cache)  # locmem: the keys it holds

    second = client.get(team_url(shop))

    assert figures(second, TEAM_PANELS) == figures(first, TEAM_PANELS)
    assert any("dashboards:drawing:" in key for key in keys)
    assert set(cache._cache) == keys


def figures(response, panels=ORG_PANELS) -> dict[str, dict]:
    return {panel.key: figure(response, panel.key) for panel in panels}
