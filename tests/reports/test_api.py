"""Reports over the API: request, follow, download; nothing across teams or
organisations, and bad input named by field."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.audit.models import AuditEvent
from apps.reports import services
from apps.reports.models import Report
from tests.accounts.factories import (
    BusinessUnitFactory,
    OrganizationFactory,
    TeamFactory,
)
from tests.broker import unreachable_broker

pytestmark = pytest.mark.django_db
LIST = reverse("reports-api:report-list")


def _detail(report_id: int) -> str:
    return reverse("reports-api:report-detail", args=[report_id])


def _download(report_id: int) -> str:
    return reverse("reports-api:report-download", args=[report_id])


def test_a_member_requests_follows_and_downloads_a_team_report(
    team, make_user, api_client, django_capture_on_commit_callbacks
):
    client = api_client(make_user(Role.TEAM_MEMBER, team=team))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            LIST,
            {"kind": "team_assessment", "team": team.pk, "page_size": "Letter"},
            format="json",
        )

    assert response.status_code == 202
    assert response.json()["status"] == "pending"  # as it was when queued
    report_id = response.json()["id"]
    state = client.get(_detail(report_id)).json()
    assert (state["status"], state["kind"], state["scope"]) == (
        "done",
        "team_assessment",
        team.name,
    )
    assert state["audit_head_seq"] >= 1
    assert len(state["audit_head_hash"]) == 64
    pdf = client.get(_download(report_id))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="report.downloaded").count() == 1
    assert [r["id"] for r in client.get(LIST).json()["results"]] == [report_id]


def test_a_pending_report_cannot_be_downloaded_yet(team, make_user, api_client):
    client = api_client(make_user(Role.TEAM_LEAD, team=team))
    # Queued, never run: the callbacks after commit are not executed here.
    report_id = client.post(
        LIST, {"kind": "team_assessment", "team": team.pk}, format="json"
    ).json()["id"]

    response = client.get(_download(report_id))

    assert response.status_code == 409
    assert response.json()["error"]["message"] == "The report is not ready."
    assert not AuditEvent.objects.filter(action="report.downloaded").exists()


def test_a_report_requested_while_the_broker_is_down_waits_for_the_sweep(
    team, make_user, api_client, django_capture_on_commit_callbacks
):
    client = api_client(make_user(Role.TEAM_LEAD, team=team))

    with unreachable_broker(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            LIST, {"kind": "team_assessment", "team": team.pk}, format="json"
        )

    # Accepted and kept, not a 500 after the commit; the sweep sends it later.
    assert response.status_code == 202
    report = Report.objects.get(pk=response.json()["id"])
    assert report.status == Report.Status.PENDING
    later = timezone.now() + services.QUEUED_TOO_LONG * 2
    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert services.reports_resend_stale(now=later) == 1
    assert len(sent) == 1


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"kind": "quarterly"}, "kind", '"quarterly" is not a valid choice.'),
        ({"kind": "team_assessment"}, "team", "Required."),
        ({"kind": "team_assessment", "team": 10**20}, "team", None),
        ({"kind": "team_assessment", "period": "Q3"}, "period", None),
        ({"kind": "leadership", "model": 1}, "model", None),
        ({"kind": "governance", "team": "TEAM"}, "team", None),
        ({"kind": "governance", "page_size": "A3"}, "page_size", None),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(
    team, make_user, api_client, payload, field, message
):
    client = api_client(make_user(Role.AUDITOR))

    response = client.post(LIST, payload, format="json")

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert field in fields
    if message:
        assert fields[field] == [message]
    assert not Report.objects.exists()


def test_a_scope_of_another_organisation_is_not_found(team, make_user, api_client):
    elsewhere = OrganizationFactory(slug="elsewhere")
    foreign = TeamFactory(business_unit=BusinessUnitFactory(organization=elsewhere))
    client = api_client(make_user(Role.AUDITOR))

    response = client.post(
        LIST, {"kind": "team_assessment", "team": foreign.pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"team": ["Not found."]}
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"kind": "leadership"},
        {"kind": "governance"},  # every model of the organisation
    ],
)
def test_a_team_member_may_not_request_reports_on_the_organisation(
    team, make_user, api_client, payload
):
    client = api_client(make_user(Role.TEAM_MEMBER, team=team))

    response = client.post(LIST, payload, format="json")

    assert response.status_code == 403
    assert not Report.objects.exists()


def test_reports_of_other_teams_and_organisations_are_not_found(
    team, make_user, api_client, django_capture_on_commit_callbacks
):
    auditor = api_client(make_user(Role.AUDITOR))
    report_id = auditor.post(
        LIST, {"kind": "team_assessment", "team": team.pk}, format="json"
    ).json()["id"]
    other_team = TeamFactory(business_unit=team.business_unit, name="Other")
    outsider = OrganizationFactory(slug="elsewhere")

    for user in (
        make_user(Role.TEAM_MEMBER, team=other_team),
        make_user(Role.EXECUTIVE, organization=outsider),
    ):
        client = api_client(user)
        assert client.get(_detail(report_id)).status_code == 404
        assert client.get(_download(report_id)).status_code == 404
        assert client.get(LIST).json()["results"] == []


def test_anonymous_callers_are_refused(team, api_client):
    client = api_client(None)
    assert client.get(LIST).status_code in (401, 403)
    assert client.post(LIST, {"kind": "leadership"}, format="json").status_code in (
        401,
        403,
    )
