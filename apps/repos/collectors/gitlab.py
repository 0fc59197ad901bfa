"""GitLab CI pipelines and deployments, over the REST API (v4).

Pipelines come from `GET /projects/:id/pipelines?updated_after=…`, 100 a page,
newest id first. Paging loops on `x-next-page`: past 10,000 results GitLab omits
`x-total` and `x-total-pages`, so totals cannot drive the loop. List items carry no
start or finish times; a pipeline that has started is read once more from
`GET /projects/:id/pipelines/:pipeline_id` for them (and for `tag`).

Deployments come from `GET /projects/:id/deployments` filtered by `updated_after` and
environment, ordered by `updated_at`; the deployable job gives the finish time and the
commit's time. Ordering is descending on purpose: with offset paging, a row updated
mid-sync moves to the front (missed now, caught by the next sync, which asks for
rows updated since) rather than shifting an untouched row out of sight for good.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from .http import (
    DEFAULT_MAX_WAIT_S,
    DEFAULT_TIMEOUT_S,
    ApiClient,
    Collector,
    CollectorError,
)
from .records import (
    EPOCH,
    Conclusion,
    DeploymentRecord,
    DeployStatus,
    Event,
    RunRecord,
    RunStatus,
    iso_z,
    parse_time,
)

GITLAB = "https://gitlab.com"
PER_PAGE = 100
DEFAULT_RUN_LIMIT = 10_000

# `source` (CI_PIPELINE_SOURCE) → event. Downstream and policy pipelines are `other`:
# they say nothing about how the team triggers its own work.
EVENTS: dict[str, Event] = {
    "push": "push",
    "webide": "push",
    "merge_request_event": "pull_request",
    "external_pull_request_event": "pull_request",
    "schedule": "schedule",
    "web": "manual",
    "chat": "manual",
    "api": "api",
    "trigger": "api",
}
# status → (status, conclusion). `manual` means the pipeline stopped at a manual job
# and waits for someone: it has not passed or failed, so it counts as neither.
STATUSES: dict[str, tuple[RunStatus, Conclusion | None]] = {
    "created": ("queued", None),
    "waiting_for_resource": ("queued", None),
    "preparing": ("queued", None),
    "pending": ("queued", None),
    "scheduled": ("queued", None),
    "running": ("in_progress", None),
    "canceling": ("in_progress", None),
    "waiting_for_callback": ("in_progress", None),
    "success": ("completed", "success"),
    "failed": ("completed", "failure"),
    "canceled": ("completed", "cancelled"),
    "skipped": ("completed", "skipped"),
    "manual": ("completed", "other"),
}
DEPLOY_STATUSES: dict[str, DeployStatus] = {
    "success": "success",
    "failed": "failure",
    "created": "in_progress",
    "running": "in_progress",
    "blocked": "in_progress",
}
_NOT_STARTED = {"created", "waiting_for_resource", "preparing", "pending", "scheduled"}


class GitLabCI(Collector):
    """Reads one GitLab instance's API (`base_url` is the instance root)."""

    def __init__(
        self,
        base_url: str = GITLAB,
        token: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT_S,
        max_wait_s: float = DEFAULT_MAX_WAIT_S,
        sleep: Callable[[float], object] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Accept": "application/json", "User-Agent": "tollgate-collector"}
        if token:
            headers["PRIVATE-TOKEN"] = token
        self._api = ApiClient(
            label="GitLab",
            base_url=base_url.rstrip("/") + "/api/v4",
            headers=headers,
            secret=token,
            not_found="Project not found or not visible to the token",
            timeout=timeout,
            max_wait_s=max_wait_s,
            sleep=sleep,
            transport=transport,
        )
        self._commit_times: dict[tuple[str, str], datetime | None] = {}

    # --- Pipelines ----------------------------------------------------------------

    def pipelines(
        self,
        project: str | int,
        *,
        since: datetime | None = None,
        limit: int = DEFAULT_RUN_LIMIT,
    ) -> list[RunRecord]:
        """Pipelines updated after `since` (all when None), newest first, at most
        `limit`. Pass the previous sync's start, less a margin."""
        base = f"/projects/{project_id(project)}/pipelines"
        params: dict[str, Any] = {
            "per_page": PER_PAGE,
            "order_by": "id",
            "sort": "desc",
        }
        if since is not None:
            params["updated_after"] = iso_z(since)
        found: dict[str, RunRecord] = {}
        for page in self._pages(base, params):
            for item in page[: limit - len(found)]:
                # Rows shift between offset pages while pipelines start: skip repeats.
                if str(item.get("id")) not in found:
                    run = pipeline_record(self._with_times(base, item))
                    found[run.provider_run_id] = run
            if len(found) >= limit:
                break
        return sorted(found.values(), key=lambda r: r.created_at, reverse=True)

    def _with_times(self, base: str, item: dict[str, Any]) -> dict[str, Any]:
        """The list item, completed from the pipeline's detail when it has started."""
        lacks = "started_at" not in item or "finished_at" not in item
        if not lacks or item.get("status") in _NOT_STARTED:
            return item
        detail, _ = self._api.get(f"{base}/{int(item['id'])}")
        return {**item, **detail} if isinstance(detail, dict) else item

    # --- Deployments --------------------------------------------------------------

    def deployments(
        self,
        project: str | int,
        *,
        since: datetime | None = None,
        environment: str | None = "production",
    ) -> list[DeploymentRecord]:
        """Deployments to `environment` (every one when None) updated after `since`."""
        pid = project_id(project)
        params: dict[str, Any] = {
            "per_page": PER_PAGE,
            "order_by": "updated_at",
            "sort": "desc",
        }
        if since is not None:
            params["updated_after"] = iso_z(since)
        if environment:
            params["environment"] = environment
        found: dict[str, DeploymentRecord] = {}
        for page in self._pages(f"/projects/{pid}/deployments", params):
            for item in page:
                if str(item.get("id")) not in found:
                    record = self._deployment(pid, item)
                    found[record.provider_deployment_id] = record
        return list(found.values())

    def _deployment(self, pid: str, item: dict[str, Any]) -> DeploymentRecord:
        raw = str(item.get("status") or "")
        status = DEPLOY_STATUSES.get(raw, "other")
        deployable = item.get("deployable") or {}
        finished_at = parse_time(item.get("finished_at")) or parse_time(
            deployable.get("finished_at")
        )
        if status in ("success", "failure") and finished_at is None:
            finished_at = parse_time(item.get("updated_at"))
        commit = deployable.get("commit") or {}
        sha = str(item.get("sha") or commit.get("id") or "")
        commit_time = _commit_time(commit) if commit.get("id") == sha else None
        if commit_time is None and sha:
            commit_time = self._commit_time(pid, sha)
        return DeploymentRecord(
            provider="gitlab",
            provider_deployment_id=str(item["id"]),
            environment=str((item.get("environment") or {}).get("name") or ""),
            sha=sha,
            ref=str(item.get("ref") or ""),
            created_at=parse_time(item.get("created_at")) or EPOCH,
            finished_at=finished_at if status in ("success", "failure") else None,
            status=status,
            raw_status=raw,
            commit_time=commit_time,
        )

    def _commit_time(self, pid: str, sha: str) -> datetime | None:
        key = (pid, sha)
        if key not in self._commit_times:
            self._commit_times[key] = self._fetch_commit_time(pid, sha)
        return self._commit_times[key]

    def _fetch_commit_time(self, pid: str, sha: str) -> datetime | None:
        try:
            data, _ = self._api.get(
                f"/projects/{pid}/repository/commits/{quote(sha, safe='')}"
            )
        except CollectorError as exc:
            if exc.status == 404:
                return None
            raise
        return _commit_time(data) if isinstance(data, dict) else None

    # --- Plumbing -----------------------------------------------------------------

    def _pages(self, path: str, params: dict[str, Any]) -> Iterator[list[Any]]:
        """Each page, looping on `x-next-page` (empty on the last page)."""
        query = dict(params)
        page_no = 1
        while True:
            data, response = self._api.get(path, query)
            page = data if isinstance(data, list) else []
            yield page
            next_page = response.headers.get("x-next-page", "").strip()
            if not page or not next_page:
                return
            if not next_page.isdigit() or int(next_page) <= page_no:
                raise CollectorError(f"GitLab GET {path}: bad x-next-page header.")
            page_no = int(next_page)
            query["page"] = page_no


def pipeline_record(item: dict[str, Any]) -> RunRecord:
    """A pipeline (list item, detail, or merged) as a RunRecord."""
    raw_status = str(item.get("status") or "")
    status, conclusion = STATUSES.get(raw_status, ("completed", "other"))
    raw_event = str(item.get("source") or "")
    event = EVENTS.get(raw_event, "other")
    if event == "push" and item.get("tag") is True:
        event = "tag"
    name = str(item.get("name") or "")
    return RunRecord(
        provider="gitlab",
        provider_run_id=str(item["id"]),
        workflow=name,
        workflow_name=name,
        event=event,
        raw_event=raw_event,
        status=status,
        conclusion=conclusion,
        raw_status=raw_status,
        head_sha=str(item.get("sha") or ""),
        ref=str(item.get("ref") or ""),
        created_at=parse_time(item.get("created_at")) or EPOCH,
        started_at=parse_time(item.get("started_at")),
        finished_at=parse_time(item.get("finished_at"))
        if status == "completed"
        else None,
        url=str(item.get("web_url") or ""),
    )


def project_id(project: str | int) -> str:
    """A numeric id as is; a `group/sub/repo` path URL-encoded as one segment."""
    if isinstance(project, int) and not isinstance(project, bool):
        return str(project)
    text = str(project).strip().strip("/")
    segments = text.split("/")
    if not text or any(s in ("", ".", "..") for s in segments):
        raise ValueError("Invalid GitLab project id or path.")
    return quote(text, safe="")


def _commit_time(commit: dict[str, Any]) -> datetime | None:
    # `committed_date` on the commits API; `created_at` (the same) on a deployable's.
    return parse_time(commit.get("committed_date")) or parse_time(
        commit.get("created_at")
    )
