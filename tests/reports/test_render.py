"""Team assessment reports: requested, rendered once by a worker, checked by reading
the PDF back."""

from __future__ import annotations

import hashlib
import io
import time

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from apps.audit.models import AuditEvent
from apps.reports import services
from apps.reports.models import Report
from tests.reports.conftest import TEAM_NAME

pytestmark = pytest.mark.django_db


def _text(report: Report) -> str:
    with report.file.open("rb") as pdf:
        return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


def _request(team, **kwargs) -> Report:
    return services.report_request(
        kind=Report.Kind.TEAM_ASSESSMENT,
        team=team,
        requested_by=None,
        enqueue=False,
        **kwargs,
    )


def test_a_team_report_holds_its_figures_and_the_file_matches_its_hash(team):
    report = services.report_render(report_id=_request(team).pk)

    assert report.status == Report.Status.DONE
    with report.file.open("rb") as pdf:
        content = pdf.read()
    assert report.sha256 == hashlib.sha256(content).hexdigest()
    assert report.page_count == len(PdfReader(io.BytesIO(content)).pages) >= 2
    text = _text(report)
    for expected in (
        TEAM_NAME,
        "Risque & Conformité",
        "Executive summary",
        "Levels by dimension",
        "History",
        "Answers and evidence",
        "Reviewer decisions",
        # The dashboards' charts, drawn by kaleido as SVG: their text stays text.
        "Team profile by dimension",
        "Team maturity over time",
        "2026-Q3",
        "since 2026-Q2",
        f"Page 1 of {report.page_count}",
    ):
        assert expected in text
    snapshot = team.assessments.get(period="2026-Q3").snapshots.get()
    earlier = team.assessments.get(period="2026-Q2").snapshots.get()
    assert f"{snapshot.index:.2f}" in text
    assert f"{snapshot.index - earlier.index:+.2f} since 2026-Q2" in text


def test_each_step_writes_one_audit_event(team):
    before = AuditEvent.objects.count()
    report = services.report_render(report_id=_request(team).pk)

    actions = list(
        AuditEvent.objects.order_by("seq").values_list("action", flat=True)[before:]
    )
    assert actions == ["report.requested", "report.rendering", "report.rendered"]
    assert report.generated_at is not None


def test_a_report_is_rendered_once(team):
    report = _request(team)
    assert services.report_render(report_id=report.pk).status == Report.Status.DONE

    assert services.report_render(report_id=report.pk) is None


def test_a_period_without_data_fails_with_a_readable_error_and_no_file(team):
    report = services.report_render(report_id=_request(team, period="2020-Q1").pk)

    assert report.status == Report.Status.FAILED
    assert report.error == f"{TEAM_NAME} has no scored assessment for 2020-Q1."
    assert not report.file
    assert AuditEvent.objects.filter(action="report.failed").count() == 1


def test_a_request_queues_its_rendering_after_commit(
    team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = services.report_request(
            kind=Report.Kind.TEAM_ASSESSMENT, team=team, requested_by=None
        )

    assert len(callbacks) == 1
    report.refresh_from_db()
    assert report.status == Report.Status.DONE  # eager here; a worker in production


def test_letter_pages_are_letter_sized(team):
    report = services.report_render(report_id=_request(team, page_size="Letter").pk)

    with report.file.open("rb") as pdf:
        box = PdfReader(pdf).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_the_command_writes_the_pdf_and_prints_its_hash_and_pages(team, tmp_path):
    out = tmp_path / "team.pdf"
    stdout = io.StringIO()

    call_command(
        "report_render",
        "team_assessment",
        *("--org", team.organization.slug, "--team", "risk-models", "--out", str(out)),
        stdout=stdout,
    )

    report = Report.objects.get()
    assert hashlib.sha256(out.read_bytes()).hexdigest() == report.sha256
    assert f"sha256 {report.sha256}" in stdout.getvalue()
    assert f"pages {report.page_count}" in stdout.getvalue()


@pytest.mark.parametrize(
    ("team_slug", "period", "message"),
    [
        ("nobody", "", "No team 'nobody'"),
        ("risk-models", "2020-Q1", "has no scored assessment for 2020-Q1"),
    ],
)
def test_the_command_fails_clearly_and_writes_nothing(
    team, tmp_path, team_slug, period, message
):
    out = tmp_path / "team.pdf"
    with pytest.raises(CommandError, match=message):
        call_command(
            "report_render",
            "team_assessment",
            *("--org", team.organization.slug, "--team", team_slug),
            *("--period", period, "--out", str(out)),
        )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db(transaction=True)
def test_a_worker_renders_a_requested_report(celery_worker, team):
    """On the PostgreSQL pass a real worker on the `reports` queue renders it; in the
    embedded mode the task runs in-process once the request commits."""
    report = services.report_request(
        kind=Report.Kind.TEAM_ASSESSMENT, team=team, requested_by=None
    )

    deadline = time.monotonic() + 120
    while report.status in (Report.Status.PENDING, Report.Status.RENDERING):
        assert time.monotonic() < deadline, "the report was not rendered in time"
        time.sleep(0.2)
        report.refresh_from_db()
    assert report.status == Report.Status.DONE
    assert TEAM_NAME in _text(report)
