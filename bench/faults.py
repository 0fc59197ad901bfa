"""Faults, scripted: workers killed mid-task, Redis restarted, PostgreSQL restarted.

    .venv/bin/python bench/faults.py [--database-url URL] [--broker-url URL]
        [--only workers_killed|redis_restarted|postgres_restarted ...]

It needs PostgreSQL and Redis (the production stack; SQLite's embedded mode has no
worker to kill). The database named by --database-url (default `tollgate_faults` on
the local server) is dropped and created again, and the Redis database of
--broker-url (default 13) is emptied: never point them at data you keep. The Redis
and PostgreSQL that are restarted are private ones this script starts on free ports
in a scratch folder (redis-server; initdb and postgres run as the `postgres` user
when run as root), stopped and deleted at the end, failure or not.

Workers killed (scenarios `report_worker_killed`, `scan_worker_killed`,
`webhook_worker_killed`). The demo organisation is seeded; a real worker (`celery -A
config worker`, prefork, concurrency 3, its own process group) gets three tasks:

- a scan of a local git repository, held mid-scan: the worker's PATH has a `git` that
  waits before `ls-tree` while a gate file exists (the script's only slow-down; no
  application code sleeps);
- a webhook delivery to a receiver in this script that takes the POST and holds its
  answer;
- a team report, caught while `rendering`.

With all three in flight the whole worker is killed with SIGKILL (no clean-up, as
when a machine dies). A second worker starts; once the leases lapse (reports:
REPORTS_RENDER_TIMEOUT, 15 s here, + 90 s; scans: REPOS_SCAN_TIMEOUT, 60 s here so
that the held scan does not stop itself first, + 120 s; deliveries: 2 min) the
periodic sweeps `reports_resend_stale`, `scans_resend_stale` and
`webhook_deliveries_requeue_due` run, as beat would, and send each task again.
Checks:

- report: `done`, its file matching its SHA-256; one `report.rendered` event; two
  `report.rendering` events, the second marked reclaimed.
- scan: one scan row, `succeeded` at its second attempt; one `repo.scanned` event;
  the signals stored once (one row per key, all of that scan).
- webhook: `delivered`, attempts 2; one `webhook_delivery.delivered` event; the
  attempt log holds attempt 1 as `worker_lost` (logged by the claim that found its
  lease lapsed) and attempt 2 as `success`. A webhook is at least once: the receiver
  got the POST twice, and the check asserts that both carry the same
  `Tollgate-Delivery` id (the event id), the same body and a valid signature, so a
  receiver that keeps the ids it has seen processes it once.
- the organisation's audit chain verifies.

Redis restarted (`redis_restarted`): a private Redis is the broker of a gunicorn
and a worker, and the gunicorn's cache (database 1), as the README's deployment has
it: the API's rate limits count there. A scan is requested through the API and held
mid-scan; Redis is stopped for 5 s (no persistence: what it held is lost). While it
is down the login page and an API read must answer 200, /healthz 503 naming the
broker, and a request that queues a scan (linking a repository) 201: the publish
fails after the commit and the scan stays queued for the sweep. Redis starts again
on the same port:
/healthz answers 200, the held scan completes, a scan requested now completes, and
the one requested during the outage completes once the sweep runs (as beat would 15
minutes on: its `now` is moved past QUEUED_TOO_LONG). Every scan completes exactly
once; the web server's processes are the same ones.
The worker is supervised as systemd does it (`Restart=on-failure`): Celery/kombu 5.7
exit when the broker connection drops while a task is in flight (restoring the
unacknowledged message on the lost connection raises), so the check is that such an
exit is a failure (non-zero, so restarted) and that no work is lost; the exit codes
are listed. A report requested during the outage is accepted too (202, left pending
for the reports' sweep).

PostgreSQL restarted (`postgres_restarted`): a private cluster holding a copy of
the faults database serves a gunicorn; requests flow while it is stopped (fast
shutdown) for a few seconds and started again. Checks: every request answers
within 10 s; during the outage an API read answers 503 with the JSON error body (no
traceback) and /healthz 503 naming the database; afterwards both answer
200 again without a restart of the web server (same processes), thanks to
CONN_HEALTH_CHECKS.

Prints one JSON object, with each scenario's seconds; exit status 1 if any check
failed. About 5 minutes on 2 CPUs, three of them waiting for the leases to lapse.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from _harness import (
    ROOT,
    VENV_BIN,
    Client,
    configure,
    free_port,
    gunicorn_command,
    server_environment,
    start,
    stop,
)

RENDER_TIMEOUT_S = 15
# A scan stops itself after this long, held or not: the kill must come before.
SCAN_TIMEOUT_S = 60
# Seconds the private Redis and PostgreSQL stay down, at least.
REDIS_OUTAGE_S = 5
POSTGRES_OUTAGE_S = 4
# Private servers get this long to stop before SIGKILL.
STOP_TIMEOUT_S = 30
GROUPS = ("workers_killed", "redis_restarted", "postgres_restarted")
KILL_SCENARIOS = ("report_worker_killed", "scan_worker_killed", "webhook_worker_killed")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/tollgate_faults"
    )
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument(
        "--only",
        action="append",
        choices=GROUPS,
        help="run this group of scenarios only (repeatable); default: all",
    )
    return parser.parse_args()


def fresh_database(url: str) -> None:
    """Drop and create the database `url` names, through the server's `postgres`."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def empty_broker(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def start_worker(env: dict, log: Path, concurrency: int = 1) -> subprocess.Popen:
    command = [
        str(VENV_BIN / "celery"),
        "-A",
        "config",
        "worker",
        "-Q",
        "default,scans,reports",
        f"--concurrency={concurrency}",
        "--pool=prefork",
        "--loglevel=WARNING",
    ]
    with log.open("ab") as out:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: killed whole, children included
        )


