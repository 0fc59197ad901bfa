"""Leadership reports: the organisation dashboard's panels for an organisation or one
business unit, rendered without a user and checked by reading the PDF back."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from apps.dashboards.panels import ORG_PANELS
from apps.dashboards.views.common import cell
from apps.reports import services
from apps.reports.content.leadership import leadership_content
from apps.reports.documents import leadership
from apps.reports.models import Report
from tests.accounts.factories import BusinessUnitFactory, TeamFactory
from tests.dashboards.conftest import BASIC, MATURE

pytestmark = pytest.mark.django_db

CHINESE = "风控模型团队"
JAPANESE = "需要予測チーム"
ACCENTED = "Équipe Données Café"


@pytest.fixture
def organisation(org, scored):
    """Two units: Risque & Conformité (the Chinese and the accented team) and Retail
    (the Japanese team, and Shop, assessed in 2026-Q2 only)."""
    risk = BusinessUnitFactory(
        organization=org, name="Risque & Conformité", slug="risque"
    )
    retail = BusinessUnitFactory(organization=org, name="Retail", slug="retail")
    chinese = TeamFactory(business_unit=risk, name=CHINESE)
    scored(chinese, "2026-Q2", BASIC)
    scored(chinese, "2026-Q3", MATURE)
    scored(TeamFactory(business_unit=risk, name=ACCENTED), "2026-Q3", BASIC)
    scored(TeamFactory(business_unit=retail, name=JAPANESE), "2026-Q3", MATURE)
    scored(TeamFactory(business_unit=retail, name="Shop"), "2026-Q2", BASIC)
    return org


def _request(org, **kwargs) -> Report:
    return services.report_request(
        kind=Report.Kind.LEADERSHIP,
        organization=org,
        requested_by=None,
        enqueue=False,
        **kwargs,
    )


def _render(org, **kwargs) -> Report:
    return services.report_render(report_id=_request(org, **kwargs).pk)


def _text(report: Report) -> str:
    with report.file.open("rb") as pdf:
        return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


def test_an_organisation_report_has_every_panel_with_its_data(organisation):
    report = _render(organisation)

    assert report.status == Report.Status.DONE, report.error
    with report.file.open("rb") as pdf:
        content = pdf.read()
    assert report.sha256 == hashlib.sha256(content).hexdigest()
    # A cover, then each panel from a new page; four teams fit on one page each.
    assert report.page_count == len(PdfReader(io.BytesIO(content)).pages)
    assert 1 + len(ORG_PANELS) <= report.page_count <= 2 * len(ORG_PANELS)
    text = _text(report)
    for panel in ORG_PANELS:
        assert panel.title in text
    for name in (CHINESE, JAPANESE, ACCENTED, "Risque & Conformité", "Retail"):
        assert name in text
    # Each team's latest: Shop's is of 2026-Q2. The levels table has a row per team.
    assert re.search(r"^Shop Retail \d", text, re.MULTILINE)
    assert f"Leadership report: {organisation.name}" in text
    assert f"Page 1 of {report.page_count}" in text
    # The Chinese team's floor and index as the dashboard's table writes them.
    snapshot = (
        organisation.teams.get(name=CHINESE)
        .assessments.get(period="2026-Q3")
        .snapshots.get()
    )
    assert f"{CHINESE} {snapshot.floor} {cell(snapshot.index)}" in text


def test_a_period_reads_each_teams_assessment_of_that_quarter(organisation):
    text = _text(_render(organisation, period="2026-Q3"))

    assert "Each team's assessment of 2026-Q3" in text
    assert CHINESE in text
    assert JAPANESE in text
    assert "Shop" not in text


def test_a_business_unit_report_leaves_out_the_other_units_teams(organisation):
    risk = organisation.business_units.get(slug="risque")

    report = _render(organisation, business_unit=risk)

    text = _text(report)
    assert f"{organisation.name} · Risque & Conformité" in text  # the cover
    assert CHINESE in text
    assert ACCENTED in text
    assert JAPANESE not in text
    assert "Retail" not in text


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2020-Q1", "No team in {org} has a scored assessment for 2020-Q1."),
        ("", "No team in {org} has a scored assessment."),
    ],
)
def test_no_scored_assessment_fails_readably_without_a_file(org, period, message):
    TeamFactory(business_unit=BusinessUnitFactory(organization=org))

    report = _render(org, period=period)

    assert report.status == Report.Status.FAILED
    assert report.error == message.format(org=org.name)
    assert not report.file


def test_the_command_renders_a_business_units_report(organisation, tmp_path):
    out = tmp_path / "risk.pdf"
    stdout = io.StringIO()

    call_command(
        "report_render",
        "leadership",
        *("--org", organisation.slug, "--business-unit", "risque"),
        *("--page-size", "Letter", "--out", str(out)),
        stdout=stdout,
    )

    report = Report.objects.get()
    assert report.business_unit.slug == "risque"
    assert hashlib.sha256(out.read_bytes()).hexdigest() == report.sha256
    assert f"pages {report.page_count}" in stdout.getvalue()
    box = PdfReader(out).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_the_command_says_why_a_period_has_no_report(organisation, tmp_path):
    out = tmp_path / "empty.pdf"

    with pytest.raises(CommandError, match="has a scored assessment for 2020-Q1"):
        call_command(
            "report_render",
            "leadership",
            *("--org", organisation.slug, "--period", "2020-Q1", "--out", str(out)),
        )
    assert not out.exists()


def test_reading_the_content_costs_the_same_queries_for_2_or_10_teams(org, scored):
    unit = BusinessUnitFactory(organization=org)

    def add_teams(n: int) -> None:
        for i in range(n):
            scored(
                TeamFactory(business_unit=unit), "2026-Q3", MATURE if i % 2 else BASIC
            )

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            leadership_content(
                organization=org, business_unit=None, period="", now=timezone.now()
            )
        return len(ctx.captured_queries)

    add_teams(2)
    few = count()
    add_teams(8)
    assert count() == few


@pytest.fixture
def crowded(org, scored):
    """More teams than a heatmap page holds, nearly all in one unit."""
    big = BusinessUnitFactory(organization=org, name="Big", slug="big")
    small = BusinessUnitFactory(organization=org, name="Small", slug="small")
    for i in range(leadership.HEATMAP_MAX_ROWS + 1):
        scored(TeamFactory(business_unit=big), "2026-Q3", MATURE if i % 2 else BASIC)
    scored(TeamFactory(business_unit=small), "2026-Q3", BASIC)
    return org


def _heatmap_of(org, **scope):
    progress: list[int] = []
    document = leadership.build(_request(org, **scope), progress.append)
    assert progress == sorted(progress)
    assert progress[0] >= 10
    assert progress[-1] <= 90
    return next(p for p in document.context["panels"] if p.panel.key == "heatmap")


def test_many_teams_are_drawn_by_business_unit_with_every_team_in_the_table(crowded):
    heatmap = _heatmap_of(crowded)

    teams = leadership.HEATMAP_MAX_ROWS + 2
    assert heatmap.note.startswith(f"{teams} teams are too many rows for a page")
    assert "each business unit's median level" in heatmap.note
    # A row per team, a column per dimension (the test rubric has two).
    assert len(heatmap.table.rows) == teams
    assert heatmap.table.headers == ["Team", "Business unit", "Data", "Operations"]


def test_many_teams_in_one_unit_are_drawn_at_either_end_of_the_index(crowded):
    heatmap = _heatmap_of(crowded, business_unit=crowded.business_units.get(slug="big"))

    half = leadership.HEATMAP_MAX_ROWS // 2
    assert f"the {half} teams with the highest maturity index" in heatmap.note
    assert len(heatmap.table.rows) == leadership.HEATMAP_MAX_ROWS + 1
