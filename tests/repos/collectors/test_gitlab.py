"""GitLabCI over real HTTP against the local provider server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from apps.repos.collectors.gitlab import project_id
from tests.repos.collectors.conftest import GL_TOKEN, NOW
from tests.repos.collectors.provider_payloads import (
    gitlab_commit,
    gitlab_deployment,
    gitlab_pipeline,
)

PROJECT = "group/sub/repo"
ENCODED = "group%2Fsub%2Frepo"


def _load(provider, pipelines) -> None:
    provider.gitlab_pipelines[ENCODED] = pipelines


def _done(pipeline_id: int, **kwargs):
    created = kwargs.pop("created", NOW - timedelta(minutes=pipeline_id))
    return gitlab_pipeline(
        pipeline_id,
        created=created,
        started=created + timedelta(seconds=30),
        finished=created + timedelta(minutes=5),
        **kwargs,
    )


# --- Pipelines: pages, headers, incremental ----------------------------------------------


def test_pipelines_loop_on_x_next_page_without_totals(provider, gitlab):
    # Past 10,000 rows GitLab omits x-total and x-total-pages: only x-next-page is left.
    provider.gitlab_totals = False
    _load(
        provider,
        [gitlab_pipeline(i, created=NOW, status="pending") for i in range(1, 251)],
    )

    runs = gitlab.pipelines(PROJECT)

    assert len({r.provider_run_id for r in runs}) == 250
    lists = provider.seen(r"/pipelines$")
    assert [r.param("page") for r in lists] == [None, "2", "3"]
    assert {r.param("per_page") for r in lists} == {"100"}


def test_pipelines_stop_at_the_limit(provider, gitlab):
    _load(
        provider,
        [gitlab_pipeline(i, created=NOW, status="pending") for i in range(1, 251)],
    )

    runs = gitlab.pipelines(PROJECT, limit=120)

    assert len(runs) == 120
    assert len(provider.requests) == 2


def test_pipelines_encode_the_project_path_and_send_private_token(provider, gitlab):
    _load(provider, [gitlab_pipeline(1, created=NOW, status="created")])

    gitlab.pipelines(PROJECT)

    (seen,) = provider.requests
    assert seen.path == f"/api/v4/projects/{ENCODED}/pipelines"
    assert seen.headers["private-token"] == GL_TOKEN
    assert "authorization" not in seen.headers


def test_pipelines_since_asks_for_updated_after(provider, gitlab):
    _load(
        provider,
        [
            gitlab_pipeline(
                1, created=NOW, updated=NOW - timedelta(hours=3), status="pending"
            ),
            gitlab_pipeline(
                2, created=NOW, updated=NOW - timedelta(minutes=5), status="pending"
            ),
        ],
    )

    runs = gitlab.pipelines(PROJECT, since=NOW - timedelta(hours=1))

    assert provider.requests[0].param("updated_after") == "2024-06-01T11:00:00Z"
    assert [r.provider_run_id for r in runs] == ["2"]


def test_pipelines_read_times_from_the_detail_only_when_started(provider, gitlab):
    created = datetime(2024, 5, 31, 1, 5, 7, tzinfo=UTC)
    _load(
        provider,
        [
            _done(1, created=created),
            gitlab_pipeline(2, created=created, status="pending"),
        ],
    )

    runs = {r.provider_run_id: r for r in gitlab.pipelines(PROJECT)}

    assert [r.path for r in provider.seen(r"/pipelines/\d+$")] == [
        f"/api/v4/projects/{ENCODED}/pipelines/1"
    ]
    assert runs["1"].started_at == created + timedelta(seconds=30)
    assert runs["1"].finished_at == created + timedelta(minutes=5)
    assert runs["2"].started_at is None
    assert runs["2"].finished_at is None


def test_pipelines_skip_the_detail_when_the_list_has_the_times(provider, gitlab):
    provider.gitlab_list_times = True
    _load(provider, [_done(1)])

    (run,) = gitlab.pipelines(PROJECT)

    assert run.finished_at is not None
    assert provider.seen(r"/pipelines/\d+$") == []


def test_pipeline_fields_come_through_as_documented(provider, gitlab):
    provider.gitlab_pipelines["21"] = [
        _done(287, ref="main", name="Nightly training", sha="9" * 40)
    ]

    (run,) = gitlab.pipelines(21)

    assert provider.requests[0].path == "/api/v4/projects/21/pipelines"
    assert (run.provider, run.provider_run_id) == ("gitlab", "287")
    assert run.workflow == run.workflow_name == "Nightly training"
    assert (run.head_sha, run.ref, run.attempt) == ("9" * 40, "main", 1)
    assert run.url.endswith("/-/pipelines/287")
    assert run.created_at.tzinfo is UTC


# --- Pipelines: mapping ------------------------------------------------------------------

SOURCES = {
    "push": "push",
    "webide": "push",
    "merge_request_event": "pull_request",
    "external_pull_request_event": "pull_request",
    "schedule": "schedule",
    "web": "manual",
    "chat": "manual",
    "api": "api",
    "trigger": "api",
    "pipeline": "other",
    "parent_pipeline": "other",
    "external": "other",
    "ondemand_dast_scan": "other",
    "security_orchestration_policy": "other",
}


def test_pipelines_normalise_every_source(provider, gitlab):
    _load(provider, [_done(i, source=s) for i, s in enumerate(SOURCES, start=1)])

    runs = gitlab.pipelines(PROJECT)

    assert {r.raw_event: r.event for r in runs} == SOURCES


def test_pipelines_mark_a_tag_push_as_tag(provider, gitlab):
    _load(provider, [_done(1, source="push", tag=True, ref="v1.2.0")])

    (run,) = gitlab.pipelines(PROJECT)

    assert (run.event, run.raw_event, run.ref) == ("tag", "push", "v1.2.0")


STATUSES = {
    "success": ("completed", "success"),
    "failed": ("completed", "failure"),
    "canceled": ("completed", "cancelled"),
    "skipped": ("completed", "skipped"),
    "manual": ("completed", "other"),
    "running": ("in_progress", None),
    "canceling": ("in_progress", None),
    "pending": ("queued", None),
    "created": ("queued", None),
    "preparing": ("queued", None),
    "waiting_for_resource": ("queued", None),
    "scheduled": ("queued", None),
}


def test_pipelines_normalise_every_status(provider, gitlab):
    _load(provider, [_done(i, status=s) for i, s in enumerate(STATUSES, start=1)])

    runs = gitlab.pipelines(PROJECT)

    assert {r.raw_status: (r.status, r.conclusion) for r in runs} == STATUSES
    running = next(r for r in runs if r.raw_status == "running")
    assert running.started_at is not None
    assert running.finished_at is None


# --- Deployments ---------------------------------------------------------------------------


def test_deployments_send_filters_and_read_deployable_times(provider, gitlab):
    created = datetime(2024, 5, 31, 7, 36, 40, tzinfo=UTC)
    provider.gitlab_deployments[ENCODED] = [
        gitlab_deployment(
            41,
            created=created,
            updated=created + timedelta(minutes=2),
            status="success",
            sha="99" * 20,
            committed="2024-05-31T09:36:01.000+02:00",
            finished=created + timedelta(minutes=1),
        ),
        gitlab_deployment(
            42,
            created=created,
            updated=created + timedelta(minutes=3),
            status="failed",
            sha="98" * 20,
            committed="2024-05-31T07:00:00.000Z",
            finished=None,
        ),
        gitlab_deployment(
            43,
            created=created,
            updated=created,
            status="running",
            sha="97" * 20,
            committed="2024-05-31T07:00:00.000Z",
            finished=None,
        ),
    ]

    deploys = {
        d.provider_deployment_id: d
        for d in gitlab.deployments(PROJECT, since=created - timedelta(days=1))
    }

    query = provider.requests[0]
    assert query.param("updated_after") == "2024-05-30T07:36:40Z"
    assert query.param("environment") == "production"
    assert query.param("order_by") == "updated_at"
    ok, failed, running = deploys["41"], deploys["42"], deploys["43"]
    assert ok.status == "success"
    assert ok.finished_at == created + timedelta(minutes=1)
    assert ok.commit_time == datetime(2024, 5, 31, 7, 36, 1, tzinfo=UTC)
    assert ok.environment == "production"
    assert ok.sha == "99" * 20
    # No deployable finish time: the update that recorded the failure stands in.
    assert failed.status == "failure"
    assert failed.finished_at == created + timedelta(minutes=3)
    assert (running.status, running.finished_at) == ("in_progress", None)
    assert len(provider.requests) == 1  # the deployable carried every commit time


def test_deployments_without_a_deployable_look_the_commit_up_once(provider, gitlab):
    provider.gitlab_deployments[ENCODED] = [
        gitlab_deployment(
            n,
            created=NOW,
            updated=NOW,
            status="success",
            sha="ab" * 20,
            committed=None,
            finished=None,
        )
        for n in (50, 51)
    ]
    provider.gitlab_commits["ab" * 20] = gitlab_commit(
        "ab" * 20, committed="2024-06-01T10:00:00.000+00:00"
    )

    deploys = gitlab.deployments(PROJECT)

    assert {d.commit_time for d in deploys} == {datetime(2024, 6, 1, 10, tzinfo=UTC)}
    assert {d.finished_at for d in deploys} == {NOW}
    assert len(provider.seen(r"/repository/commits/")) == 1


@pytest.mark.parametrize("bad", ["", "group//repo", "group/../x", "/", ".."])
def test_project_id_rejects_path_tricks(bad):
    with pytest.raises(ValueError, match="Invalid GitLab project"):
        project_id(bad)


def test_project_id_keeps_numbers_and_encodes_paths():
    assert project_id(21) == "21"
    assert project_id("21") == "21"
    assert project_id("group/sub/repo") == ENCODED
