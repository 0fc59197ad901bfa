"""Report fixtures: a team named in Chinese, with two quarters handed in."""

from __future__ import annotations

import pytest

from tests.accounts.factories import BusinessUnitFactory, TeamFactory
from tests.dashboards.conftest import BASIC, MATURE, rubric, scored  # noqa: F401

TEAM_NAME = "风控模型团队"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Rendered files land in the test's folder, not var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def team(org, scored):  # noqa: F811 - the fixture imported above
    unit = BusinessUnitFactory(organization=org, name="Risque & Conformité")
    team = TeamFactory(business_unit=unit, name=TEAM_NAME, slug="risk-models")
    scored(team, "2026-Q2", BASIC)
    scored(team, "2026-Q3", MATURE)
    return team
