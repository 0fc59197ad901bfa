"""The repository list: visible repositories by team with their latest scan, the team
filter, the link form for those who may link, and a constant query budget."""

from __future__ import annotations

import pytest

from apps.repos.models import Scan
from tests.repos.factories import scanned
from tests.repos.pages.conftest import count_queries

pytestmark = pytest.mark.django_db


def _names(response) -> list[str]:
    return [repo.name for g in response.context["shown"] for repo, _ in g["rows"]]


def test_list_shows_repos_by_team_with_their_latest_scan(people, client_for):
    done = people.repo(name="org/done")
    scanned(done, {"ci_config": (True, "declared")})
    busy = people.repo(name="org/busy", team=people.other_team)
    Scan.objects.create(
        repo=busy, trigger="manual", status="running", step="cloning", percent=40
    )
    people.repo(name="org/new")

    response = client_for(people.admin).get("/repos/")

    html = response.content.decode()
    assert response.status_code == 200
    assert _names(response) == ["org/busy", "org/done", "org/new"]  # Churn, Fraud
    assert f'<h2 id="team-{people.team.pk}-name">Fraud models</h2>' in html
    assert f'href="/repos/{done.pk}/"' in html
    assert '<span class="status status-succeeded">Succeeded</span>' in html
    assert "cloning · 40 %" in html
    assert "never scanned" in html


def test_list_filters_by_team(people, client_for):
    people.repo(name="org/fraud")
    people.repo(name="org/churn", team=people.other_team)

    response = client_for(people.approver).get(f"/repos/?team={people.team.pk}")

    assert _names(response) == ["org/fraud"]
    assert 'aria-current="page">Fraud models</a>' in response.content.decode()


def test_an_unknown_team_filter_shows_every_team(people, client_for):
    people.repo(name="org/fraud")

    response = client_for(people.approver).get("/repos/?team=x")

    assert _names(response) == ["org/fraud"]


def test_team_members_see_only_their_teams_repos(people, client_for):
    people.repo(name="org/fraud")
    people.repo(name="org/churn", team=people.other_team)

    assert _names(client_for(people.member).get("/repos/")) == ["org/fraud"]
    assert _names(client_for(people.outsider).get("/repos/")) == ["org/churn"]
    assert len(_names(client_for(people.approver).get("/repos/"))) == 2


def test_another_organisations_repos_are_not_listed(people, client_for, stranger):
    people.repo()

    response = client_for(stranger).get("/repos/")

    assert _names(response) == []
    assert 'id="no-repos"' in response.content.decode()


def test_the_link_form_offers_only_the_teams_the_user_manages(people, client_for):
    lead_form = client_for(people.lead).get("/repos/").context["form"]
    admin_form = client_for(people.admin).get("/repos/").context["form"]

    assert lead_form.fields["team"].choices == [(people.team.pk, "Fraud models")]
    assert [name for _, name in admin_form.fields["team"].choices] == [
        "Churn models",
        "Fraud models",
    ]


def test_the_link_form_is_not_offered_to_members_or_approvers(people, client_for):
    for user in (people.member, people.approver):
        response = client_for(user).get("/repos/")

        assert response.context["form"] is None
        assert "Link a repository" not in response.content.decode()


def test_the_link_form_labels_every_field_and_hides_the_token(people, client_for):
    html = client_for(people.lead).get("/repos/").content.decode()

    for field in (
        "team",
        "name",
        "provider",
        "project",
        "clone_url",
        "default_branch",
        "subdir",
        "credentials",
    ):
        assert f'<label for="link_{field}">' in html
    assert 'type="password" name="credentials"' in html


def test_local_paths_are_offered_to_admins_when_roots_are_configured(
    people, client_for, settings, tmp_path
):
    assert (
        "local_path"
        not in client_for(people.admin).get("/repos/").context["form"].fields
    )
    settings.REPOS_LOCAL_ROOTS = [str(tmp_path)]

    admin_form = client_for(people.admin).get("/repos/").context["form"]
    lead_form = client_for(people.lead).get("/repos/").context["form"]

    assert "local_path" in admin_form.fields
    assert "local_path" not in lead_form.fields  # the service would refuse a lead


def test_list_queries_do_not_grow_with_repos(people, client_for):
    client = client_for(people.lead)
    client.get("/repos/")  # warm the session

    def grow_to(count: int) -> None:
        while len(people.team.repos.all()) < count:
            repo = people.repo()
            scanned(repo, {"ci_config": (True, "declared")})
            Scan.objects.create(repo=repo, trigger="manual")

    grow_to(1)
    few = count_queries(client, "/repos/")
    grow_to(5)
    many = count_queries(client, "/repos/")

    # Session, user, roles, the repositories (team), their latest scans, the
    # organisation's teams (link form), the organisation (page header).
    assert few == many == 7


def test_list_needs_sign_in(client):
    response = client.get("/repos/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
