"""GitHub Actions workflow runs and deployments, over the REST API (2022-11-28).

Runs come from `GET /repos/{owner}/{repo}/actions/runs`, newest first, 100 a page,
following the `Link: rel="next"` header. With a `created` filter GitHub returns at
most 1,000 runs per search, so an incremental sync that hits the cap searches again
below the oldest run it got (`created=<since>..<oldest>`) until the window is drained.

Deployments come from `GET /repos/{owner}/{repo}/deployments` (newest first; there is
no date filter, so paging stops at the first deployment older than `since`), each
one's outcome from its statuses, and the deployed commit's time from
`GET /repos/{owner}/{repo}/commits/{sha}` (cached per sha) for lead time.
"""

from __future__ import annotations

import logging
import re
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

logger = logging.getLogger(__name__)

GITHUB_API = "https://api.github.com"
API_VERSION = "2022-11-28"
PER_PAGE = 100
# "This API will return up to 1,000 results for each search" when filtering.
SEARCH_CAP = 1000
DEFAULT_RUN_LIMIT = 10_000

_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")

EVENTS: dict[str, Event] = {
    "push": "push",
    "pull_request": "pull_request",
    "pull_request_target": "pull_request",
    "pull_request_review": "pull_request",
    "pull_request_review_comment": "pull_request",
    "merge_group": "pull_request",
    "schedule": "schedule",
    "workflow_dispatch": "manual",
    "repository_dispatch": "api",
    "release": "tag",
}
CONCLUSIONS: dict[str, Conclusion] = {
    "success": "success",
    "failure": "failure",
    # The workflow file could not even start: the change broke CI.
    "startup_failure": "failure",
    "cancelled": "cancelled",
    "skipped": "skipped",
    "timed_out": "timed_out",
    "neutral": "neutral",
}
# requested, waiting, pending and queued all mean "not started yet".
RUN_STATUSES: dict[str, RunStatus] = {
    "completed": "completed",
    "in_progress": "in_progress",
}
# Deployment status states, by what they say about the outcome. `inactive` is not
# an outcome: GitHub marks an older successful deployment inactive once a newer one
# reaches the environment, so it must not hide that deployment's success.
_DECIDED: dict[str, DeployStatus] = {
    "success": "success",
    "failure": "failure",
    "error": "failure",
}
_PENDING = {"queued", "pending", "in_progress"}


class GitHubActions(Collector):
    """Reads one GitHub (or GHES, `base_url=https://HOST/api/v3`) API."""

    def __init__(
        self,
        base_url: str = GITHUB_API,
        token: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT_S,
        max_wait_s: float = DEFAULT_MAX_WAIT_S,
        sleep: Callable[[float], object] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": "tollgate-collector",
        }
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._api = ApiClient(
            label="GitHub",
            base_url=base_url,
            headers=headers,
            secret=token,
            not_found="Repository not found or not visible to the token",
            timeout=timeout,
            max_wait_s=max_wait_s,
            sleep=sleep,
            transport=transport,
        )
        self._commit_times: dict[tuple[str, str], datetime | None] = {}

    # --- Workflow runs ------------------------------------------------------------

    def workflow_runs(
        self,
        owner: str,
        repo: str,
        *,
        since: datetime | None = None,
        limit: int = DEFAULT_RUN_LIMIT,
    ) -> list[RunRecord]:
        """Runs created at or after `since` (all when None), newest first, at most
        `limit`. Pass the previous sync's start, less a margin: the overlap is free
        because runs are keyed by id, and re-fetched runs carry their new state."""
        path = f"{_repo_path(owner, repo)}/actions/runs"
        found: dict[str, RunRecord] = {}
        upper: datetime | None = None
        while len(found) < limit:
            items, capped = self._search(
                path, _created(since, upper), limit - len(found)
            )
            batch = [run_record(item) for item in items]
            for run in batch:
                found.setdefault(run.provider_run_id, run)
            if not capped or not batch:
                break
            # Search again below the oldest run seen; the boundary second overlaps.
            oldest = min(run.created_at for run in batch)
            if upper is not None and oldest >= upper:
                logger.warning(
                    "%s: over %d runs in one second; stopping.", path, SEARCH_CAP
                )
                break
            upper = oldest
        runs = sorted(found.values(), key=lambda r: r.created_at, reverse=True)
        return runs[:limit]

    def _search(
        self, path: str, created: str | None, budget: int
    ) -> tuple[list[dict[str, Any]], bool]:
        """One search, every page up to the cap: (runs, whether the cap cut it short)."""
        params: dict[str, Any] = {"per_page": PER_PAGE}
        if created:
            params["created"] = created
        items: list[dict[str, Any]] = []
        for data, _ in self._pages(path, params):
            page = data.get("workflow_runs") or []
            items.extend(page)
            if len(items) >= budget:
                return items[:budget], False
            if created and len(items) >= SEARCH_CAP:
                return items, True
            total = data.get("total_count")
            if not page and isinstance(total, int) and total > len(items):
                return items, created is not None
        return items, False

    # --- Deployments --------------------------------------------------------------

    def deployments(
        self,
        owner: str,
        repo: str,
        *,
        since: datetime | None = None,
        environment: str | None = "production",
    ) -> list[DeploymentRecord]:
        """Deployments created at or after `since` to `environment` (every environment
        when None), each with its outcome and its commit's time. A deployment's
        outcome can arrive after it is created: pass `since` with a margin."""
        repo_path = _repo_path(owner, repo)
        params: dict[str, Any] = {"per_page": PER_PAGE}
        if environment:
            params["environment"] = environment
        records: list[DeploymentRecord] = []
        for page, _ in self._pages(f"{repo_path}/deployments", params):
            fresh = [d for d in page or [] if _at_or_after(d.get("created_at"), since)]
            records.extend(self._deployment(repo_path, d) for d in fresh)
            # Newest first: once one is older than `since`, so is every later page.
            if len(fresh) < len(page or []):
                break
        return records

    def _deployment(self, repo_path: str, item: dict[str, Any]) -> DeploymentRecord:
        deployment_id = item["id"]
        statuses, _ = self._api.get(
            f"{repo_path}/deployments/{int(deployment_id)}/statuses",
            {"per_page": PER_PAGE},
        )
        status, raw, finished_at = deployment_outcome(statuses or [])
        sha = str(item.get("sha") or "")
        return DeploymentRecord(
            provider="github",
            provider_deployment_id=str(deployment_id),
            environment=str(item.get("environment") or ""),
            sha=sha,
            ref=str(item.get("ref") or ""),
            created_at=parse_time(item.get("created_at")) or EPOCH,
            finished_at=finished_at,
            status=status,
            raw_status=raw,
            commit_time=self._commit_time(repo_path, sha) if sha else None,
        )

    def _commit_time(self, repo_path: str, sha: str) -> datetime | None:
        key = (repo_path, sha)
        if key not in self._commit_times:
            self._commit_times[key] = self._fetch_commit_time(repo_path, sha)
        return self._commit_times[key]

    def _fetch_commit_time(self, repo_path: str, sha: str) -> datetime | None:
        try:
            data, _ = self._api.get(f"{repo_path}/commits/{quote(sha, safe='')}")
        except CollectorError as exc:
            # A commit gone from the repository (force-push) loses its lead time only.
            if exc.status in (404, 422):
                return None
            raise
        commit = data.get("commit") or {}
        when = (commit.get("committer") or {}).get("date") or (
            commit.get("author") or {}
        ).get("date")
        return parse_time(when)

    # --- Plumbing -----------------------------------------------------------------

    def _pages(
        self, path: str, params: dict[str, Any]
    ) -> Iterator[tuple[Any, httpx.Response]]:
        """Each page of a list, following `Link: rel="next"` (which keeps the query)."""
        target: str = path
        query: dict[str, Any] | None = params
        seen: set[str] = set()
        while True:
            data, response = self._api.get(target, query)
            yield data, response
            next_url = response.links.get("next", {}).get("url")
            if not next_url or next_url in seen:
                return
            seen.add(next_url)
            target, query = next_url, None