def kill(worker: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    try:
        os.killpg(worker.pid, sig)
    except ProcessLookupError:
        return
    try:
        worker.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=STOP_TIMEOUT_S)


def wait_for(condition, *, timeout: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)
    return time.monotonic() - started


def group_pids(pgid: int) -> set[int]:
    """The live processes of a process group (a server and its workers), from /proc."""
    pids = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            pids.add(int(stat.parent.name))
    return pids


# --- A scan held mid-way ----------------------------------------------------------------


class Gate:
    """While the gate file exists, the workers' `git ls-tree` waits: a scan stalls
    after its claim, at its listing step. `stalled` tells that one got there."""

    def __init__(self, scratch: Path) -> None:
        self.bin = scratch / "bin"
        self.file = scratch / "git-gate"
        self.stalled = scratch / "git-gate.stalled"
        self.bin.mkdir()
        real_git = shutil.which("git")
        wrapper = self.bin / "git"
        wrapper.write_text(
            "#!/bin/sh\n"
            'case " $* " in\n'
            '  *" ls-tree "*)\n'
            f'    if [ -e "{self.file}" ]; then touch "{self.stalled}"; fi\n'
            f'    while [ -e "{self.file}" ]; do sleep 0.1; done ;;\n'
            "esac\n"
            f'exec {real_git} "$@"\n'
        )
        wrapper.chmod(0o755)

    def close(self) -> None:
        self.file.unlink(missing_ok=True)
        self.stalled.unlink(missing_ok=True)

    def shut(self) -> None:
        self.close()
        self.file.touch()

    def reached(self) -> bool:
        return self.stalled.exists()


def git_fixture(root: Path, name: str) -> Path:
    """A small repository with CI, tests and pinned dependencies (a demo one)."""
    from apps.repos.demo import DEMO_REPOS, write_repo

    path = root / name
    write_repo(path, DEMO_REPOS[1].files)
    return path


# --- A webhook receiver -----------------------------------------------------------------


@dataclass
class Receiver:
    """Records every POST; the first one is held (no answer) until `release`."""

    posts: list[tuple[dict, bytes]] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.posts.append((dict(self.headers), body))
                if len(receiver.posts) == 1:
                    receiver.arrived.set()
                    receiver.released.wait(timeout=60)
                try:
                    self.send_response(200)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender was killed meanwhile

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


# --- Workers killed mid-task ------------------------------------------------------------


@dataclass
class Fixture:
    """What the scenarios share: the demo organisation and its admin."""

    env: dict
    scratch: Path
    gate: Gate
    organization: object
    team: object
    admin: object

    @property
    def repos(self) -> Path:
        return self.scratch / "repos"


def chain_verifies(organization) -> bool:
    from apps.audit.integrity import chain_verify
    from apps.audit.models import Chain

    return chain_verify(chain=Chain.objects.get(organization=organization)).ok


