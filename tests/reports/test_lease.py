"""A worker killed mid-render: its lease lapses, and the report is rendered again by
the next delivery or the sweep; a live lease is left alone; a render past its time
limit fails readably."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.reports import services
from apps.reports.models import Report

pytestmark = pytest.mark.django_db


def _request(team) -> Report:
    return services.report_request(
        kind=Report.Kind.TEAM_ASSESSMENT, team=team, requested_by=None, enqueue=False
    )


def _as_if_a_worker_died(report: Report, *, lease_left: timedelta) -> None:
    """The row a killed worker leaves: rendering, its lease running out."""
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.RENDERING,
        progress=30,
        lease_until=timezone.now() + lease_left,
    )


def test_a_lapsed_lease_is_claimed_again_and_the_report_rendered_once(team):
    report = _request(team)
    _as_if_a_worker_died(report, lease_left=timedelta(seconds=-1))

    rendered = services.report_render(report_id=report.pk)

    assert rendered.status == Report.Status.DONE
    assert rendered.lease_until is None
    reclaimed = AuditEvent.objects.get(action="report.rendering")
    assert '"reclaimed":true' in reclaimed.canonical
    assert services.report_render(report_id=report.pk) is None  # done: nothing to do


def test_a_live_lease_is_left_to_its_worker(team):
    report = _request(team)
    _as_if_a_worker_died(report, lease_left=timedelta(minutes=5))

    assert services.report_render(report_id=report.pk) is None
    report.refresh_from_db()
    assert report.status == Report.Status.RENDERING


def test_the_sweep_sends_lost_and_orphaned_reports_again(
    team, django_capture_on_commit_callbacks
):
    lost, orphaned, queued, live = (_request(team) for _ in range(4))
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Report.objects.filter(pk=lost.pk).update(requested_at=an_hour_ago)
    _as_if_a_worker_died(orphaned, lease_left=timedelta(seconds=-1))
    _as_if_a_worker_died(live, lease_left=timedelta(minutes=5))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sent = services.reports_resend_stale()

    assert sent == 2
    assert len(callbacks) == 2
    states = dict(Report.objects.values_list("pk", "status"))
    assert states[lost.pk] == states[orphaned.pk] == Report.Status.DONE
    assert states[queued.pk] == Report.Status.PENDING  # its message is on its way
    assert states[live.pk] == Report.Status.RENDERING


def test_a_render_past_its_time_limit_fails_readably(team, settings, monkeypatch):
    settings.REPORTS_RENDER_TIMEOUT = 600

    def too_slow(*args, **kwargs):
        # What Celery raises in the task when its soft time limit passes.
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services, "render_pdf", too_slow)

    report = services.report_render(report_id=_request(team).pk)

    assert report.status == Report.Status.FAILED
    assert report.error == "The report took longer than 600 s to render."
    assert not report.file


def test_a_failed_commit_leaves_no_file_behind(team, settings, monkeypatch):
    report = _request(team)

    def broken_trail(*args, **kwargs):
        raise RuntimeError("the audit trail is unavailable")

    monkeypatch.setattr(services, "_checkpoint_facts", broken_trail)

    with pytest.raises(RuntimeError):
        services.report_render(report_id=report.pk)

    report.refresh_from_db()
    assert (
        report.status == Report.Status.RENDERING
    )  # its lease will lapse: rendered again
    assert not report.file
    stored = list((settings.MEDIA_ROOT / "reports").rglob("*.pdf"))
    assert stored == []
