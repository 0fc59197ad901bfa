"""Test data for assessments: a small rubric imported from YAML, assessments, files."""

from __future__ import annotations

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from factory.django import DjangoModelFactory

from apps.accounts.models import Role, Team, User
from apps.assessments import services
from apps.assessments.models import Assessment
from apps.assessments.services import AnswerInput
from apps.rubrics.models import Rubric
from apps.rubrics.services import rubric_import
from apps.rubrics.validation import parse_rubric
from tests.accounts.factories import MembershipFactory, TeamFactory, UserFactory

# Two core dimensions, one question of every type, every evidence rule.
RUBRIC_YAML = """\
slug: {slug}
version: {version}
title: Test rubric
levels:
  - {{level: 0, name: Absent}}
  - {{level: 1, name: Manual}}
  - {{level: 2, name: Standardised}}
  - {{level: 3, name: Automated}}
  - {{level: 4, name: Closed loop}}
dimensions:
  - id: data
    name: Data
    core: true
    weight: 1.0
    questions:
      - id: data.snapshots
        type: single_choice
        text: How do you know which data trained a model?
        options:
          - {{value: nobody, label: Nobody knows, level: 0}}
          - {{value: notes, label: Notes per run, level: 1}}
          - {{value: versioned, label: Versioned snapshots, level: 2}}
    criteria:
      - id: data.l1.documented
        level: 1
        statement: Data sources are written down.
        evidence: attest
        requires: []
        effort: S
        question: {{type: yes_no, text: "Are data sources documented?"}}
      - id: data.l2.versioned
        level: 2
        statement: Training data is versioned.
        evidence: attest
        requires: [data.l1.documented]
        effort: M
        question: data.snapshots
      - id: data.l3.validated
        level: 3
        statement: Data is validated before training.
        evidence: artifact
        requires: []
        effort: L
        question: {{type: yes_no, text: "Does a validation gate stop bad data?"}}
  - id: ops
    name: Operations
    core: true
    weight: 2.0
    criteria:
      - id: ops.l1.runbook
        level: 1
        statement: A runbook exists.
        evidence: attest
        requires: []
        effort: S
        question: {{type: text, text: "Where is the runbook?"}}
      - id: ops.l2.tools
        level: 2
        statement: Shared tooling is used.
        evidence: attest
        requires: []
        effort: M
        question:
          type: multi_select
          text: Which tools do you use?
          options:
            - {{value: ci, label: CI}}
            - {{value: registry, label: Model registry, evidence: required}}
            - {{value: monitoring, label: Monitoring}}
        met_when: {{min_selected: 2}}
      - id: ops.l3.retraining
        level: 3
        statement: Models retrain automatically.
        evidence: signal:continuous_training
        requires: []
        effort: L
        question: {{type: number, text: "Hours from new data to a retrained model", min: 0, max: 10000}}
        met_when: {{lte: 24}}
"""


def rubric_create(
    *, slug: str = "test-rubric", version: str = "1.0.0", publish: bool = True
) -> Rubric:
    """A rubric from RUBRIC_YAML through the real parser and import (published)."""
    text = RUBRIC_YAML.format(slug=slug, version=version)
    spec = parse_rubric(text, filename=f"{slug}.yaml")
    return rubric_import(spec=spec, publish=publish).rubric


class AssessmentFactory(DjangoModelFactory):
    """A draft assessment; states beyond draft come from the services."""

    class Meta:
        model = Assessment

    team = factory.SubFactory(TeamFactory)
    rubric = factory.LazyFunction(rubric_create)
    period = factory.Sequence(lambda n: f"{2000 + n // 4}-Q{n % 4 + 1}")
    created_by = factory.SubFactory(
        UserFactory, organization=factory.SelfAttribute("..team.organization")
    )


PDF_BYTES = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pdf_upload(name: str = "report.pdf", content: bytes = PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _person(team: Team, role: str) -> User:
    user = UserFactory(organization=team.organization)
    MembershipFactory(
        user=user, role=role, team=team if role == Role.TEAM_LEAD else None
    )
    return user


def assessment_in(
    team: Team, status: str, *, period: str = "2026-Q4", file: bool = False
) -> Assessment:
    """An assessment of `team` brought to `status` by the services.

    Its own lead answers and submits it and its own assessor reviews it, so callers'
    roles stay theirs. It carries one evidence item: a PDF with file=True, else a link.
    """
    rubric, lead = rubric_create(), _person(team, Role.TEAM_LEAD)
    assessment = services.assessment_create(
        team=team, period=period, rubric=rubric, created_by=lead
    )
    question = rubric.questions.get(key="data.l3.validated")
    services.answers_save(
        assessment=assessment, respondent=lead, items=[AnswerInput(question.pk, True)]
    )
    link = {"upload": pdf_upload()} if file else {"url": "https://example.com/gate"}
    services.evidence_add(
        assessment=assessment, question=question, added_by=lead, **link
    )
    reviewer = _person(team, Role.ASSESSOR)
    steps = [
        lambda: services.assessment_submit(assessment=assessment, submitted_by=lead),
        lambda: services.review_start(assessment=assessment, reviewer=reviewer),
        lambda: services.review_complete(assessment=assessment, reviewer=reviewer),
    ]
    for step in steps[: list(Assessment.Status).index(status)]:
        step()
    assessment.refresh_from_db()
    return assessment