def workers_killed(fx: Fixture) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from apps.reports import services as reports
    from apps.reports.models import Report
    from apps.repos import services as repos
    from apps.repos.models import Scan
    from apps.webhooks.models import WebhookDelivery
    from apps.webhooks.services import (
        webhook_deliveries_requeue_due,
        webhook_event_publish,
        webhook_subscription_create,
    )

    log = fx.scratch / "worker.log"
    with Receiver() as receiver:
        _, secret = webhook_subscription_create(
            organization=fx.organization,
            url=receiver.url,
            events=["*"],
            created_by=fx.admin,
        )
        fx.gate.shut()
        repo, _ = repos.repo_link(
            team=fx.team,
            linked_by=fx.admin,
            name="faults-scan",
            provider="git",
            local_path=str(git_fixture(fx.repos, "faults-scan")),
            default_branch="main",
        )
        scan = Scan.objects.get(repo=repo)
        first = start_worker(fx.env, log, concurrency=3)
        try:
            # The worker starts (seconds), claims the scan, which stalls at ls-tree.
            wait_for(fx.gate.reached, timeout=120, what="the scan to stall")
            stalled_at = time.monotonic()
            with transaction.atomic():
                (delivery,) = webhook_event_publish(
                    organization=fx.organization,
                    event="alias.drift_detected",
                    payload={"faults": "webhook_worker_killed"},
                )
            report = reports.report_request(
                kind=Report.Kind.TEAM_ASSESSMENT, team=fx.team, requested_by=None
            )

            def report_state() -> str:
                return Report.objects.values_list("status", flat=True).get(pk=report.pk)

            wait_for(
                lambda: (
                    receiver.arrived.is_set()
                    and report_state() == Report.Status.RENDERING
                ),
                timeout=SCAN_TIMEOUT_S - 20,
                what="the delivery and the report to be in flight",
            )
        finally:
            kill(first)
            fx.gate.close()
            receiver.released.set()
        killed_at = time.monotonic()
        held_s = round(killed_at - stalled_at, 1)
        after_kill = {
            "scan": Scan.objects.get(pk=scan.pk).status,
            "report": report_state(),
            "delivery": WebhookDelivery.objects.get(pk=delivery.pk).status,
        }
        second = start_worker(fx.env, log)
        try:
            leases = [
                Scan.objects.get(pk=scan.pk).lease_until,
                Report.objects.get(pk=report.pk).lease_until,
                WebhookDelivery.objects.get(pk=delivery.pk).next_attempt_at,
            ]
            lapse = max(lease for lease in leases if lease is not None)
            wait_for(
                lambda: timezone.now() > lapse,
                timeout=SCAN_TIMEOUT_S + 150,
                what="the leases to lapse",
            )
            with transaction.atomic():  # as beat's tasks run them
                resent = {
                    "scan": repos.scans_resend_stale(),
                    "report": reports.reports_resend_stale(),
                }
            resent["delivery"] = webhook_deliveries_requeue_due()
            finished = {
                "scan": (Scan.Status.SUCCEEDED, Scan.Status.FAILED),
                "report": (Report.Status.DONE, Report.Status.FAILED),
                "delivery": (
                    WebhookDelivery.Status.DELIVERED,
                    WebhookDelivery.Status.FAILED,
                ),
            }
            wait_for(
                lambda: (
                    Scan.objects.get(pk=scan.pk).status in finished["scan"]
                    and report_state() in finished["report"]
                    and WebhookDelivery.objects.get(pk=delivery.pk).status
                    in finished["delivery"]
                ),
                timeout=180,
                what="the second worker",
            )
        finally:
            kill(second, signal.SIGTERM)
        recovered_s = round(time.monotonic() - killed_at, 1)
        posts = list(receiver.posts)
    verifies = chain_verifies(fx.organization)
    return {
        "report_worker_killed": report_checks(
            report, after_kill["report"], resent["report"], verifies, recovered_s
        ),
        "scan_worker_killed": {
            **scan_checks(
                scan, after_kill["scan"], resent["scan"], verifies, recovered_s
            ),
            "held_before_the_kill_s": held_s,
        },
        "webhook_worker_killed": webhook_checks(
            delivery,
            secret,
            posts,
            after_kill["delivery"],
            resent["delivery"],
            verifies,
            recovered_s,
        ),
    }


def result(checks: dict[str, bool], **facts) -> dict:
    return {"checks": checks, "ok": all(checks.values()), **facts}


def report_checks(report, status_after_kill, resent, verifies, recovered_s) -> dict:
    from apps.audit.models import AuditEvent
    from apps.reports.models import Report

    report.refresh_from_db()
    events = AuditEvent.objects.filter(
        object_type="reports.report", object_id=str(report.pk)
    )
    rendering = list(
        events.filter(action="report.rendering").values_list("canonical", flat=True)
    )
    file_sha256 = ""
    if report.file:
        with report.file.open("rb") as pdf:
            file_sha256 = hashlib.sha256(pdf.read()).hexdigest()
    checks = {
        "status_after_kill_is_rendering": status_after_kill == Report.Status.RENDERING,
        "resent_by_sweep": resent == 1,
        "done": report.status == Report.Status.DONE,
        "file_matches_sha256": bool(file_sha256) and file_sha256 == report.sha256,
        "rendered_exactly_once": events.filter(action="report.rendered").count() == 1,
        "claimed_twice_second_reclaimed": len(rendering) == 2
        and '"reclaimed":true' in rendering[1],
        "audit_chain_verifies": verifies,
    }
    return result(
        checks,
        kill_to_done_s=recovered_s,
        report_error=report.error,
    )


