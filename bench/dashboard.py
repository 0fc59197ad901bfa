"""Leadership dashboards at scale: page times through a real server, against their SQL.

    .venv/bin/python bench/dashboard.py [--database-url URL] [--teams 1000]
                                        [--quarters 8] [--repeats 21]

Without --database-url the run seeds a throw-away SQLite file (`seed_scale`, about four
minutes for 1,000 teams × 8 quarters) in a temporary folder. With --database-url it
migrates that database and seeds it only when the organisation (`--org-slug`, default
`scale`) is not there yet, so a second run reuses the data: point it at a database
kept for benchmarks, never at one with real data.

`gunicorn config.wsgi` serves the pages with DEBUG off, as in production but for the
cache of a page's figures (apps/dashboards/memo.py), which is off: every request reads
its frames, as the first one after a change of data does. One client signed in as the
organisation's executive (who reads every team) requests:

- the organisation dashboard (`/dashboards/`), unfiltered and filtered to one business
  unit, --repeats times each after a warm-up;
- team pages (`/dashboards/teams/<id>/`), --repeats of them over different teams.

The floor is the SQL those pages run: each page is requested once in this process
with every statement recorded (with its parameters), and the statements are then run
again, raw, on one connection, fetching every row, --repeats times. The ratio is the
page's median time over its SQL's median time.

It prints one JSON object: org_dashboard_ms (median), org_dashboard_p95_ms,
org_dashboard_sql_ms, org_dashboard_ratio, org_dashboard_filtered_ms, team_page_ms,
team_page_sql_ms, team_page_ratio, queries_per_page, the page sizes, the data's size and
which targets were met (org dashboard ≤ 500 ms at 1,000 teams, ratio ≤ 5).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

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

ORG_PAGE = "/dashboards/"
TEAM_PAGE = "/dashboards/teams/{}/"
ORG_PAGE_GOAL_MS = 500
RATIO_GOAL = 5


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--teams", type=int, default=1000)
    parser.add_argument("--quarters", type=int, default=8)
    parser.add_argument("--models-per-team", type=int, default=5)
    parser.add_argument("--org-slug", default="scale")
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--threads", type=int, default=4, help="per worker (gthread)")
    return parser.parse_args()


# --- Setup (in this process) ------------------------------------------------------------


def prepare(args) -> dict:
    """Collect the static files, migrate, and seed the organisation unless it is
    there. Returns whether it seeded and how long that took."""
    from django.core.management import call_command

    from apps.accounts.models import Organization

    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    if Organization.objects.filter(slug=args.org_slug).exists():
        return {"seeded": False}
    started = time.perf_counter()
    # A child process, as an operator runs it; its progress bars go to this stderr.
    subprocess.run(
        [
            str(VENV_BIN / "python"),
            "manage.py",
            "seed_scale",
            f"--teams={args.teams}",
            f"--quarters={args.quarters}",
            f"--models-per-team={args.models_per_team}",
            f"--org-slug={args.org_slug}",
        ],
        cwd=ROOT,
        env=os.environ,
        check=True,
        stdout=sys.stderr,
    )
    return {"seeded": True, "seed_s": round(time.perf_counter() - started, 1)}


def data_size(slug: str) -> dict[str, int]:
    from apps.accounts.models import Team
    from apps.assessments.models import Assessment
    from apps.registry.models import RegisteredModel

    return {
        "teams": Team.objects.filter(business_unit__organization__slug=slug).count(),
        "assessments": Assessment.objects.filter(
            team__business_unit__organization__slug=slug
        ).count(),
        "models": RegisteredModel.objects.filter(organization__slug=slug).count(),
    }


def executive_session(slug: str) -> str:
    """A signed-in session for the organisation's executive, as the login form makes
    it (the bench has no password to type: seed_scale prints a random one)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from apps.accounts.models import User

    user = User.objects.get(username=f"{slug}.exec")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def pages(slug: str, repeats: int) -> tuple[str, list[str]]:
    """The filtered organisation page and `repeats` team pages (different teams)."""
    from apps.accounts.models import BusinessUnit, Team

    unit = BusinessUnit.objects.filter(organization__slug=slug).order_by("pk").first()
    filtered = f"{ORG_PAGE}?{urlencode({'business_unit': unit.pk})}"
    teams = Team.objects.filter(business_unit__organization__slug=slug).order_by("pk")
    step = max(1, teams.count() // repeats)
    ids = list(teams.values_list("pk", flat=True)[::step][:repeats])
    return filtered, [TEAM_PAGE.format(pk) for pk in ids]


# --- The floor: the pages' own SQL, replayed ------------------------------------------


@contextmanager
def recorded_statements():
    """Every statement the default connection runs inside, with its parameters."""
    from django.db import connection

    statements: list[tuple[str, object]] = []

    def record(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield statements


def page_statements(path: str, session_key: str) -> list[tuple[str, object]]:
    """The SQL one request for `path` runs, recorded through Django's own handler."""
    from django.conf import settings
    from django.test import Client as DjangoClient

    client = DjangoClient(HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    with recorded_statements() as statements:
        response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"GET {path} answered {response.status_code} in process")
    return statements


def replay_ms(statements: list[tuple[str, object]]) -> float:
    """Run the statements raw on one connection, fetching every row."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            if cursor.description is not None:
                cursor.fetchall()
    return (time.perf_counter() - started) * 1000


def sql_floor(path: str, session_key: str, repeats: int) -> tuple[int, float]:
    statements = page_statements(path, session_key)
    replay_ms(statements)  # warm the database's cache, as the server's runs are
    return len(statements), statistics.median(
        replay_ms(statements) for _ in range(repeats)
    )


# --- The pages, through the server --------------------------------------------------


def timed_gets(client: Client, url: str, paths: list[str]) -> tuple[list[float], int]:
    """Each path once, in order: the times in ms and the largest body in bytes."""
    times, largest = [], 0
    for path in paths:
        started = time.perf_counter()
        response = client.get(url + path)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}")
        largest = max(largest, len(response.body))
    return times, largest


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]


def measure(args, base: str, session_key: str, filtered: str, teams: list[str]):
    from django.conf import settings

    client = Client(
        timeout=120,
        headers={
            "Accept": "text/html",
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}",
        },
    )
    # Each worker process imports, connects and fills its caches on first use.
    warm = 2 * args.workers
    timed_gets(client, base, [ORG_PAGE] * warm + [filtered] * warm + teams[:warm])
    org, org_bytes = timed_gets(client, base, [ORG_PAGE] * args.repeats)
    unit, _ = timed_gets(client, base, [filtered] * args.repeats)
    team, team_bytes = timed_gets(client, base, teams)
    client.close()
    return org, org_bytes, unit, team, team_bytes


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="tollgate-bench-") as scratch:
        scratch = Path(scratch)
        url = args.database_url or f"sqlite:///{scratch / 'bench.sqlite3'}"
        # Pages link their static files through the manifest collectstatic writes.
        # The figures' cache off: each page reads its frames, as after a change of data.
        env = server_environment(
            url,
            DJANGO_STATIC_ROOT=str(scratch / "static"),
            DASHBOARDS_FIGURES_CACHE_SECONDS="0",
        )
        configure(env)
        seeding = prepare(args)
        session_key = executive_session(args.org_slug)
        filtered, teams = pages(args.org_slug, args.repeats)
        org_queries, org_sql = sql_floor(ORG_PAGE, session_key, args.repeats)
        team_queries, team_sql = sql_floor(teams[0], session_key, args.repeats)
        base = f"http://127.0.0.1:{free_port()}"
        command = gunicorn_command(
            "config.wsgi:application",
            bind=base.removeprefix("http://"),
            workers=args.workers,
            threads=args.threads,
        )
        server = start(command, env, scratch / "gunicorn.log", base + ORG_PAGE, {302})
        try:
            org, org_bytes, unit, team, team_bytes = measure(
                args, base, session_key, filtered, teams
            )
        finally:
            stop(server)
        from django.db import connection

        org_ms, team_ms = statistics.median(org), statistics.median(team)
        figures = {
            "org_dashboard_ms": round(org_ms, 1),
            "org_dashboard_p95_ms": round(p95(org), 1),
            "org_dashboard_sql_ms": round(org_sql, 1),
            "org_dashboard_ratio": round(org_ms / org_sql, 2),
            "org_dashboard_filtered_ms": round(statistics.median(unit), 1),
            "team_page_ms": round(team_ms, 1),
            "team_page_sql_ms": round(team_sql, 1),
            "team_page_ratio": round(team_ms / team_sql, 2),
            "queries_per_page": {
                "org_dashboard": org_queries,
                "team_page": team_queries,
            },
            "page_bytes": {"org_dashboard": org_bytes, "team_page": team_bytes},
            "repeats": args.repeats,
            "data": data_size(args.org_slug),
            "database_vendor": connection.vendor,
            "server": f"gunicorn gthread, {args.workers} workers x {args.threads} "
            "threads, DEBUG off",
            **seeding,
            "cpus": os.cpu_count(),
            "load_average_1m": round(os.getloadavg()[0], 2),
        }
        figures["targets_met"] = {
            f"org_dashboard_le_{ORG_PAGE_GOAL_MS}_ms": org_ms <= ORG_PAGE_GOAL_MS,
            f"org_dashboard_ratio_le_{RATIO_GOAL}": org_ms / org_sql <= RATIO_GOAL,
        }
        connection.close()
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
