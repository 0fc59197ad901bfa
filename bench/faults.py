"""Faults, scripted: a Celery worker killed in the middle of rendering a report.

    .venv/bin/python bench/faults.py [--database-url URL] [--broker-url URL]

It needs PostgreSQL and Redis (the production stack; SQLite's embedded mode has no
worker to kill). The database named by --database-url (default `tollgate_faults` on
the local server) is dropped and created again, and the Redis database of
--broker-url (default 13) is emptied: never point them at data you keep.

Scenario `report_worker_killed`:

1. The demo organisation is seeded; a team report is requested through the service,
   which queues its task on the broker after commit.
2. A real worker (`celery -A config worker`, prefork, in its own process group)
   claims it. Once the report is `rendering`, the whole worker is killed with
   SIGKILL: no chance to clean up, as when a machine dies.
3. A second worker starts. The report's lease lapses (REPORTS_RENDER_TIMEOUT, set to
   15 s here, plus 90 s); the periodic sweep (`reports_resend_stale`, run here as
   beat would) sends its task again, and the second worker renders it.

Checks: the report ends `done` with a file matching its SHA-256; exactly one
`report.rendered` event; two `report.rendering` events, the second marked reclaimed;
the audit chain verifies. Prints one JSON object; exit status 1 if a check failed.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from _harness import ROOT, VENV_BIN, configure, server_environment

RENDER_TIMEOUT_S = 15
LEASE_SLACK_S = 90  # apps/reports/services._lease_seconds


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/tollgate_faults"
    )
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/13")
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


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    command = [
        str(VENV_BIN / "celery"),
        "-A",
        "config",
        "worker",
        "-Q",
        "default,scans,reports",
        "--concurrency=1",
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
    worker.wait(timeout=30)


def wait_for(condition, *, timeout: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)
    return time.monotonic() - started


def report_worker_killed(env: dict, scratch: Path) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from apps.accounts.models import Team
    from apps.audit.integrity import chain_verify
    from apps.audit.models import AuditEvent, Chain
    from apps.reports import services
    from apps.reports.models import Report

    team = Team.objects.get(organization__slug="acme", slug="credit-risk-scoring")
    log = scratch / "worker.log"
    first = start_worker(env, log)
    try:
        report = services.report_request(
            kind=Report.Kind.TEAM_ASSESSMENT, team=team, requested_by=None
        )

        def state() -> str:
            return Report.objects.values_list("status", flat=True).get(pk=report.pk)

        # The first worker starts (a few seconds), claims the report and renders.
        wait_for(
            lambda: state() == Report.Status.RENDERING, timeout=120, what="the claim"
        )
        time.sleep(1.0)
    finally:
        kill(first)
    killed_at = time.monotonic()
    status_after_kill = state()
    second = start_worker(env, log)
    try:
        lease_until = Report.objects.values_list("lease_until", flat=True).get(
            pk=report.pk
        )
        wait_for(
            lambda: timezone.now() > lease_until,
            timeout=RENDER_TIMEOUT_S + LEASE_SLACK_S + 30,
            what="the lease to lapse",
        )
        with transaction.atomic():  # as beat's task runs it
            resent = services.reports_resend_stale()
        wait_for(
            lambda: state() in (Report.Status.DONE, Report.Status.FAILED),
            timeout=180,
            what="the second worker",
        )
    finally:
        kill(second, signal.SIGTERM)
    recovered_s = time.monotonic() - killed_at
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
    verification = chain_verify(chain=Chain.objects.get(organization=team.organization))
    checks = {
        "status_after_kill_is_rendering": status_after_kill == Report.Status.RENDERING,
        "resent_by_sweep": resent == 1,
        "done": report.status == Report.Status.DONE,
        "file_matches_sha256": bool(file_sha256) and file_sha256 == report.sha256,
        "rendered_exactly_once": events.filter(action="report.rendered").count() == 1,
        "claimed_twice_second_reclaimed": len(rendering) == 2
        and '"reclaimed":true' in rendering[1],
        "audit_chain_verifies": verification.ok,
    }
    return {
        "checks": checks,
        "ok": all(checks.values()),
        "kill_to_done_s": round(recovered_s, 1),
        "report_error": report.error,
    }


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="tollgate-faults-") as scratch:
        scratch = Path(scratch)
        fresh_database(args.database_url)
        empty_broker(args.broker_url)
        env = server_environment(
            args.database_url,
            DJANGO_MEDIA_ROOT=str(scratch / "media"),
            REPORTS_RENDER_TIMEOUT=str(RENDER_TIMEOUT_S),
        )
        # A real broker: tasks go to workers, not run in-process.
        env.update(CELERY_BROKER_URL=args.broker_url, CELERY_RESULT_BACKEND="")
        configure(env)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        # Its stdout lists the demo logins: not part of the JSON.
        call_command("seed_demo", "--allow-production", stdout=io.StringIO())
        results = {"report_worker_killed": report_worker_killed(env, scratch)}
        from django.db import connection

        connection.close()
    results["ok"] = all(result["ok"] for result in results.values())
    print(json.dumps(results, indent=2))
    sys.exit(0 if results["ok"] else 1)


if __name__ == "__main__":
    main()