def scan_checks(scan, status_after_kill, resent, verifies, recovered_s) -> dict:
    from apps.audit.models import AuditEvent
    from apps.repos.models import Scan, Signal

    scan.refresh_from_db()
    scanned = AuditEvent.objects.filter(
        action="repo.scanned",
        object_type="repos.linkedrepo",
        object_id=str(scan.repo_id),
    )
    signals = Signal.objects.filter(repo_id=scan.repo_id)
    keys = list(signals.values_list("key", "source"))
    checks = {
        "status_after_kill_is_running": status_after_kill == Scan.Status.RUNNING,
        "resent_by_sweep": resent == 1,
        "one_scan_row": Scan.objects.filter(repo_id=scan.repo_id).count() == 1,
        "succeeded_at_second_attempt": (scan.status, scan.attempts)
        == (Scan.Status.SUCCEEDED, 2),
        "completed_exactly_once": scanned.count() == 1,
        "signals_stored_once": bool(keys)
        and len(keys) == len(set(keys))
        and not signals.exclude(scan=scan).exists(),
        "audit_chain_verifies": verifies,
    }
    return result(
        checks,
        kill_to_done_s=recovered_s,
        signals=len(keys),
        scan_error=scan.error,
    )


def webhook_checks(
    delivery, secret, posts, status_after_kill, resent, verifies, recovered_s
) -> dict:
    from apps.audit.models import AuditEvent
    from apps.webhooks.models import WebhookAttempt, WebhookDelivery
    from apps.webhooks.signing import verify_signature

    delivery.refresh_from_db()
    ids = [headers.get("Tollgate-Delivery") for headers, _ in posts]
    signed = [
        verify_signature(
            secret,
            headers.get("Tollgate-Timestamp", ""),
            body,
            headers.get("Tollgate-Signature", ""),
        )
        for headers, body in posts
    ]
    attempts = list(delivery.attempt_log.values_list("number", "outcome"))
    delivered = AuditEvent.objects.filter(
        action="webhook_delivery.delivered",
        object_type="webhooks.webhookdelivery",
        object_id=str(delivery.pk),
    )
    checks = {
        "status_after_kill_is_delivering": status_after_kill
        == WebhookDelivery.Status.DELIVERING,
        "resent_by_sweep": resent == 1,
        "delivered_at_second_attempt": (delivery.status, delivery.attempts)
        == (WebhookDelivery.Status.DELIVERED, 2),
        "recorded_delivered_once": delivered.count() == 1,
        "attempt_log_is_lost_then_success": attempts
        == [
            (1, WebhookAttempt.Outcome.WORKER_LOST),
            (2, WebhookAttempt.Outcome.SUCCESS),
        ],
        "receiver_got_it_twice": len(posts) == 2,
        "same_delivery_id_on_both_posts": len(ids) == 2
        and ids[0] == ids[1] == str(delivery.event_id),
        "same_body_on_both_posts": len({body for _, body in posts}) == 1,
        "every_post_signed": bool(signed) and all(signed),
        "audit_chain_verifies": verifies,
    }
    return result(
        checks,
        kill_to_done_s=recovered_s,
        posts_received=len(posts),
        attempt_log=[list(attempt) for attempt in attempts],
    )


# --- Redis restarted --------------------------------------------------------------------


class PrivateRedis:
    """A redis-server of this script's own, on a free port, without persistence."""

    def __init__(self, scratch: Path) -> None:
        self.port = free_port()
        self.folder = scratch / "redis"
        self.folder.mkdir(exist_ok=True)
        self.log = scratch / "redis.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redis

        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    shutil.which("redis-server"),
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.folder),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        wait_for(self._pings(client), timeout=30, what="the private Redis")

    def _pings(self, client):
        import redis

        def ping() -> bool:
            try:
                return client.ping()
            except redis.ConnectionError:
                return False

        return ping

    def stop(self) -> None:
        if self.process is not None:
            kill(self.process, signal.SIGTERM)
            self.process = None


