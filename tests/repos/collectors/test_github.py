"""GitHubActions over real HTTP against the local provider server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.repos.collectors.conftest import GH_TOKEN, NOW
from tests.repos.collectors.provider_payloads import (
    github_commit,
    github_deployment,
    github_run,
    github_status,
)

RUNS_PATH = "/repos/acme/fraud/actions/runs"


def _load_runs(provider, count: int, *, start: datetime = NOW) -> None:
    provider.github_runs["acme/fraud"] = [
        github_run(1000 + i, created=start - timedelta(minutes=i)) for i in range(count)
    ]


# --- Workflow runs: pages, headers, incremental, the search cap ------------------------


def test_workflow_runs_follow_link_headers_across_three_pages(provider, github):
    _load_runs(provider, 250)

    runs = github.workflow_runs("acme", "fraud")

    assert len(runs) == 250
    assert len({r.provider_run_id for r in runs}) == 250
    first, *rest = provider.seen(r"/actions/runs$")
    assert first.path == RUNS_PATH
    assert first.param("per_page") == "100"
    # Pages 2 and 3 come from the Link header, in GitHub's /repositories/{id} form.
    assert [(r.path, r.param("page")) for r in rest] == [
        ("/repositories/1296269/actions/runs", "2"),
        ("/repositories/1296269/actions/runs", "3"),
    ]
    assert runs[0].created_at > runs[-1].created_at


def test_workflow_runs_send_bearer_token_and_api_version(provider, github):
    _load_runs(provider, 1)

    github.workflow_runs("acme", "fraud")

    headers = provider.requests[0].headers
    assert headers["authorization"] == f"Bearer {GH_TOKEN}"
    assert headers["accept"] == "application/vnd.github+json"
    assert headers["x-github-api-version"] == "2022-11-28"


def test_workflow_runs_since_asks_for_created_at_or_after(provider, github):
    _load_runs(provider, 50)
    since = NOW - timedelta(minutes=9, seconds=30)

    runs = github.workflow_runs("acme", "fraud", since=since)

    assert provider.requests[0].param("created") == ">=2024-06-01T11:50:30Z"
    assert len(runs) == 10
    assert all(r.created_at >= since for r in runs)


def test_workflow_runs_drain_a_window_past_the_1000_result_cap(provider, github):
    _load_runs(provider, 1050)
    since = NOW - timedelta(days=2)

    runs = github.workflow_runs("acme", "fraud", since=since)

    assert len({r.provider_run_id for r in runs}) == 1050
    pages = [r.param("page") for r in provider.requests]
    # Ten pages of the first search (no page 11), then a narrower search.
    assert pages[:10] == [None, *map(str, range(2, 11))]
    oldest_first_search = NOW - timedelta(minutes=999)
    assert provider.requests[10].param("created") == (
        f"2024-05-30T12:00:00Z..{oldest_first_search:%Y-%m-%dT%H:%M:%SZ}"
    )
    assert len(provider.requests) == 11


def test_workflow_runs_refuse_a_naive_since(github):
    with pytest.raises(ValueError, match="Naive datetime"):
        github.workflow_runs("acme", "fraud", since=datetime(2024, 6, 1))


def test_workflow_runs_stop_at_the_limit(provider, github):
    _load_runs(provider, 250)

    runs = github.workflow_runs("acme", "fraud", limit=150)

    assert len(runs) == 150
    assert len(provider.requests) == 2


# --- Workflow runs: mapping -------------------------------------------------------------

EVENTS = {
    "push": "push",
    "pull_request": "pull_request",
    "pull_request_target": "pull_request",
    "merge_group": "pull_request",
    "schedule": "schedule",
    "workflow_dispatch": "manual",
    "repository_dispatch": "api",
    "release": "tag",
    "workflow_run": "other",
    "dynamic": "other",
}


def test_workflow_runs_normalise_every_event(provider, github):
    provider.github_runs["acme/fraud"] = [
        github_run(i, created=NOW - timedelta(minutes=i), event=raw)
        for i, raw in enumerate(EVENTS, start=1)
    ]

    runs = github.workflow_runs("acme", "fraud")

    assert {r.raw_event: r.event for r in runs} == EVENTS


STATES = [
    # (status, conclusion) → (status, conclusion)
    (("completed", "success"), ("completed", "success")),
    (("completed", "failure"), ("completed", "failure")),
    (("completed", "startup_failure"), ("completed", "failure")),
    (("completed", "cancelled"), ("completed", "cancelled")),
    (("completed", "skipped"), ("completed", "skipped")),
    (("completed", "timed_out"), ("completed", "timed_out")),
    (("completed", "neutral"), ("completed", "neutral")),
    (("completed", "action_required"), ("completed", "other")),
    (("completed", "stale"), ("completed", "other")),
    (("in_progress", None), ("in_progress", None)),
    (("queued", None), ("queued", None)),
    (("waiting", None), ("queued", None)),
    (("requested", None), ("queued", None)),
    (("pending", None), ("queued", None)),
]


def test_workflow_runs_normalise_every_status_and_conclusion(provider, github):
    provider.github_runs["acme/fraud"] = [
        github_run(i, created=NOW - timedelta(minutes=i), status=s, conclusion=c)
        for i, ((s, c), _) in enumerate(STATES, start=1)
    ]

    runs = {int(r.provider_run_id): r for r in github.workflow_runs("acme", "fraud")}

    for i, (_, expected) in enumerate(STATES, start=1):
        assert (runs[i].status, runs[i].conclusion) == expected, STATES[i - 1]


def test_workflow_run_fields_come_through_as_documented(provider, github):
    created = datetime(2024, 5, 31, 3, 0, tzinfo=UTC)
    provider.github_runs["acme/fraud"] = [
        github_run(
            77,
            created=created,
            started=created + timedelta(minutes=1),
            updated=created + timedelta(minutes=21),
            event="schedule",
            path=".github/workflows/train.yml@refs/heads/main",
            name="Nightly training",
            attempt=2,
            sha="f" * 40,
            branch="main",
        ),
        github_run(78, created=created, status="in_progress", conclusion=None),
    ]

    done, running = sorted(
        github.workflow_runs("acme", "fraud"), key=lambda r: r.provider_run_id
    )

    assert done.provider == "github"
    assert done.provider_run_id == "77"
    assert done.workflow == ".github/workflows/train.yml"
    assert done.workflow_name == "Nightly training"
    assert (done.event, done.raw_event) == ("schedule", "schedule")
    assert (done.head_sha, done.ref, done.attempt) == ("f" * 40, "main", 2)
    assert done.created_at == created
    assert done.started_at == created + timedelta(minutes=1)
    assert done.finished_at == created + timedelta(minutes=21)
    assert done.url == "https://github.com/acme/fraud/actions/runs/77"
    assert running.finished_at is None
    assert running.conclusion is None


# --- Deployments -------------------------------------------------------------------------


def _deploy(provider, deployment_id: int, *, sha: str, created: datetime, states):
    provider.github_deployments.setdefault("acme/fraud", []).append(
        github_deployment(deployment_id, created=created, sha=sha)
    )
    provider.github_statuses[deployment_id] = [
        github_status(
            deployment_id * 10 + n,
            state=state,
            created=created + timedelta(minutes=minutes),
            deployment_id=deployment_id,
        )
        for n, (state, minutes) in enumerate(states)
    ]


def test_deployments_read_outcome_and_commit_time(provider, github):
    created = NOW - timedelta(hours=5)
    _deploy(
        provider,
        1,
        sha="a1" * 20,
        created=created,
        states=[("in_progress", 1), ("success", 4), ("inactive", 90)],
    )
    _deploy(provider, 2, sha="b2" * 20, created=created, states=[("error", 2)])
    _deploy(provider, 3, sha="b2" * 20, created=created, states=[("queued", 0)])
    provider.github_commits["a1" * 20] = github_commit(
        "a1" * 20,
        committed=created - timedelta(hours=3),
        authored=created - timedelta(days=2),
    )
    provider.github_commits["b2" * 20] = github_commit(
        "b2" * 20, committed=created - timedelta(hours=1), authored=created
    )

    deploys = {d.provider_deployment_id: d for d in github.deployments("acme", "fraud")}

    ok, failed, running = deploys["1"], deploys["2"], deploys["3"]
    # The later `inactive` (a newer deploy superseded it) does not undo the success.
    assert (ok.status, ok.raw_status) == ("success", "success")
    assert ok.finished_at == created + timedelta(minutes=4)
    assert ok.commit_time == created - timedelta(hours=3)  # the committer date
    assert ok.environment == "production"
    assert ok.sha == "a1" * 20
    assert (failed.status, failed.finished_at) == (
        "failure",
        created + timedelta(minutes=2),
    )
    assert (running.status, running.finished_at) == ("in_progress", None)
    # One commit lookup per sha, however many deployments share it.
    assert len(provider.seen(r"/commits/b2")) == 1
    assert provider.seen(r"/deployments$")[0].param("environment") == "production"


def test_deployments_stop_paging_at_a_page_older_than_since(provider, github):
    for i in range(1, 251):
        _deploy(
            provider,
            i,
            sha="c3" * 20,
            created=NOW - timedelta(hours=300 - i),
            states=[("success", 1)],
        )
    provider.github_commits["c3" * 20] = github_commit(
        "c3" * 20, committed=NOW, authored=NOW
    )

    deploys = github.deployments("acme", "fraud", since=NOW - timedelta(hours=150))

    # Newest first: ids 250..101 are new enough (page 1 and half of page 2).
    assert {int(d.provider_deployment_id) for d in deploys} == set(range(150, 251))
    pages = [r.param("page") for r in provider.seen(r"/deployments$")]
    assert pages == [None, "2"]


def test_deployments_survive_a_commit_gone_from_the_repository(provider, github):
    _deploy(provider, 5, sha="dead" * 10, created=NOW, states=[("success", 3)])

    (deploy,) = github.deployments("acme", "fraud")

    assert deploy.status == "success"
    assert deploy.commit_time is None


@pytest.mark.parametrize(
    ("owner", "repo"),
    [("..", "fraud"), ("acme", "fraud/../x"), ("", "x"), ("a b", "c")],
)
def test_workflow_runs_reject_path_tricks_in_names(github, owner, repo):
    with pytest.raises(ValueError, match="Invalid GitHub owner or repository name"):
        github.workflow_runs(owner, repo)
