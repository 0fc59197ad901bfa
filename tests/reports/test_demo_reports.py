"""Each kind of report rendered for the demo organisation, read back from the PDF: what
a visitor of `make run` gets when they request one."""

from __future__ import annotations

import pytest
from django.db import transaction
from pypdf import PdfReader

from apps.accounts.demo import seed_demo
from apps.accounts.models import Organization, Team
from apps.assessments.demo import seed_demo_assessments
from apps.assessments.models import ScoreSnapshot
from apps.audit.models import Chain
from apps.dashboards.panels import ORG_PANELS
from apps.registry.demo import seed_demo_registry
from apps.registry.models import RegisteredModel
from apps.reports import services
from apps.reports.models import Report
from apps.roadmaps.demo import seed_demo_roadmaps

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def acme(django_db_setup, django_db_blocker):
    """Seeded once for the module, inside a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo()
        organization = Organization.objects.get(slug="acme")
        seed_demo_assessments(organization=organization)
        seed_demo_roadmaps(organization=organization)
        seed_demo_registry(organization=organization)
        yield organization
        transaction.set_rollback(True)


def _render(organization: Organization, kind: str, **scope) -> tuple[Report, str]:
    report = services.report_request(
        kind=kind,
        organization=organization,
        requested_by=None,
        enqueue=False,
        **scope,
    )
    report = services.report_render(report_id=report.pk)
    assert report.status == Report.Status.DONE, report.error
    with report.file.open("rb") as pdf:
        pages = PdfReader(pdf).pages
        assert len(pages) == report.page_count
        return report, "\n".join(page.extract_text() for page in pages)


def test_the_demo_teams_assessment_report(acme):
    team = Team.objects.get(organization=acme, slug="credit-risk-scoring")
    snapshot = (
        ScoreSnapshot.objects.filter(assessment__team=team)
        .order_by("-assessment__period", "-pk")
        .first()
    )

    report, text = _render(acme, Report.Kind.TEAM_ASSESSMENT, team=team)

    assert 10 <= report.page_count <= 60
    for expected in (
        "Team assessment: Credit Risk Scoring",
        "Executive summary",
        "Answers and evidence",
        "Reviewer decisions",
        "Roadmap",
        f"{snapshot.index:.2f}",
        snapshot.assessment.period,
    ):
        assert expected in text


def test_the_demo_registrys_governance_report_verifies_the_trail(acme):
    chain = Chain.objects.get(organization=acme)
    models = list(RegisteredModel.objects.filter(organization=acme))

    report, text = _render(acme, Report.Kind.GOVERNANCE)

    assert report.audit_verified is True
    # Read against the head as it was when rendering began (the rendering's own
    # events come after it).
    assert report.audit_head_seq >= chain.head_seq
    assert report.audit_head_hash in text.replace("\n", "")
    assert "Intact" in text
    assert "Break-glass applies" in text
    assert "Overdue revalidations" in text
    assert sum(model.name in text for model in models) == len(models)


def test_the_demo_organisations_leadership_report(acme):
    teams = Team.objects.filter(organization=acme)

    report, text = _render(acme, Report.Kind.LEADERSHIP)

    assert len(ORG_PANELS) < report.page_count <= 40
    for panel in ORG_PANELS:
        assert panel.title in text
    assert all(team.name in text for team in teams)