@dataclass
class Web:
    """A gunicorn of this script's own and a client signed in with a token."""

    base: str
    server: subprocess.Popen
    client: Client

    def get(self, path: str, **headers):
        return request_outcome(self.client, "GET", self.base + path, None, headers)

    def post(self, path: str, body: dict):
        return request_outcome(self.client, "POST", self.base + path, body, {})


def request_outcome(client, method, url, body, headers) -> dict:
    started = time.monotonic()
    try:
        response = client.request(method, url, body, headers)
    except OSError as exc:
        client.close()
        client.connections.clear()
        return {
            "status": None,
            "error": type(exc).__name__,
            "seconds": round(time.monotonic() - started, 2),
        }
    return {
        "status": response.status_code,
        "body": response.text[:300],
        "seconds": round(time.monotonic() - started, 2),
    }


def start_web(env: dict, log: Path, token: str) -> Web:
    base = f"http://127.0.0.1:{free_port()}"
    command = gunicorn_command(
        "config.wsgi:application",
        bind=base.removeprefix("http://"),
        workers=1,
        threads=4,
        extra=["--timeout=30"],
    )
    server = start(command, env, log, base + "/healthz", {200, 503})
    client = Client(timeout=15, headers={"Authorization": f"Bearer {token}"})
    return Web(base, server, client)


def cache_keys(url: str) -> int:
    import redis

    return redis.Redis.from_url(url).dbsize()


def link_body(fx: Fixture, name: str) -> dict:
    return {
        "team": fx.team.pk,
        "name": name,
        "provider": "git",
        "local_path": str(git_fixture(fx.repos, name)),
        "default_branch": "main",
    }


def scans_of(name: str):
    from apps.repos.models import Scan

    return Scan.objects.filter(repo__name=name)


def scan_done(name: str) -> bool:
    from apps.repos.models import Scan

    return scans_of(name).filter(status=Scan.Status.SUCCEEDED).exists()


def scanned_once(name: str) -> bool:
    from apps.audit.models import AuditEvent
    from apps.repos.models import LinkedRepo, Scan

    repo = LinkedRepo.objects.get(name=name)
    events = AuditEvent.objects.filter(
        action="repo.scanned",
        object_type="repos.linkedrepo",
        object_id=str(repo.pk),
    )
    scans = Scan.objects.filter(repo=repo)
    return (
        events.count() == 1
        and scans.count() == 1
        and scans.get().status == Scan.Status.SUCCEEDED
    )


# The scans sweep as beat runs it, with its clock moved past QUEUED_TOO_LONG, in a
# process of its own: its tasks go to that environment's broker.
SWEEP_LATER = """
import django
django.setup()
from django.db import transaction
from django.utils import timezone
from apps.repos import services
with transaction.atomic():
    later = timezone.now() + services.QUEUED_TOO_LONG * 2
    print(services.scans_resend_stale(now=later))
"""


def sweep_scans_later(env: dict) -> int:
    done = subprocess.run(
        [str(VENV_BIN / "python"), "-c", SWEEP_LATER],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout.split()[-1])


class Supervised:
    """A worker restarted when it exits, as systemd's `Restart=on-failure` does in
    production (deploy/systemd/tollgate-worker.service); each exit is recorded."""

    def __init__(self, env: dict, log: Path) -> None:
        self.env, self.log = env, log
        self.exits: list[int] = []
        self.process = start_worker(env, log)

    def check(self) -> None:
        code = self.process.poll()
        if code is not None:
            self.exits.append(code)
            stop(self.process)  # its pool's children, if any are left
            self.process = start_worker(self.env, self.log)

    def stop(self) -> None:
        stop(self.process)


