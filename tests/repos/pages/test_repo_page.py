"""The repository page: its settings, latest scan (with a live progress bar), signals
with evidence linked at the scanned commit, runtime measures, history facts, CI runs
and scan history; visibility and a constant query budget."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.repos.models import CIRun, Scan, Signal
from tests.repos.factories import scanned
from tests.repos.pages.conftest import count_queries

pytestmark = pytest.mark.django_db

COMMIT = "a" * 40


def _url(repo) -> str:
    return f"/repos/{repo.pk}/"


def _runtime(scan, key: str, value: bool, measure: dict, evidence=()) -> Signal:
    return Signal.objects.create(
        repo=scan.repo,
        scan=scan,
        key=key,
        value=value,
        strength="running" if value else "",
        source="github",
        evidence=list(evidence),
        measure=measure,
        observed_at=timezone.now(),
    )


def _runs(repo, count: int) -> None:
    start = timezone.now() - timedelta(days=1)
    CIRun.objects.bulk_create(
        CIRun(
            repo=repo,
            provider="github",
            provider_run_id=str(1000 + n),
            workflow="CI",
            event="push",
            status="completed",
            conclusion="success" if n % 2 else "failure",
            head_sha=f"{n:040x}",
            ref="main",
            run_created_at=start + timedelta(minutes=n),
            started_at=start + timedelta(minutes=n),
            finished_at=start + timedelta(minutes=n + 3),
            url=f"https://github.com/acme/fraud/actions/runs/{1000 + n}",
        )
        for n in range(count)
    )


def test_page_shows_the_repository_and_its_latest_scan(people, client_for):
    repo = people.repo(name="acme/fraud", default_branch="main", subdir="models/fraud")
    scanned(repo, {"ci_config": (True, "declared")})

    html = client_for(people.member).get(_url(repo)).content.decode()

    assert "<h1>acme/fraud</h1>" in html
    assert '<code class="location">https://github.com/acme/fraud.git</code>' in html
    assert "<code>main</code>" in html
    assert "<code>models/fraud</code>" in html
    assert '<span class="status status-enabled">Enabled</span>' in html
    assert '<span class="status status-succeeded">Succeeded</span>' in html
    assert f'<code title="{COMMIT}">{COMMIT[:12]}</code>' in html
    assert 'id="scan-progress"' not in html
    assert "scan_progress.js" not in html


def test_static_signals_link_their_evidence_at_the_scanned_commit(people, client_for):
    repo = people.repo(name="acme/fraud")
    scanned(repo, {"ci_config": (True, "wired"), "model_card": (False, "")})
    Signal.objects.filter(key="ci_config").update(
        evidence=[".github/workflows/ci.yml:12", "Makefile"]
    )

    html = client_for(people.member).get(_url(repo)).content.decode()

    base = f"https://github.com/acme/fraud/blob/{COMMIT}"
    assert f'href="{base}/.github/workflows/ci.yml#L12"' in html
    assert f'href="{base}/Makefile"' in html
    assert '<span class="visually-hidden">holds</span>' in html
    assert '<span class="visually-hidden">does not hold</span>' in html
    assert '<span class="strength strength-wired">Wired</span>' in html
    assert '<th scope="row"><code>model_card</code></th>' in html


def test_evidence_of_a_generic_git_repo_is_text(people, client_for):
    repo = people.repo(
        provider="git", project="", clone_url="https://git.example.com/x.git"
    )
    scanned(repo, {"ci_config": (True, "declared")})

    html = client_for(people.member).get(_url(repo)).content.decode()

    assert "<code>ci_config.yml</code></li>" in html
    assert "/blob/" not in html


def test_signals_are_grouped_static_then_runtime_with_measures(people, client_for):
    repo = people.repo()
    scan = scanned(repo, {"tests_present": (True, "declared")})
    _runtime(scan, "ci_pass_rate", True, {"pass_rate": 0.925, "window_days": 30})
    _runtime(scan, "ci_run_frequency", True, {"runs_per_week": 4.5, "window_days": 30})
    _runtime(
        scan,
        "lead_time",
        True,
        {"lead_time_hours": 12.25, "band": "high", "bands": "dora-2021"},
    )
    run = "https://github.com/acme/fraud/actions/runs/77"
    _runtime(
        scan,
        "continuous_training",
        True,
        {"last_success_at": "2026-03-01T06:00:00+00:00"},
        evidence=[run],
    )

    response = client_for(people.member).get(_url(repo))

    context, html = response.context, response.content.decode()
    assert [r.signal.key for r in context["static_signals"]] == ["tests_present"]
    assert [r.signal.key for r in context["runtime_signals"]] == [
        "continuous_training",  # proved by a run: runtime, in the catalogue's order
        "ci_pass_rate",
        "ci_run_frequency",
        "lead_time",
    ]
    assert "92 % of mainline runs passed over 30 days" in html
    assert "4.5 runs/week over 30 days" in html
    assert (
        '12.25 h lead time <span class="band band-high" title="DORA band, table dora-2021">High</span>'
        in html
    )
    assert "last success 2026-03-01 06:00" in html
    assert f'href="{run}"' in html


def test_history_facts_are_shown(people, client_for):
    repo = people.repo()
    scan = scanned(repo, {"ci_config": (True, "declared")})
    Signal.objects.create(
        repo=repo,
        scan=scan,
        key="history",
        value=True,
        source="scan",
        measure={"commits_90d": 42, "contributors_90d": 5, "last_commit_age_days": 3},
        observed_at=timezone.now(),
    )

    response = client_for(people.member).get(_url(repo))

    html = response.content.decode()
    assert "<dt>Commits in the last 90 days</dt><dd>42</dd>" in html
    assert "<dt>Contributors in the last 90 days</dt><dd>5</dd>" in html
    assert "<dt>Days since the last commit</dt><dd>3</dd>" in html
    assert "history" not in [r.signal.key for r in response.context["static_signals"]]


def test_a_failed_latest_scan_shows_its_error_and_the_last_good_signals(
    people, client_for
):
    repo = people.repo()
    good = scanned(repo, {"ci_config": (True, "declared")})
    Scan.objects.create(
        repo=repo, trigger="webhook", status="failed", error="Clone timed out."
    )

    response = client_for(people.member).get(_url(repo))

    html = response.content.decode()
    assert '<dd class="error" id="latest-error">Clone timed out.</dd>' in html
    assert f"From scan #{good.pk} of" in html
    assert "the latest scan failed" in html
    assert [r.signal.key for r in response.context["static_signals"]] == ["ci_config"]


def test_a_running_scan_shows_a_progress_bar_that_polls(people, client_for):
    repo = people.repo()
    scan = Scan.objects.create(
        repo=repo, trigger="manual", status="running", step="reading files", percent=35
    )

    html = client_for(people.member).get(_url(repo)).content.decode()

    assert (
        '<progress id="scan-progress-bar" max="100" value="35" '
        'aria-describedby="scan-progress-text">35 %</progress>'
    ) in html
    assert "Running: reading files (35 %)" in html
    assert f'data-progress-url="/repos/scans/{scan.pk}/progress.json"' in html
    assert f'<a href="/repos/{repo.pk}/" id="scan-progress-reload">Reload</a>' in html
    assert 'src="/static/repos/scan_progress.js" defer' in html


def test_a_queued_scan_says_it_waits_for_a_worker(people, client_for):
    repo = people.repo()
    Scan.objects.create(repo=repo, trigger="link")

    html = client_for(people.member).get(_url(repo)).content.decode()

    assert "Queued: waiting for a worker (0 %)" in html


def test_ci_runs_show_the_latest_50(people, client_for):
    repo = people.repo()
    _runs(repo, 55)

    response = client_for(people.member).get(_url(repo))

    html = response.content.decode()
    assert len(response.context["runs"]) == 50
    assert 'href="https://github.com/acme/fraud/actions/runs/1054"' in html
    assert "runs/1004" not in html  # the oldest five are left out
    assert '<span class="status status-failure">failure</span>' in html
    assert "3\xa0minutes" in html


def test_scan_history_shows_the_latest_20(people, client_for):
    repo = people.repo()
    for _ in range(22):
        scanned(repo, {"ci_config": (True, "declared")})

    response = client_for(people.member).get(_url(repo))

    assert len(response.context["scans"]) == 20
    assert response.context["scans"][0] == Scan.objects.order_by("-pk").first()


def test_another_teams_repo_is_a_404_for_a_team_member(people, client_for):
    repo = people.repo()

    assert client_for(people.outsider).get(_url(repo)).status_code == 404


def test_another_organisations_repo_is_a_404(people, client_for, stranger):
    repo = people.repo()

    assert client_for(stranger).get(_url(repo)).status_code == 404


def test_an_approver_reads_every_teams_repo(people, client_for):
    repo = people.repo(team=people.other_team)

    assert client_for(people.approver).get(_url(repo)).status_code == 200


def test_page_needs_sign_in(people, client):
    response = client.get(_url(people.repo()))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_page_queries_do_not_grow_with_signals_and_runs(people, client_for):
    keys = ["ci_config", "tests_present", "monitoring", "model_card", "containerised"]

    def repo_with(count: int):
        repo = people.repo()
        scan = scanned(repo, {key: (True, "declared") for key in keys[: count // 2]})
        for n in range(count - count // 2):
            _runtime(scan, f"runtime_{n}", True, {"runs_per_week": n})
        _runs(repo, count)
        Scan.objects.create(repo=repo, trigger="manual", status="running")
        return repo

    small, large = repo_with(1), repo_with(10)
    client = client_for(people.lead)
    client.get(_url(small))

    # Session, user, the repository (team, organisation, creator), roles, the latest
    # successful scan, the scans (requester), its signals, the CI runs, the
    # organisation (page header).
    few = count_queries(client, _url(small))
    many = count_queries(client, _url(large))

    assert few == many == 9