def run_record(item: dict[str, Any]) -> RunRecord:
    """A workflow run object (REST or the `workflow_run` webhook) as a RunRecord."""
    raw_event = str(item.get("event") or "")
    raw_status = str(item.get("status") or "")
    status = RUN_STATUSES.get(raw_status, "queued")
    raw_conclusion = item.get("conclusion")
    conclusion: Conclusion | None = None
    if status == "completed":
        conclusion = CONCLUSIONS.get(str(raw_conclusion or ""), "other")
    created_at = parse_time(item.get("created_at")) or EPOCH
    return RunRecord(
        provider="github",
        provider_run_id=str(item["id"]),
        workflow=_workflow_path(item.get("path")),
        workflow_name=str(item.get("name") or ""),
        event=EVENTS.get(raw_event, "other"),
        raw_event=raw_event,
        status=status,
        conclusion=conclusion,
        raw_status=str(raw_conclusion or raw_status),
        head_sha=str(item.get("head_sha") or ""),
        ref=str(item.get("head_branch") or ""),
        created_at=created_at,
        started_at=parse_time(item.get("run_started_at")),
        # GitHub has no finish time on a run; `updated_at` is when it last changed,
        # which for a completed run is when it completed.
        finished_at=parse_time(item.get("updated_at"))
        if status == "completed"
        else None,
        attempt=int(item.get("run_attempt") or 1),
        url=str(item.get("html_url") or ""),
    )


def deployment_outcome(
    statuses: list[dict[str, Any]],
) -> tuple[DeployStatus, str, datetime | None]:
    """(status, raw state, finished_at) from a deployment's statuses.

    The latest success/failure/error decides; `inactive` never does. Without one, a
    queued/pending/in-progress status means in progress; anything else is `other`
    (GitHub deletes statuses after 90 days).
    """
    ordered = sorted(
        statuses, key=lambda s: (s.get("created_at") or "", s.get("id") or 0)
    )
    decided = [s for s in ordered if s.get("state") in _DECIDED]
    if decided:
        last = decided[-1]
        return (
            _DECIDED[last["state"]],
            last["state"],
            parse_time(last.get("created_at")),
        )
    live = [s for s in ordered if s.get("state") != "inactive"]
    if live and live[-1].get("state") in _PENDING:
        return "in_progress", str(live[-1]["state"]), None
    raw = str(ordered[-1].get("state") or "") if ordered else ""
    return "other", raw, None


def _workflow_path(value: object) -> str:
    # Dynamic and reusable workflows can report `path@ref`; the file is what matters.
    return str(value or "").split("@", 1)[0]


def _created(since: datetime | None, upper: datetime | None) -> str | None:
    """The `created` search qualifier for [since, upper] (both ends inclusive)."""
    if since and upper:
        return f"{iso_z(since)}..{iso_z(upper)}"
    if since:
        return f">={iso_z(since)}"
    if upper:
        return f"<={iso_z(upper)}"
    return None


def _repo_path(owner: str, repo: str) -> str:
    for name in (owner, repo):
        if not _NAME.match(name or "") or name in (".", ".."):
            raise ValueError("Invalid GitHub owner or repository name.")
    return f"/repos/{owner}/{repo}"


def _at_or_after(value: object, since: datetime | None) -> bool:
    if since is None:
        return True
    moment = parse_time(value)
    return moment is not None and moment >= since
