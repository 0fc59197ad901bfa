"""A local GitHub- and GitLab-shaped API server for the collector tests, over real HTTP.

`ProviderServer` listens on 127.0.0.1 (a random port) in a background thread and
serves the endpoints the collectors call, with bodies and headers shaped like the
providers' documented ones: GitHub's `{"total_count", "workflow_runs"}` pages with
`Link` headers (pointing at `/repositories/{id}/…`, as GitHub's do) and its
1,000-result search cap; GitLab's arrays with `x-next-page` (and, optionally, no
totals, as past 10,000 rows). Tests load data built with `provider_payloads`, script
one-off replies per path (`script`) for errors and rate limits, and read `requests`
to see what the client sent.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.repos.collectors.provider_payloads import GITLAB_LIST_FIELDS

GITHUB_FILTERS = {
    "actor",
    "branch",
    "check_suite_id",
    "created",
    "event",
    "head_sha",
    "status",
}
GITHUB_CAP = 1000


@dataclass
class Reply:
    """A scripted response, served once, before normal routing."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass(frozen=True)
class Seen:
    """One request as the server received it (raw path, parsed query, headers)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


# --- The server ------------------------------------------------------------------------


class ProviderServer:
    """State and routes; `start()` serves them on 127.0.0.1 in a daemon thread."""

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self.scripts: dict[str, deque[Reply]] = {}
        self.github_token: str | None = None
        self.gitlab_token: str | None = None
        # GitHub: repository id ↔ "owner/repo", runs, deployments, statuses, commits.
        self.github_repos: dict[str, int] = {"acme/fraud": 1296269}
        self.github_runs: dict[str, list[dict[str, Any]]] = {}
        self.github_deployments: dict[str, list[dict[str, Any]]] = {}
        self.github_statuses: dict[int, list[dict[str, Any]]] = {}
        self.github_commits: dict[str, dict[str, Any]] = {}
        # GitLab: keyed by the project id exactly as it appears (encoded) in the path.
        self.gitlab_pipelines: dict[str, list[dict[str, Any]]] = {}
        self.gitlab_deployments: dict[str, list[dict[str, Any]]] = {}
        self.gitlab_commits: dict[str, dict[str, Any]] = {}
        self.gitlab_totals = True
        self.gitlab_list_times = False
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._httpd is not None
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> ProviderServer:
        handler = type("Handler", (_Handler,), {"provider": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        # A short poll keeps `stop()` (and so each test's teardown) quick.
        threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.01},
            daemon=True,
        ).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def script(self, path: str, *replies: Reply) -> None:
        """Serve `replies`, one per request to `path`, before the normal route."""
        self.scripts.setdefault(path, deque()).extend(replies)

    def seen(self, pattern: str) -> list[Seen]:
        """Requests whose raw path matches the regular expression `pattern`."""
        return [r for r in self.requests if re.search(pattern, r.path)]

    # --- Dispatch -----------------------------------------------------------------

    def handle(self, seen: Seen) -> Reply:
        with self._lock:
            self.requests.append(seen)
            queue = self.scripts.get(seen.path)
            if queue:
                return queue.popleft()
        for pattern, route in self._routes():
            match = re.fullmatch(pattern, seen.path)
            if match:
                refused = self._auth(seen)
                return refused or route(seen, *match.groups())
        return _not_found(seen.path)

    def _routes(self):
        return [
            (r"/repos/([^/]+/[^/]+)/actions/runs", self._github_runs),
            (r"/repositories/(\d+)/actions/runs", self._github_runs_by_id),
            (r"/repos/([^/]+/[^/]+)/deployments", self._github_deployments),
            (r"/repositories/(\d+)/deployments", self._github_deployments_by_id),
            (r"/repos/[^/]+/[^/]+/deployments/(\d+)/statuses", self._github_statuses),
            (r"/repos/[^/]+/[^/]+/commits/(\w+)", self._github_commit),
            (r"/api/v4/projects/([^/]+)/pipelines", self._gitlab_pipelines),
            (r"/api/v4/projects/([^/]+)/pipelines/(\d+)", self._gitlab_pipeline),
            (r"/api/v4/projects/([^/]+)/deployments", self._gitlab_deployments),
            (r"/api/v4/projects/([^/]+)/repository/commits/(\w+)", self._gitlab_commit),
        ]

    def _auth(self, seen: Seen) -> Reply | None:
        if seen.path.startswith("/api/v4/"):
            wanted = self.gitlab_token
            if wanted and seen.headers.get("private-token") != wanted:
                return Reply(401, {"message": "401 Unauthorized"})
        elif (
            self.github_token
            and seen.headers.get("authorization") != f"Bearer {self.github_token}"
        ):
            return Reply(
                401,
                {
                    "message": "Bad credentials",
                    "documentation_url": "https://docs.github.com/rest",
                    "status": "401",
                },
            )
        return None

    # --- GitHub routes ------------------------------------------------------------

    def _github_runs(self, seen: Seen, repo: str) -> Reply:
        if repo not in self.github_repos:
            return _not_found(seen.path)
        runs = [r for r in self.github_runs.get(repo, []) if _created_matches(r, seen)]
        runs.sort(key=lambda r: (r["created_at"], r["id"]), reverse=True)
        filtered = any(name in seen.query for name in GITHUB_FILTERS)
        servable = runs[:GITHUB_CAP] if filtered else runs
        page, per_page = _page(seen, default=30)
        chunk = servable[(page - 1) * per_page : page * per_page]
        headers = self._github_link(seen, repo, page, per_page, len(runs))
        return Reply(200, {"total_count": len(runs), "workflow_runs": chunk}, headers)

    def _github_runs_by_id(self, seen: Seen, repo_id: str) -> Reply:
        return self._github_runs(seen, self._github_repo(repo_id))

    def _github_deployments(self, seen: Seen, repo: str) -> Reply:
        if repo not in self.github_repos:
            return _not_found(seen.path)
        environment = seen.param("environment")
        items = [
            d
            for d in self.github_deployments.get(repo, [])
            if environment is None or d["environment"] == environment
        ]
        items.sort(key=lambda d: d["id"], reverse=True)
        page, per_page = _page(seen, default=30)
        chunk = items[(page - 1) * per_page : page * per_page]
        return Reply(
            200, chunk, self._github_link(seen, repo, page, per_page, len(items))
        )

    def _github_deployments_by_id(self, seen: Seen, repo_id: str) -> Reply:
        return self._github_deployments(seen, self._github_repo(repo_id))

    def _github_statuses(self, seen: Seen, deployment_id: str) -> Reply:
        statuses = self.github_statuses.get(int(deployment_id), [])
        return Reply(200, sorted(statuses, key=lambda s: s["id"], reverse=True))

    def _github_commit(self, seen: Seen, sha: str) -> Reply:
        commit = self.github_commits.get(sha)
        if commit is None:
            return Reply(422, {"message": f"No commit found for SHA: {sha}"})
        return Reply(200, commit)

    def _github_repo(self, repo_id: str) -> str:
        return next(
            name for name, rid in self.github_repos.items() if str(rid) == repo_id
        )

    def _github_link(
        self, seen: Seen, repo: str, page: int, per_page: int, total: int
    ) -> dict[str, str]:
        """GitHub's Link header: the `/repositories/{id}/…` form, the query kept."""
        last = max(1, -(-total // per_page))
        tail = re.sub(r"^/(repos/[^/]+/[^/]+|repositories/\d+)", "", seen.path)
        base = f"{self.url}/repositories/{self.github_repos[repo]}{tail}"
        rels = {}
        if page < last:
            rels["next"] = page + 1
            rels["last"] = last
        if page > 1:
            rels["prev"] = page - 1
            rels["first"] = 1
        links = [
            f'<{base}?{_query(seen, page=number)}>; rel="{rel}"'
            for rel, number in rels.items()
        ]
        return {"Link": ", ".join(links)} if links else {}

    # --- GitLab routes ------------------------------------------------------------

    def _gitlab_pipelines(self, seen: Seen, project: str) -> Reply:
        if project not in self.gitlab_pipelines:
            return _not_found(seen.path)
        after = seen.param("updated_after")
        items = [
            p
            for p in self.gitlab_pipelines.get(project, [])
            if after is None or _gl_time(p["updated_at"]) > _gl_time(after)
        ]
        items.sort(key=lambda p: p["id"], reverse=seen.param("sort") != "asc")
        fields = GITLAB_LIST_FIELDS + (
            ("started_at", "finished_at") if self.gitlab_list_times else ()
        )
        rows = [{k: p[k] for k in fields} for p in items]
        return self._gitlab_page(seen, rows)

    def _gitlab_pipeline(self, seen: Seen, project: str, pipeline_id: str) -> Reply:
        for pipeline in self.gitlab_pipelines.get(project, []):
            if pipeline["id"] == int(pipeline_id):
                return Reply(200, pipeline)
        return Reply(404, {"message": "404 Not found"})

    def _gitlab_deployments(self, seen: Seen, project: str) -> Reply:
        if project not in self.gitlab_deployments:
            return _not_found(seen.path)
        after = seen.param("updated_after")
        environment = seen.param("environment")
        items = [
            d
            for d in self.gitlab_deployments.get(project, [])
            if (after is None or _gl_time(d["updated_at"]) > _gl_time(after))
            and (environment is None or d["environment"]["name"] == environment)
        ]
        items.sort(key=lambda d: d["updated_at"], reverse=seen.param("sort") == "desc")
        return self._gitlab_page(seen, items)

    def _gitlab_commit(self, seen: Seen, project: str, sha: str) -> Reply:
        commit = self.gitlab_commits.get(sha)
        return (
            Reply(200, commit)
            if commit
            else Reply(404, {"message": "404 Commit Not Found"})
        )

    def _gitlab_page(self, seen: Seen, rows: list[dict[str, Any]]) -> Reply:
        """Offset pagination headers; totals (and rel="last") only when enabled."""
        page, per_page = _page(seen, default=20)
        chunk = rows[(page - 1) * per_page : page * per_page]
        pages = max(1, -(-len(rows) // per_page))
        has_next = page < pages
        base = f"{self.url}{seen.path}"
        headers = {
            "x-page": str(page),
            "x-per-page": str(per_page),
            "x-next-page": str(page + 1) if has_next else "",
            "x-prev-page": str(page - 1) if page > 1 else "",
        }
        links = [f'<{base}?{_query(seen, page=1)}>; rel="first"']
        if has_next:
            links.insert(0, f'<{base}?{_query(seen, page=page + 1)}>; rel="next"')
        if self.gitlab_totals:
            headers["x-total"] = str(len(rows))
            headers["x-total-pages"] = str(pages)
            links.append(f'<{base}?{_query(seen, page=pages)}>; rel="last"')
        headers["Link"] = ", ".join(links)
        return Reply(200, chunk, headers)


def _not_found(path: str) -> Reply:
    if path.startswith("/api/v4/"):
        return Reply(404, {"message": "404 Project Not Found"})
    return Reply(
        404,
        {
            "message": "Not Found",
            "documentation_url": "https://docs.github.com/rest",
            "status": "404",
        },
    )


def _page(seen: Seen, *, default: int) -> tuple[int, int]:
    page = int(seen.param("page") or 1)
    per_page = min(100, int(seen.param("per_page") or default))
    return page, per_page


def _query(seen: Seen, **overrides: Any) -> str:
    query = {k: v[0] for k, v in seen.query.items()}
    query.update({k: str(v) for k, v in overrides.items()})
    return urlencode(query)


def _gl_time(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def _created_matches(run: dict[str, Any], seen: Seen) -> bool:
    """GitHub's `created` qualifier: `>=X`, `<=X`, `>X`, `<X`, `X..Y`, `X..*`, `*..Y`."""
    qualifier = seen.param("created")
    if not qualifier:
        return True
    created = _gl_time(run["created_at"])
    if ".." in qualifier:
        low, high = qualifier.split("..", 1)
        return (low == "*" or created >= _gl_time(low)) and (
            high == "*" or created <= _gl_time(high)
        )
    for op, test in ((">=", "ge"), ("<=", "le"), (">", "gt"), ("<", "lt")):
        if qualifier.startswith(op):
            bound = _gl_time(qualifier[len(op) :])
            return getattr(created, f"__{test}__")(bound)
    return created.date() == _gl_time(qualifier).date()


class _Handler(BaseHTTPRequestHandler):
    provider: ProviderServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without this, Nagle's algorithm and
    # delayed ACKs add 40 ms to every keep-alive request.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        seen = Seen(
            method="GET",
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
        )
        reply = self.provider.handle(seen)
        if reply.delay:
            time.sleep(reply.delay)
        body = b"" if reply.body is None else json.dumps(reply.body).encode()
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            # The timeout tests hang up before a delayed reply is written.
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        pass