def redis_restarted(fx: Fixture, token: str) -> dict:
    broker = PrivateRedis(fx.scratch)
    cache = broker.url.removesuffix("/0") + "/1"
    env = {**fx.env, "CELERY_BROKER_URL": broker.url, "CACHE_URL": cache}
    web = worker = None
    seen: dict = {}
    try:
        broker.start()
        web = start_web(env, fx.scratch / "gunicorn-redis.log", token)
        worker = Supervised(env, fx.scratch / "worker-redis.log")
        web_pids = group_pids(web.server.pid)
        seen["healthz_before"] = web.get("/healthz")
        # Work in flight: a scan the worker claimed, held mid-scan.
        fx.gate.shut()
        seen["link_before"] = web.post("/api/v1/repos/", link_body(fx, "redis-before"))
        wait_for(fx.gate.reached, timeout=120, what="the scan to stall")
        # The API's rate limit counted in Redis: the outage reaches the cache too.
        seen["cache_keys_before"] = cache_keys(cache)
        broker.stop()
        stopped_at = time.monotonic()
        seen["login_page_during"] = web.get("/accounts/login/", Accept="text/html")
        seen["api_read_during"] = web.get("/api/v1/repos/")
        seen["healthz_during"] = web.get("/healthz")
        seen["link_during"] = web.post("/api/v1/repos/", link_body(fx, "redis-during"))
        # Accepted and kept pending for the reports' sweep (apps/core/queue.py).
        seen["report_request_during"] = web.post(
            "/api/v1/reports/", {"kind": "team_assessment", "team": fx.team.pk}
        )
        # Down long enough for the worker's and the web's reconnection attempts to fail.
        time.sleep(max(0.0, REDIS_OUTAGE_S - (time.monotonic() - stopped_at)))
        seen["outage_s"] = round(time.monotonic() - stopped_at, 1)
        broker.start()
        fx.gate.close()

        def healthy() -> bool:
            worker.check()
            return web.get("/healthz")["status"] == 200

        seen["healthz_ok_after_s"] = round(
            wait_for(healthy, timeout=30, what="/healthz after the restart"), 1
        )
        wait_for(lambda: scan_done("redis-before"), timeout=60, what="the held scan")
        seen["link_after"] = web.post("/api/v1/repos/", link_body(fx, "redis-after"))

        def done(name: str):
            def check() -> bool:
                worker.check()
                return scan_done(name)

            return check

        seen["after_scan_done_s"] = round(
            wait_for(
                done("redis-after"),
                timeout=90,
                what="a scan requested after the restart",
            ),
            1,
        )
        # The scan requested during the outage never reached Redis: the sweep finds
        # it, as beat would once it has been queued QUEUED_TOO_LONG.
        seen["resent_by_sweep"] = sweep_scans_later(env)
        wait_for(
            done("redis-during"),
            timeout=60,
            what="the scan requested during the outage",
        )
        seen["web_processes_unchanged"] = group_pids(web.server.pid) == web_pids
    finally:
        fx.gate.close()
        if worker is not None:
            worker.stop()
        if web is not None:
            web.client.close()
            stop(web.server)
        broker.stop()
    healthz_during = seen["healthz_during"]
    checks = {
        "healthz_ok_before": seen["healthz_before"]["status"] == 200,
        "cache_in_redis_before": seen["cache_keys_before"] > 0,
        "healthz_names_the_broker_during": healthz_during["status"] == 503
        and '"broker": "failing"' in healthz_during.get("body", ""),
        "login_page_200_during": seen["login_page_during"]["status"] == 200,
        "api_read_200_during": seen["api_read_during"]["status"] == 200,
        "request_queueing_work_201_during": seen["link_during"]["status"] == 201,
        "report_request_202_during": seen["report_request_during"]["status"] == 202,
        "held_scan_completed_once": scanned_once("redis-before"),
        "scan_after_restart_completed_once": scanned_once("redis-after"),
        "scan_during_outage_resent_and_completed_once": seen["resent_by_sweep"] == 1
        and scanned_once("redis-during"),
        # A worker that exits must do so with a failure, or systemd leaves it down.
        "worker_exits_were_failures": all(code != 0 for code in worker.exits),
        "web_processes_unchanged": seen["web_processes_unchanged"],
        "audit_chain_verifies": chain_verifies(fx.organization),
    }
    return result(
        checks,
        outage_s=seen["outage_s"],
        healthz_ok_after_s=seen["healthz_ok_after_s"],
        scan_after_restart_done_s=seen["after_scan_done_s"],
        worker_exits=worker.exits,
        during={
            key: {**seen[key], "body": seen[key].get("body", "")[:100]}
            for key in (
                "login_page_during",
                "api_read_during",
                "healthz_during",
                "link_during",
                "report_request_during",
            )
        },
    )


# --- PostgreSQL restarted ---------------------------------------------------------------


def postgres_bin() -> Path:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/postgres"),
        key=lambda path: int(Path(path).parent.parent.name),
    )
    if not found:
        raise SystemExit("no PostgreSQL server binaries under /usr/lib/postgresql")
    return Path(found[-1]).parent


