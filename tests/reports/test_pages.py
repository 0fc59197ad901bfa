"""Report pages: request, follow, download; each reader sees only what they may."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from apps.accounts.models import Role
from apps.audit.models import AuditEvent
from apps.reports import services
from apps.reports.models import Report
from tests.accounts.factories import OrganizationFactory, TeamFactory

pytestmark = pytest.mark.django_db
LIST = reverse("reports:report-list")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def done(team) -> Report:
    report = services.report_request(
        kind=Report.Kind.TEAM_ASSESSMENT, team=team, requested_by=None, enqueue=False
    )
    return services.report_render(report_id=report.pk)


def _urls(report: Report) -> list[str]:
    return [
        reverse(f"reports:report-{name}", args=[report.pk])
        for name in ("detail", "status", "download")
    ]


def test_a_team_member_requests_a_report_and_a_worker_renders_it(
    team, make_user, django_capture_on_commit_callbacks
):
    member = make_user(Role.TEAM_MEMBER, team=team)
    client = signed_in(member)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            LIST,
            {
                "kind": "team_assessment",
                "team": team.pk,
                "period": "2026-Q3",
                "page_size": "Letter",
            },
        )

    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:report-detail", args=[report.pk])
    assert (report.requested_by, report.period, report.page_size) == (
        member,
        "2026-Q3",
        "Letter",
    )
    assert report.status == Report.Status.DONE  # eager here; a worker in production
    page = client.get(response["Location"]).content.decode()
    assert report.sha256 in page
    assert reverse("reports:report-download", args=[report.pk]) in page


def test_a_bad_period_is_a_400_with_the_fields_message(team, make_user):
    client = signed_in(make_user(Role.TEAM_LEAD, team=team))

    response = client.post(
        LIST,
        {"kind": "team_assessment", "team": team.pk, "period": "Q3", "page_size": "A4"},
    )

    assert response.status_code == 400
    assert "Write a quarter as 2026-Q3." in response.content.decode()
    assert not Report.objects.exists()


def test_another_teams_member_cannot_request_on_this_team(team, make_user):
    other = TeamFactory(business_unit=team.business_unit, name="Other")
    client = signed_in(make_user(Role.TEAM_MEMBER, team=other))

    response = client.post(
        LIST, {"kind": "team_assessment", "team": team.pk, "page_size": "A4"}
    )

    assert response.status_code == 400  # not one of their choices
    assert not Report.objects.exists()


def test_the_status_shows_progress_for_the_pages_bar(done, make_user, team):
    client = signed_in(make_user(Role.TEAM_MEMBER, team=team))

    state = client.get(reverse("reports:report-status", args=[done.pk])).json()

    assert state == {"status": "done", "progress": 100, "error": "", "done": True}


def test_a_download_is_the_pdf_and_an_audit_event(done, make_user, team):
    reader = make_user(Role.AUDITOR)

    response = signed_in(reader).get(reverse("reports:report-download", args=[done.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    event = AuditEvent.objects.get(action="report.downloaded")
    assert event.actor_id == reader.pk


@pytest.mark.parametrize("role", [Role.EXECUTIVE, Role.AUDITOR, Role.ORG_ADMIN])
def test_those_who_read_the_organisation_read_every_report(done, make_user, role):
    client = signed_in(make_user(role))
    assert [client.get(url).status_code for url in _urls(done)] == [200, 200, 200]
    assert f"report-{done.pk}" in client.get(LIST).content.decode()


def test_another_team_and_another_organisation_see_nothing(done, make_user, team):
    other_team = TeamFactory(business_unit=team.business_unit, name="Other")
    outsider = OrganizationFactory(slug="elsewhere")
    for user in (
        make_user(Role.TEAM_MEMBER, team=other_team),
        make_user(Role.EXECUTIVE, organization=outsider),
    ):
        client = signed_in(user)
        assert [client.get(url).status_code for url in _urls(done)] == [404, 404, 404]
        assert f"report-{done.pk}" not in client.get(LIST).content.decode()
    assert not AuditEvent.objects.filter(action="report.downloaded").exists()


def test_a_failed_report_shows_its_error(team, make_user):
    report = services.report_request(
        kind=Report.Kind.TEAM_ASSESSMENT,
        team=team,
        requested_by=None,
        period="2020-Q1",
        enqueue=False,
    )
    services.report_render(report_id=report.pk)
    client = signed_in(make_user(Role.TEAM_MEMBER, team=team))

    page = client.get(reverse("reports:report-detail", args=[report.pk]))
    download = client.get(reverse("reports:report-download", args=[report.pk]))

    assert "has no scored assessment for 2020-Q1" in page.content.decode()
    assert download.status_code == 409


def test_anonymous_visitors_are_sent_to_sign_in(done):
    for url in [LIST, *_urls(done)]:
        response = Client().get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_a_pending_report_shows_a_progress_bar_that_follows_its_status(team, make_user):
    report = services.report_request(
        kind=Report.Kind.TEAM_ASSESSMENT, team=team, requested_by=None, enqueue=False
    )
    client = signed_in(make_user(Role.TEAM_MEMBER, team=team))

    page = client.get(reverse("reports:report-detail", args=[report.pk])).content
    html = page.decode()

    assert '<progress id="report-progress-bar" max="100" value="0">' in html
    assert reverse("reports:report-status", args=[report.pk]) in html
    assert "reports/report_progress.js" in html
    assert reverse("reports:report-download", args=[report.pk]) not in html


def _forms_on(client: Client) -> set[str]:
    html = client.get(LIST).content.decode()
    return {kind for kind in Report.Kind.values if f'id="request-{kind}"' in html}


def test_each_role_is_offered_the_reports_it_may_request(team, make_user):
    risk_officer = signed_in(make_user(Role.RISK_OFFICER))
    assert _forms_on(signed_in(make_user(Role.AUDITOR))) == set(Report.Kind.values)
    # The team has no model yet: nothing to report on in the registry.
    assert _forms_on(signed_in(make_user(Role.TEAM_MEMBER, team=team))) == {
        "team_assessment"
    }
    assert _forms_on(risk_officer) == {"governance"}
    assert "Every model of the organisation" in risk_officer.get(LIST).content.decode()


def test_a_leadership_report_on_a_business_unit_is_requested_from_the_page(
    team, make_user
):
    client = signed_in(make_user(Role.EXECUTIVE))

    response = client.post(
        LIST,
        {
            "kind": "leadership",
            "business_unit": team.business_unit.pk,
            "page_size": "A4",
        },
    )

    report = Report.objects.get()
    assert response.status_code == 302
    assert (report.kind, report.business_unit, report.team) == (
        "leadership",
        team.business_unit,
        None,
    )
    page = client.get(response["Location"]).content.decode()
    assert escape(team.business_unit.name) in page


def test_a_kind_the_user_may_not_request_is_refused(team, make_user):
    client = signed_in(make_user(Role.TEAM_MEMBER, team=team))

    response = client.post(LIST, {"kind": "leadership", "page_size": "A4"})

    assert response.status_code == 400
    assert not Report.objects.exists()
