"""Dashboard fixtures: teams in two business units with assessments handed in through
the services, so their scores are the engine's."""

from __future__ import annotations

import pytest

from apps.accounts.models import Role
from apps.assessments import services as assessments
from apps.assessments.services import AnswerInput
from tests.accounts.factories import BusinessUnitFactory, TeamFactory
from tests.assessments.factories import rubric_create

# The test rubric (tests/assessments/factories.py): data and ops, both core.
MATURE = {"data.l1.documented": True, "data.snapshots": "versioned"}
BASIC = {"data.l1.documented": True}


@pytest.fixture
def rubric():
    return rubric_create()


@pytest.fixture
def scored(rubric, make_user):
    """scored(team, period, answers) hands in an assessment of the team."""

    def _scored(team, period, answers):
        lead = make_user(Role.TEAM_LEAD, team=team)
        assessment = assessments.assessment_create(
            team=team, period=period, rubric=rubric, created_by=lead
        )
        questions = {q.key: q.pk for q in rubric.questions.all()}
        assessments.answers_save(
            assessment=assessment,
            respondent=lead,
            items=[AnswerInput(questions[k], v) for k, v in answers.items()],
        )
        assessments.assessment_submit(assessment=assessment, submitted_by=lead)
        return assessment

    return _scored


@pytest.fixture
def units(org):
    return (
        BusinessUnitFactory(organization=org, name="Retail"),
        BusinessUnitFactory(organization=org, name="Risk"),
    )


@pytest.fixture
def two_teams(units, scored):
    """Shop (Retail; 2026-Q2 and Q3) and Credit (Risk; 2026-Q3)."""
    retail, risk = units
    shop = TeamFactory(business_unit=retail, name="Shop")
    credit = TeamFactory(business_unit=risk, name="Credit")
    scored(shop, "2026-Q2", BASIC)
    scored(shop, "2026-Q3", MATURE)
    scored(credit, "2026-Q3", BASIC)
    return shop, credit


@pytest.fixture
def executive(make_user):
    return make_user(Role.EXECUTIVE)