class PrivatePostgres:
    """A cluster of this script's own in a folder owned by `postgres` (initdb refuses
    root), on a free port, trusting local connections; deleted by `remove`."""

    def __init__(self) -> None:
        self.bin = postgres_bin()
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="tollgate-faults-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "postgres.log"
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            shutil.chown(self.folder, self.user, self.user)
        self.process: subprocess.Popen | None = None

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, *command: str) -> None:
        subprocess.run(
            command, check=True, capture_output=True, cwd=self.folder, user=self.user
        )

    def init(self) -> None:
        self._run(
            str(self.bin / "initdb"),
            "--pgdata",
            str(self.data),
            "--username=postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        )

    def start(self) -> None:
        import psycopg

        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    str(self.bin / "postgres"),
                    "-D",
                    str(self.data),
                    "-p",
                    str(self.port),
                    "-k",
                    str(self.folder),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    "fsync=off",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                cwd=self.folder,
                user=self.user,
            )

        def accepts() -> bool:
            try:
                psycopg.connect(self.url("postgres"), connect_timeout=2).close()
            except psycopg.OperationalError:
                return False
            return True

        wait_for(accepts, timeout=60, what="the private PostgreSQL")

    def stop(self) -> None:
        """A fast shutdown (SIGINT): sessions are ended, as by a restart."""
        if self.process is not None:
            kill(self.process, signal.SIGINT)
            self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def copy_database(source: str, pg: PrivatePostgres, name: str) -> None:
    """The faults database as it is now, into the private cluster."""
    import psycopg

    with psycopg.connect(pg.url("postgres"), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    dump = subprocess.Popen(
        [str(pg.bin / "pg_dump"), "-Fc", "--no-owner", "--no-acl", source],
        stdout=subprocess.PIPE,
    )
    subprocess.run(
        [str(pg.bin / "pg_restore"), "--no-owner", "--no-acl", "-d", pg.url(name)],
        stdin=dump.stdout,
        check=True,
        capture_output=True,
    )
    dump.stdout.close()
    if dump.wait() != 0:
        raise SystemExit("pg_dump of the faults database failed")


@dataclass
class Traffic:
    """Requests in turn (an API read, /healthz), each one's outcome with its phase."""

    web: Web
    samples: list[dict] = field(default_factory=list)

    def run(self, phase: str, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.once(phase)
            time.sleep(0.2)

    def once(self, phase: str) -> tuple[dict, dict]:
        api = self.web.get("/api/v1/repos/")
        health = self.web.get("/healthz")
        self.samples += [
            {"phase": phase, "path": "api", **api},
            {"phase": phase, "path": "healthz", **health},
        ]
        return api, health

    def of(self, phase: str, path: str) -> list[dict]:
        return [s for s in self.samples if s["phase"] == phase and s["path"] == path]


def clean_failure(sample: dict) -> bool:
    """The API's answer while its database is down: a 503 in its JSON error shape
    (apps/core/views.server_error)."""
    if sample["status"] != 503:
        return False
    try:
        body = json.loads(sample["body"])
    except ValueError:
        return False
    return "error" in body and "Traceback" not in sample["body"]


def postgres_restarted(fx: Fixture, token: str, database_url: str) -> dict:
    pg = PrivatePostgres()
    servers: list[subprocess.Popen] = []
    try:
        pg.init()
        pg.start()
        copy_database(database_url, pg, "tollgate")
        env = {**fx.env, "DATABASE_URL": pg.url("tollgate")}
        web = start_web(env, fx.scratch / "gunicorn-postgres.log", token)
        servers.append(web.server)
        web_pids = group_pids(web.server.pid)
        traffic = Traffic(web)
        traffic.run("before", 2)
        pg.stop()
        stopped_at = time.monotonic()
        traffic.run("during", POSTGRES_OUTAGE_S)
        pg.start()
        restarted_at = time.monotonic()
        recovered_s = wait_for(
            lambda: all(
                sample["status"] == 200 for sample in traffic.once("recovering")
            ),
            timeout=30,
            what="requests to succeed after the restart",
        )
        outage_s = restarted_at - stopped_at
        traffic.run("after", 2)
        unchanged = group_pids(web.server.pid) == web_pids
        web.client.close()
    finally:
        for server in servers:
            stop(server)
        pg.remove()
    slowest = max(sample["seconds"] for sample in traffic.samples)
    checks = {
        "all_200_before": all(
            s["status"] == 200 for s in traffic.samples if s["phase"] == "before"
        ),
        "every_request_answered_within_10_s": slowest < 10
        and all(s["status"] is not None for s in traffic.samples),
        "api_failed_cleanly_during": bool(traffic.of("during", "api"))
        and all(clean_failure(s) for s in traffic.of("during", "api")),
        "healthz_names_the_database_during": bool(traffic.of("during", "healthz"))
        and all(
            s["status"] == 503 and '"database": "failing"' in s["body"]
            for s in traffic.of("during", "healthz")
        ),
        "all_200_after_without_a_web_restart": unchanged
        and all(s["status"] == 200 for s in traffic.samples if s["phase"] == "after"),
    }
    during = traffic.of("during", "api")
    return result(
        checks,
        outage_s=round(outage_s, 1),
        recovered_after_restart_s=round(recovered_s, 1),
        requests=len(traffic.samples),
        slowest_request_s=slowest,
        api_during={
            "statuses": sorted({s["status"] for s in during}),
            "body": during[0]["body"] if during else "",
        },
    )


# --- Running it all ---------------------------------------------------------------------


def fixture(env: dict, scratch: Path) -> tuple[Fixture, str]:
    """The demo organisation, seeded; an API token of its admin."""
    from django.conf import settings
    from django.core.management import call_command
    from django.test import override_settings

    from apps.accounts.models import Team, User
    from apps.accounts.services import api_token_create

    call_command("migrate", verbosity=0)
    # Its stdout lists the demo logins: not part of the JSON.
    call_command("seed_demo", "--allow-production", stdout=io.StringIO())
    # The pages link their static files through the manifest it writes (DEBUG off).
    # Written without compressing them (production's storage also gzips and brotlis
    # plotly.js, a minute of CPU here): the manifest is the same, whitenoise serves.
    manifest_only = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        },
    }
    with override_settings(STORAGES=manifest_only):
        call_command("collectstatic", interactive=False, verbosity=0)
    team = Team.objects.select_related("organization").get(
        organization__slug="acme", slug="credit-risk-scoring"
    )
    admin = User.objects.get(organization=team.organization, username="admin")
    _, token = api_token_create(user=admin, name="faults")
    (scratch / "repos").mkdir()
    fx = Fixture(env, scratch, Gate(scratch), team.organization, team, admin)
    return fx, token


