"""Fixtures for assessments: a small published rubric, people in each role, and an
assessment in each state, every state reached through the services."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from apps.accounts.models import Role, User
from apps.assessments import services
from apps.assessments.models import Answer, Assessment
from apps.assessments.services import AnswerInput
from apps.rubrics.models import Question, Rubric
from tests.assessments.factories import rubric_create
from tests.repos.factories import LinkedRepoFactory, scanned


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Evidence files go to a per-test directory, never var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def rubric(db) -> Rubric:
    return rubric_create()


@pytest.fixture
def questions(rubric) -> dict[str, Question]:
    """The rubric's questions by key (data.snapshots, data.l1.documented, ...)."""
    return {q.key: q for q in rubric.questions.all()}


@pytest.fixture
def lead(make_user, team) -> User:
    return make_user(Role.TEAM_LEAD, team=team)


@pytest.fixture
def member(make_user, team) -> User:
    return make_user(Role.TEAM_MEMBER, team=team)


@pytest.fixture
def assessor(make_user) -> User:
    return make_user(Role.ASSESSOR)


@pytest.fixture
def answer(questions) -> Callable[..., list[Answer]]:
    """answer(assessment, user, **{"data.l1.documented": True}) saves those answers."""

    def _answer(assessment: Assessment, user: User, **values) -> list[Answer]:
        items = [AnswerInput(questions[key].pk, value) for key, value in values.items()]
        return services.answers_save(
            assessment=assessment, respondent=user, items=items
        )

    return _answer


# Level 2 in data (with data.l3 claimed), level 1 in ops.
GOOD_ANSWERS = {
    "data.l1.documented": True,
    "data.snapshots": "versioned",
    "data.l3.validated": True,
    "ops.l1.runbook": "https://wiki.example.com/runbook",
    "ops.l2.tools": ["ci"],
}


@pytest.fixture
def draft(team, rubric, lead) -> Assessment:
    return services.assessment_create(
        team=team, period="2026-Q4", rubric=rubric, created_by=lead
    )


@pytest.fixture
def submitted(draft, member, lead, answer) -> Assessment:
    answer(draft, member, **GOOD_ANSWERS)
    services.assessment_submit(assessment=draft, submitted_by=lead)
    draft.refresh_from_db()
    return draft


@pytest.fixture
def in_review(submitted, assessor) -> Assessment:
    return services.review_start(assessment=submitted, reviewer=assessor)


@pytest.fixture
def reviewed(in_review, assessor) -> Assessment:
    services.review_complete(assessment=in_review, reviewer=assessor)
    in_review.refresh_from_db()
    return in_review


@pytest.fixture
def disputed_review(draft, member, lead, assessor, answer) -> Assessment:
    """The member says data sources are documented; the lead says they are not."""
    answer(draft, member, **GOOD_ANSWERS)
    answer(draft, lead, **{"data.l1.documented": False})
    services.assessment_submit(assessment=draft, submitted_by=lead)
    return services.review_start(assessment=draft, reviewer=assessor)


@pytest.fixture
def contradicted(draft, member, lead, assessor, answer) -> Assessment:
    """The team claims retraining within a day; the repository shows no such pipeline."""
    scanned(
        LinkedRepoFactory(team=draft.team),
        {"continuous_training": (False, "")},
    )
    answer(draft, member, **GOOD_ANSWERS, **{"ops.l3.retraining": 12})
    services.assessment_submit(assessment=draft, submitted_by=lead)
    return services.review_start(assessment=draft, reviewer=assessor)
