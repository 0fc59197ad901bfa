"""Roadmaps plan from assessments: the assessment fixtures, shared."""

from __future__ import annotations

import pytest

from apps.accounts.models import Role
from apps.rubrics.models import TeamTarget
from tests.assessments.conftest import (  # noqa: F401  (fixtures)
    GOOD_ANSWERS,
    _media_in_tmp,
    answer,
    assessor,
    draft,
    in_review,
    lead,
    member,
    questions,
    reviewed,
    rubric,
    submitted,
)


@pytest.fixture
def target(team, rubric):  # noqa: F811 (the imported fixture)
    """target("ops", 3) sets the team's target for a dimension."""

    def _target(dimension: str, level: int) -> TeamTarget:
        return TeamTarget.objects.update_or_create(
            team=team,
            rubric_slug=rubric.slug,
            dimension_key=dimension,
            defaults={"level": level},
        )[0]

    return _target


@pytest.fixture
def outsider(make_user, org):
    """Someone of the organisation with no role on the team."""
    from tests.accounts.factories import TeamFactory

    other = TeamFactory(business_unit__organization=org)
    return make_user(Role.TEAM_LEAD, team=other)