def timed(results: dict, name: str, scenario, *args) -> None:
    started = time.monotonic()
    try:
        outcome = scenario(*args)
    except Exception as exc:  # a scenario that breaks is a failed one, not the end
        outcome = {name: {"ok": False, "error": f"{type(exc).__name__}: {exc}"}}
    seconds = round(time.monotonic() - started, 1)
    if name in outcome:  # one scenario
        outcome = {name: {**outcome[name], "seconds": seconds}}
    else:
        for result in outcome.values():
            result["seconds_together"] = seconds
    results.update(outcome)


def main() -> None:
    args = parse_args()
    # `timeout` (CI's step limit) sends SIGTERM: end through the finally blocks, so
    # the private servers and workers are stopped.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    started = time.monotonic()
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="tollgate-faults-") as scratch:
        scratch = Path(scratch)
        fresh_database(args.database_url)
        empty_broker(args.broker_url)
        env = server_environment(
            args.database_url,
            DJANGO_MEDIA_ROOT=str(scratch / "media"),
            DJANGO_STATIC_ROOT=str(scratch / "static"),
            REPORTS_RENDER_TIMEOUT=str(RENDER_TIMEOUT_S),
            REPOS_SCAN_TIMEOUT=str(SCAN_TIMEOUT_S),
            REPOS_LOCAL_ROOTS=str(scratch / "repos"),
            WEBHOOKS_ALLOW_PRIVATE_TARGETS="true",
        )
        # A real broker: tasks go to workers, not run in-process. Workers and web
        # servers find the gated git first on their PATH.
        env.update(
            CELERY_BROKER_URL=args.broker_url,
            CELERY_RESULT_BACKEND="",
            PATH=f"{scratch / 'bin'}:{env.get('PATH', '/usr/bin:/bin')}",
        )
        configure(env)
        fx, token = fixture(env, scratch)
        results["setup_s"] = round(time.monotonic() - started, 1)
        only = args.only or GROUPS
        if "workers_killed" in only:
            timed(results, "workers_killed", lambda: workers_killed(fx))
        if "workers_killed" in results:  # it broke: each of its scenarios failed
            failed = results.pop("workers_killed")
            results.update({name: dict(failed) for name in KILL_SCENARIOS})
        if "redis_restarted" in only:
            timed(
                results,
                "redis_restarted",
                lambda: {"redis_restarted": redis_restarted(fx, token)},
            )
        if "postgres_restarted" in only:
            timed(
                results,
                "postgres_restarted",
                lambda: {
                    "postgres_restarted": postgres_restarted(
                        fx, token, args.database_url
                    )
                },
            )
        from django.db import connection

        connection.close()
    scenarios = {k: v for k, v in results.items() if isinstance(v, dict)}
    results["ok"] = all(result["ok"] for result in scenarios.values())
    results["total_s"] = round(time.monotonic() - started, 1)
    print(json.dumps(results, indent=2))
    sys.exit(0 if results["ok"] else 1)


if __name__ == "__main__":
    main()
