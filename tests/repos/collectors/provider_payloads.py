"""Provider-shaped JSON for the collector tests: the documented objects, field by field.

GitHub: workflow runs (GET /repos/{o}/{r}/actions/runs), deployments, deployment
statuses and commits. GitLab: pipelines (the detail; the list serves
`GITLAB_LIST_FIELDS` of it), deployments and commits. Timestamps are written the way
each provider writes them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def ts(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def gl_ts(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


# --- GitHub-shaped objects ---------------------------------------------------------------


def github_run(
    run_id: int,
    *,
    created: datetime,
    event: str = "push",
    status: str = "completed",
    conclusion: str | None = "success",
    branch: str | None = "main",
    path: str = ".github/workflows/ci.yml",
    name: str = "CI",
    attempt: int = 1,
    started: datetime | None = None,
    updated: datetime | None = None,
    sha: str = "a" * 40,
    repo: str = "acme/fraud",
) -> dict[str, Any]:
    """A workflow run object with the fields of GET /repos/{o}/{r}/actions/runs."""
    api = f"https://api.github.com/repos/{repo}/actions/runs/{run_id}"
    actor = {"login": "octocat", "id": 1, "type": "User"}
    return {
        "id": run_id,
        "name": name,
        "node_id": f"WFR_{run_id}",
        "head_branch": branch,
        "head_sha": sha,
        "path": path,
        "display_title": f"Run {run_id}",
        "run_number": run_id,
        "event": event,
        "status": status,
        "conclusion": conclusion,
        "workflow_id": 159038,
        "check_suite_id": 40000 + run_id,
        "check_suite_node_id": f"CS_{run_id}",
        "url": api,
        "html_url": f"https://github.com/{repo}/actions/runs/{run_id}",
        "pull_requests": [],
        "created_at": ts(created),
        "updated_at": ts(updated or created),
        "actor": actor,
        "run_attempt": attempt,
        "referenced_workflows": [],
        "run_started_at": ts(started or created),
        "triggering_actor": actor,
        "jobs_url": f"{api}/jobs",
        "logs_url": f"{api}/logs",
        "check_suite_url": f"https://api.github.com/repos/{repo}/check-suites/{run_id}",
        "artifacts_url": f"{api}/artifacts",
        "cancel_url": f"{api}/cancel",
        "rerun_url": f"{api}/rerun",
        "previous_attempt_url": None,
        "workflow_url": f"https://api.github.com/repos/{repo}/actions/workflows/159038",
        "head_commit": {"id": sha, "tree_id": "b" * 40, "message": "Train"},
        "repository": {"id": 1296269, "full_name": repo},
        "head_repository": {"id": 1296269, "full_name": repo},
    }


def github_deployment(
    deployment_id: int,
    *,
    created: datetime,
    sha: str,
    environment: str = "production",
    repo: str = "acme/fraud",
) -> dict[str, Any]:
    """A deployment object with the fields of GET /repos/{o}/{r}/deployments."""
    url = f"https://api.github.com/repos/{repo}/deployments/{deployment_id}"
    return {
        "url": url,
        "id": deployment_id,
        "node_id": f"DE_{deployment_id}",
        "sha": sha,
        "ref": "main",
        "task": "deploy",
        "payload": {},
        "original_environment": environment,
        "environment": environment,
        "description": "Deploy request from hubot",
        "creator": {"login": "octocat", "id": 1},
        "created_at": ts(created),
        "updated_at": ts(created),
        "statuses_url": f"{url}/statuses",
        "repository_url": f"https://api.github.com/repos/{repo}",
        "transient_environment": False,
        "production_environment": environment == "production",
    }


def github_status(
    status_id: int, *, state: str, created: datetime, deployment_id: int
) -> dict[str, Any]:
    """A deployment status with the fields of GET …/deployments/{id}/statuses."""
    return {
        "url": f"https://api.github.com/repos/acme/fraud/deployments/{deployment_id}/statuses/{status_id}",
        "id": status_id,
        "node_id": f"DES_{status_id}",
        "state": state,
        "creator": {"login": "octocat", "id": 1},
        "description": "Deployment finished.",
        "environment": "production",
        "target_url": "https://example.com/deployment/42/output",
        "created_at": ts(created),
        "updated_at": ts(created),
        "deployment_url": f"https://api.github.com/repos/acme/fraud/deployments/{deployment_id}",
        "repository_url": "https://api.github.com/repos/acme/fraud",
        "environment_url": "https://fraud.example.com",
        "log_url": "https://example.com/deployment/42/output",
    }


def github_commit(
    sha: str, *, committed: datetime, authored: datetime
) -> dict[str, Any]:
    """A commit with the fields of GET /repos/{o}/{r}/commits/{ref}."""
    return {
        "url": f"https://api.github.com/repos/acme/fraud/commits/{sha}",
        "sha": sha,
        "node_id": f"C_{sha[:8]}",
        "html_url": f"https://github.com/acme/fraud/commit/{sha}",
        "commit": {
            "url": f"https://api.github.com/repos/acme/fraud/git/commits/{sha}",
            "author": {"name": "Ada", "email": "ada@example.com", "date": ts(authored)},
            "committer": {
                "name": "Ada",
                "email": "ada@example.com",
                "date": ts(committed),
            },
            "message": "Retrain",
            "tree": {"sha": "c" * 40},
            "comment_count": 0,
            "verification": {"verified": False, "reason": "unsigned"},
        },
        "author": {"login": "ada", "id": 2},
        "committer": {"login": "ada", "id": 2},
        "parents": [],
        "stats": {"additions": 1, "deletions": 0, "total": 1},
        "files": [],
    }


# --- GitLab-shaped objects ----------------------------------------------------------------

GITLAB_LIST_FIELDS = (
    "id",
    "iid",
    "project_id",
    "status",
    "source",
    "ref",
    "sha",
    "name",
    "web_url",
    "created_at",
    "updated_at",
)


def gitlab_pipeline(
    pipeline_id: int,
    *,
    created: datetime,
    updated: datetime | None = None,
    status: str = "success",
    source: str = "push",
    ref: str = "main",
    name: str | None = "Build pipeline",
    started: datetime | None = None,
    finished: datetime | None = None,
    tag: bool = False,
    sha: str = "d" * 40,
) -> dict[str, Any]:
    """A pipeline with the fields of GET /projects/:id/pipelines/:pipeline_id; the list
    endpoint serves only `GITLAB_LIST_FIELDS` of it."""
    return {
        "id": pipeline_id,
        "iid": pipeline_id - 1000,
        "project_id": 21,
        "name": name,
        "sha": sha,
        "ref": ref,
        "status": status,
        "source": source,
        "created_at": gl_ts(created),
        "updated_at": gl_ts(updated or created),
        "web_url": f"https://gitlab.example.com/group/sub/repo/-/pipelines/{pipeline_id}",
        "before_sha": "e" * 40,
        "tag": tag,
        "yaml_errors": None,
        "user": {
            "id": 1,
            "username": "root",
            "name": "Administrator",
            "state": "active",
        },
        "started_at": gl_ts(started) if started else None,
        "finished_at": gl_ts(finished) if finished else None,
        "committed_at": None,
        "duration": 34 if finished else None,
        "queued_duration": 6,
        "coverage": None,
        "detailed_status": {
            "icon": f"status_{status}",
            "text": status,
            "group": status,
        },
    }


def gitlab_deployment(
    deployment_id: int,
    *,
    created: datetime,
    updated: datetime,
    status: str,
    sha: str,
    committed: str | None,
    finished: datetime | None,
    environment: str = "production",
) -> dict[str, Any]:
    """A deployment with the fields of GET /projects/:id/deployments. `committed` is
    the deployable commit's `created_at` as GitLab writes it; None means the
    deployment was created through the API and has no deployable job."""
    deployable = None
    if committed is not None:
        deployable = {
            "commit": {
                "author_email": "admin@example.com",
                "author_name": "Administrator",
                "created_at": committed,
                "id": sha,
                "message": "Merge branch 'retrain' into 'main'",
                "short_id": sha[:8],
                "title": "Merge branch 'retrain' into 'main'",
            },
            "coverage": None,
            "created_at": gl_ts(created),
            "finished_at": gl_ts(finished) if finished else None,
            "id": 600 + deployment_id,
            "name": "deploy",
            "ref": "main",
            "runner": None,
            "stage": "deploy",
            "started_at": None,
            "status": status,
            "tag": False,
            "pipeline": {"id": 36, "ref": "main", "sha": sha, "status": "success"},
        }
    return {
        "created_at": gl_ts(created),
        "updated_at": gl_ts(updated),
        "status": status,
        "deployable": deployable,
        "environment": {
            "external_url": "https://fraud.example.com",
            "id": 9,
            "name": environment,
        },
        "id": deployment_id,
        "iid": deployment_id - 40,
        "ref": "main",
        "sha": sha,
        "user": {
            "id": 1,
            "name": "Administrator",
            "username": "root",
            "state": "active",
        },
    }


def gitlab_commit(sha: str, *, committed: str) -> dict[str, Any]:
    """A commit with the fields of GET /projects/:id/repository/commits/:sha."""
    return {
        "id": sha,
        "short_id": sha[:8],
        "title": "Retrain",
        "author_name": "Ada",
        "author_email": "ada@example.com",
        "authored_date": committed,
        "committer_name": "Ada",
        "committer_email": "ada@example.com",
        "committed_date": committed,
        "created_at": committed,
        "message": "Retrain",
        "parent_ids": [],
        "web_url": f"https://gitlab.example.com/group/sub/repo/-/commit/{sha}",
    }
