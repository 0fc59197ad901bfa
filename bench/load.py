"""Load: a busy organisation through a real deployment, then the deployment's ceiling.

    .venv/bin/python bench/load.py [--database-url URL] [--broker-url URL] [--reuse]
                                   [--teams 200] [--quarters 4] [--users 50]
                                   [--duration 60] [--pause 1.0]
                                   [--saturation-duration 30]

It needs PostgreSQL and Redis, the production stack. The database named by
--database-url (default `tollgate_load` on the local server) is dropped and created
again, migrated and seeded with `seed_scale --teams 200 --quarters 4` (a few minutes;
`--teams 1000` is the full scale of the issue, and takes several times longer). With
--reuse an existing database is kept, and seeded only if the organisation `scale` is
missing: versions written by earlier runs stay in it. The Redis database of
--broker-url (default 14) is emptied and serves as the broker and as the cache (the
API's rate limits count there): never point either at data you keep.

The deployment: `gunicorn config.wsgi` (2 workers x 4 gthread threads, timeout 30 s,
DEBUG off, the production throttle of 1,200 requests/min per user) and one Celery
worker (`celery -A config worker -Q default,scans,reports`, concurrency 1), each in its
own process group, stopped at the end. Nothing in the mix queues a task: the worker is
there, idle, as in production. The dashboards' caches are on, as in production: the
versions the mix registers change no figure (apps/audit/services.py), so after its
first request a dashboard page is drawn from the cache until other data changes.

Each virtual user is two people of the organisation: the lead of one team (seeded;
teams that hold a `production` alias, spread evenly) calling the API with a Bearer
token, and an executive who is also an auditor (`scale.loadNNN`, made once) with a
token for the audit log and a signed-in session for the HTML pages. Each user loops:
pick a request from MIX (weights out of 100), send it on its own keep-alive connection,
then, in the paced run, sleep 0.5 to 1.5 x --pause (uniform; a random first wait
staggers the start). One pass over every request, untimed, warms the workers first
and must answer 200/201 everywhere. Then:

- paced run, --duration s: the offered load is about users / pause requests/s;
- saturation run, --saturation-duration s: the same users without pauses (a closed
  loop of --users concurrent requests). saturation_requests_per_s is the requests
  started in the run over its length (so sustained for all of it); the answers per
  second in each 10 s window are listed next to it, to show that it held.

An error is an exception or any status outside 2xx/3xx (a 4xx to a correct request is
one). Latencies are of the requests that succeeded; a run's rate counts the requests
started in it. After both runs, `manage.py audit_verify` checks every chain, and the
versions the API acknowledged (201) are matched with their `model_version.created`
audit events: none may be missing.

It prints one JSON object: requests_per_s, errors, api_read_p95_ms (over every API read
of the paced run), endpoints (count, errors, p50/p95/p99 ms per request kind),
saturation_requests_per_s, saturation_errors, saturation_endpoints, audit_verify
("ok" or the broken chains), the writes' audit, per run the CPU this client and the
servers' process groups (gunicorn, Celery; not PostgreSQL nor Redis) spent per request
and the share of the machine that was busy (anything on it: the client shares the
CPUs with the servers), cpu_reference_ms before and after (the CPU time of a fixed
Python loop: this shared machine's speed moves, so compare runs with it), the setup,
and targets_met (no errors in either run, API
reads' p95 <= 150 ms paced, a valid chain, every acknowledged write audited).
"""

from __future__ import annotations

import argparse
import http.client
import io
import itertools
import json
import os
import random
import secrets
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from _harness import (
    Client,
    Response,
    configure,
    cpu_reference_ms,
    free_port,
    group_cpu_seconds,
    gunicorn_command,
    machine_cpu_busy_seconds,
    server_environment,
    start,
    stop,
)

# The other benchmarks' setup, reused as it is: seeding (dashboard), a fresh database
# and a worker (faults), latency summaries and version content (registry).
from dashboard import data_size, prepare
from faults import empty_broker, fresh_database, start_worker
from registry import Phase, lineage

ORG_PAGE = "/dashboards/"
# Request kinds and their weights (out of 100): what a busy organisation does most.
MIX = {
    "org_dashboard": 2,
    "team_dashboard": 8,
    "assessment_list": 10,
    "assessment_detail": 15,
    "registry_alias": 20,
    "registry_search": 15,
    "registry_write": 10,
    "audit_list": 20,
}
API_READS = {
    "assessment_list",
    "assessment_detail",
    "registry_alias",
    "registry_search",
    "audit_list",
}
API_READ_P95_GOAL_MS = 150
WINDOW_S = 10
WORKERS, THREADS = 2, 4


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/tollgate_load"
    )
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--reuse", action="store_true", help="keep a seeded database")
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--quarters", type=int, default=4)
    parser.add_argument("--models-per-team", type=int, default=5)
    parser.add_argument("--org-slug", default="scale")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60, help="paced run, s")
    parser.add_argument("--pause", type=float, default=1.0, help="mean think time, s")
    parser.add_argument("--saturation-duration", type=float, default=30)
    return parser.parse_args()


# --- Setup (in this process) ------------------------------------------------------------


def database_exists(url: str) -> bool:
    import psycopg

    parts = urlsplit(url)
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        query = "SELECT 1 FROM pg_database WHERE datname = %s"
        return (
            connection.execute(query, [parts.path.lstrip("/")]).fetchone() is not None
        )


@dataclass(frozen=True)
class Persona:
    """One virtual user's people (Bearer secrets, a session key) and objects."""

    lead: str
    reader: str
    session_key: str
    team_id: int
    model_ids: tuple[int, ...]
    assessment_ids: tuple[int, ...]


def aliased_models(slug: str) -> dict[int, list[int]]:
    """Team id -> its active models that hold `production`."""
    from apps.registry.models import Alias, RegisteredModel

    rows = Alias.objects.filter(
        model__organization__slug=slug,
        name="production",
        model__status=RegisteredModel.Status.ACTIVE,
    ).values_list("model__team_id", "model_id")
    models: dict[int, list[int]] = {}
    for team_id, model_id in rows.order_by("model_id"):
        models.setdefault(team_id, []).append(model_id)
    return models


def reader(org, index: int, password_hash: str):
    """The executive and auditor `<slug>.loadNNN`, made on first use."""
    from apps.accounts import services as accounts
    from apps.accounts.models import Role, User

    username = f"{org.slug}.load{index:03d}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = accounts.user_create(
            organization=org,
            username=username,
            email=f"{username}@{org.slug}.example",
            password_hash=password_hash,
        )
        for role in (Role.EXECUTIVE, Role.AUDITOR):
            accounts.membership_grant(user=user, role=role)
    return user


def signed_in(user) -> str:
    """A session key for `user`, as the login form makes it."""
    from django.conf import settings
    from django.test import Client as DjangoClient

    client = DjangoClient()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def personas(slug: str, count: int) -> list[Persona]:
    from django.contrib.auth.hashers import make_password

    from apps.accounts import services as accounts
    from apps.accounts.models import Organization, Team, User
    from apps.assessments.models import Assessment

    org = Organization.objects.get(slug=slug)
    # The bench signs in with tokens and sessions: one random password, hashed once.
    password_hash = make_password(secrets.token_urlsafe(32))
    models = aliased_models(slug)
    team_ids = sorted(models)
    step = max(1, len(team_ids) // count)
    # More users than teams: teams (and their leads) are shared, round robin.
    chosen = list(itertools.islice(itertools.cycle(team_ids[::step]), count))
    result = []
    for index, team_id in enumerate(chosen):
        team = Team.objects.get(pk=team_id)
        lead = User.objects.get(username=f"{slug}.{team.slug}.lead")
        person = reader(org, index, password_hash)
        assessments = Assessment.objects.filter(team=team).order_by("pk")
        result.append(
            Persona(
                lead=accounts.api_token_create(user=lead, name="load")[1],
                reader=accounts.api_token_create(user=person, name="load")[1],
                session_key=signed_in(person),
                team_id=team_id,
                model_ids=tuple(models[team_id]),
                assessment_ids=tuple(assessments.values_list("pk", flat=True)),
            )
        )
    return result


def audit_head(slug: str) -> int:
    from apps.audit.models import AuditEvent

    events = AuditEvent.objects.filter(chain__organization__slug=slug)
    return events.order_by("-seq").values_list("seq", flat=True).first() or 0


# --- Virtual users ------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    name: str
    ms: float
    done: float  # time.monotonic() when the answer was in
    error: str | None


@dataclass
class VirtualUser:
    """One person's requests, each kind a method named as in MIX."""

    base: str
    persona: Persona
    rng: random.Random
    client: Client = field(default_factory=lambda: Client(timeout=60))
    created: list[int] = field(default_factory=list)  # versions acknowledged
    writes: itertools.count = field(default_factory=itertools.count)

    def __post_init__(self) -> None:
        from django.conf import settings

        cookie = f"{settings.SESSION_COOKIE_NAME}={self.persona.session_key}"
        self.page = {"Accept": "text/html", "Cookie": cookie}
        self.lead = {"Authorization": f"Bearer {self.persona.lead}"}
        self.reader = {"Authorization": f"Bearer {self.persona.reader}"}
        self.api = self.base + "/api/v1/"

    def pick(self, items) -> object:
        return self.rng.choice(items)

    def org_dashboard(self) -> Response:
        return self.client.get(self.base + ORG_PAGE, headers=self.page)

    def team_dashboard(self) -> Response:
        url = f"{self.base}{ORG_PAGE}teams/{self.persona.team_id}/"
        return self.client.get(url, headers=self.page)

    def assessment_list(self) -> Response:
        params = {"team": self.persona.team_id}
        url = self.api + "assessments/"
        return self.client.get(url, params=params, headers=self.lead)

    def assessment_detail(self) -> Response:
        url = f"{self.api}assessments/{self.pick(self.persona.assessment_ids)}/"
        return self.client.get(url, headers=self.lead)

    def registry_alias(self) -> Response:
        model = self.pick(self.persona.model_ids)
        url = f"{self.api}registry/models/{model}/aliases/production/"
        return self.client.get(url, headers=self.lead)

    def registry_search(self) -> Response:
        model = self.pick(self.persona.model_ids)
        params = self.pick([{"model": model}, {"alias": "production"}])
        url = self.api + "registry/versions/"
        return self.client.get(url, params=params, headers=self.lead)

    def registry_write(self) -> Response:
        model = self.pick(self.persona.model_ids)
        body = lineage(f"load-{model}", next(self.writes))
        url = f"{self.api}registry/models/{model}/versions/"
        response = self.client.post(url, json=body, headers=self.lead)
        if response.status_code == 201:
            self.created.append(response.json()["id"])
        return response

    def audit_list(self) -> Response:
        return self.client.get(self.api + "audit/events/", headers=self.reader)

    def send(self, name: str) -> Sample:
        started = time.perf_counter()
        try:
            response = getattr(self, name)()
            error = None
            if not 200 <= response.status_code < 400:
                error = f"{response.status_code}: {response.text[:200]}"
        except (OSError, http.client.HTTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"
        done = time.monotonic()
        return Sample(name, (time.perf_counter() - started) * 1000, done, error)

    def loop(self, deadline: float, pause: float, out: list[Sample]) -> None:
        names, weights = list(MIX), list(MIX.values())
        if pause:
            time.sleep(self.rng.uniform(0, pause))
        while time.monotonic() < deadline:
            out.append(self.send(self.rng.choices(names, weights)[0]))
            if pause:
                time.sleep(self.rng.uniform(0.5, 1.5) * pause)


def in_threads(users: list[VirtualUser], target) -> None:
    threads = [threading.Thread(target=target, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def warm_up(users: list[VirtualUser]) -> None:
    """Every user sends every kind once; each must answer 200 (201 for the write)."""
    failures: list[str] = []

    def each(user: VirtualUser) -> None:
        for name in MIX:
            sample = user.send(name)
            if sample.error:
                failures.append(f"{name} {sample.error}")

    in_threads(users, each)
    if failures:
        raise SystemExit("warm-up failed:\n" + "\n".join(failures[:5]))


@dataclass
class Run:
    samples: list[Sample]
    seconds: float
    started: float
    elapsed: float  # until the last answer, after `seconds`
    client_cpu_s: float
    server_cpu_s: float
    machine_cpu_s: float


def run(users: list[VirtualUser], seconds: float, pause: float, groups) -> Run:
    """All users at once for `seconds`; the CPU this process, the servers' process
    groups and the machine spent meanwhile."""
    per_user: dict[int, list[Sample]] = {id(user): [] for user in users}
    cpu = (time.process_time(), sum(map(group_cpu_seconds, groups)))
    machine, started = machine_cpu_busy_seconds(), time.monotonic()
    deadline = started + seconds
    in_threads(users, lambda user: user.loop(deadline, pause, per_user[id(user)]))
    return Run(
        samples=[sample for samples in per_user.values() for sample in samples],
        seconds=seconds,
        started=started,
        elapsed=time.monotonic() - started,
        client_cpu_s=time.process_time() - cpu[0],
        server_cpu_s=sum(map(group_cpu_seconds, groups)) - cpu[1],
        machine_cpu_s=machine_cpu_busy_seconds() - machine,
    )


# --- Figures ----------------------------------------------------------------------------


def latency(samples: list[Sample], seconds: float) -> dict:
    """count, errors, p50/p95/p99 ms (of the successes) and the first errors."""
    errors = [sample.error for sample in samples if sample.error]
    phase = Phase(
        latencies=[sample.ms for sample in samples if not sample.error],
        errors=len(errors),
        seconds=seconds,
        samples=errors[:3],
    )
    summary = phase.summary()
    return {"count": summary.pop("ops"), **summary}


def endpoints(outcome: Run) -> dict[str, dict]:
    return {
        name: latency([s for s in outcome.samples if s.name == name], outcome.seconds)
        for name in MIX
    }


def cost(outcome: Run, cpus: int) -> dict:
    requests = max(1, len(outcome.samples))
    wall = outcome.elapsed * cpus
    return {
        "client_cpu_ms_per_request": round(outcome.client_cpu_s * 1000 / requests, 2),
        "client_cpu_share": round(outcome.client_cpu_s / wall, 3),
        "servers_cpu_ms_per_request": round(outcome.server_cpu_s * 1000 / requests, 2),
        "machine_cpu_busy_share": round(outcome.machine_cpu_s / wall, 3),
    }


def windows(outcome: Run) -> list[float]:
    """Requests answered in each whole WINDOW_S window of the run (the whole run if
    shorter), per second."""
    width = min(WINDOW_S, outcome.seconds)
    counts = [0] * int(outcome.seconds // width)
    for sample in outcome.samples:
        index = int((sample.done - outcome.started) // width)
        if index < len(counts):
            counts[index] += 1
    return [round(count / width, 1) for count in counts]


def paced_figures(outcome: Run, args, cpus: int) -> dict:
    reads = [s for s in outcome.samples if s.name in API_READS]
    return {
        "requests_per_s": round(len(outcome.samples) / outcome.seconds, 1),
        "offered_requests_per_s": round(args.users / args.pause, 1),
        "errors": sum(1 for s in outcome.samples if s.error),
        "api_read_p95_ms": latency(reads, outcome.seconds)["p95_ms"],
        "endpoints": endpoints(outcome),
        "paced_cost": cost(outcome, cpus),
    }


def saturation_figures(outcome: Run, cpus: int) -> dict:
    return {
        "saturation_requests_per_s": round(len(outcome.samples) / outcome.seconds, 1),
        "saturation_window_requests_per_s": windows(outcome),
        "saturation_errors": sum(1 for s in outcome.samples if s.error),
        "saturation_endpoints": endpoints(outcome),
        "saturation_cost": cost(outcome, cpus),
    }


def audit_verify() -> str:
    """`manage.py audit_verify` over every chain: "ok", or its lines for the broken."""
    from django.core.management import call_command

    out = io.StringIO()
    try:
        call_command("audit_verify", stdout=out)
    except SystemExit:
        broken = [line for line in out.getvalue().splitlines() if "BROKEN" in line]
        return "; ".join(broken) or out.getvalue()
    return "ok"


def writes_audited(slug: str, after_seq: int, users: list[VirtualUser]) -> dict:
    """The versions the API acknowledged, against their audit events."""
    from apps.audit.models import AuditEvent

    acknowledged = {str(pk) for user in users for pk in user.created}
    audited = set(
        AuditEvent.objects.filter(
            chain__organization__slug=slug,
            seq__gt=after_seq,
            action="model_version.created",
        ).values_list("object_id", flat=True)
    )
    return {
        "acknowledged": len(acknowledged),
        "audited": len(audited),
        "acknowledged_without_event": len(acknowledged - audited),
    }


# --- Run ----------------------------------------------------------------------------------


def environment(args, scratch: Path) -> dict[str, str]:
    env = server_environment(
        args.database_url, DJANGO_STATIC_ROOT=str(scratch / "static")
    )
    # A real broker and a shared cache, on the same (emptied) Redis database.
    env.update(
        CELERY_BROKER_URL=args.broker_url,
        CELERY_RESULT_BACKEND="",
        CACHE_URL=args.broker_url,
    )
    return env


def wait_for_worker(worker, timeout: float = 120) -> None:
    """Until the worker answers a ping: its start-up is not part of a run."""
    from config.celery import app

    deadline = time.monotonic() + timeout
    while not app.control.ping(timeout=1):
        if worker.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the Celery worker did not start")


def measure(args, base: str, people: list[Persona], groups, cpus: int) -> tuple:
    users = [
        VirtualUser(base, persona, random.Random(index))
        for index, persona in enumerate(people)
    ]
    load_before = round(os.getloadavg()[0], 2)
    reference_before = cpu_reference_ms()
    try:
        warm_up(users)
        paced = run(users, args.duration, args.pause, groups)
        saturated = run(users, args.saturation_duration, 0, groups)
    finally:
        for user in users:
            user.client.close()
    return users, {
        **paced_figures(paced, args, cpus),
        **saturation_figures(saturated, cpus),
        "load_average_1m_before": load_before,
        "cpu_reference_ms_before": reference_before,
        "cpu_reference_ms_after": cpu_reference_ms(),
    }


def serve(args, env: dict, scratch: Path, people: list[Persona]) -> tuple:
    base = f"http://127.0.0.1:{free_port()}"
    command = gunicorn_command(
        "config.wsgi:application",
        bind=base.removeprefix("http://"),
        workers=WORKERS,
        threads=THREADS,
        extra=["--timeout=30"],
    )
    worker = start_worker(env, scratch / "worker.log")
    servers = [worker]
    try:
        servers.append(
            start(command, env, scratch / "gunicorn.log", base + "/healthz", {200})
        )
        wait_for_worker(worker)
        groups = [server.pid for server in servers]
        return measure(args, base, people, groups, os.cpu_count() or 1)
    finally:
        for server in reversed(servers):
            stop(server)


def setup(args) -> dict:
    """The database (fresh unless --reuse finds one), migrated and seeded."""
    if not (args.reuse and database_exists(args.database_url)):
        fresh_database(args.database_url)
    empty_broker(args.broker_url)
    return prepare(args)


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="tollgate-load-") as scratch:
        scratch = Path(scratch)
        env = environment(args, scratch)
        configure(env)
        seeding = setup(args)
        people = personas(args.org_slug, args.users)
        head = audit_head(args.org_slug)
        users, figures = serve(args, env, scratch, people)
        verified = audit_verify()
        writes = writes_audited(args.org_slug, head, users)
        from django.db import connection

        figures.update(
            audit_verify=verified,
            audit_writes=writes,
            users=args.users,
            pause_s=args.pause,
            duration_s=args.duration,
            saturation_duration_s=args.saturation_duration,
            mix=MIX,
            data=data_size(args.org_slug),
            **seeding,
            database_vendor=connection.vendor,
            server=f"gunicorn gthread, {WORKERS} workers x {THREADS} threads, "
            "timeout 30 s, DEBUG off; 1 Celery worker (concurrency 1); Redis cache",
            cpus=os.cpu_count(),
            load_average_1m_after=round(os.getloadavg()[0], 2),
        )
        figures["targets_met"] = targets(figures)
        connection.close()
    print(json.dumps(figures, indent=2))


def targets(figures: dict) -> dict[str, bool]:
    writes = figures["audit_writes"]
    return {
        "paced_zero_errors": figures["errors"] == 0,
        "saturation_zero_errors": figures["saturation_errors"] == 0,
        f"api_read_p95_le_{API_READ_P95_GOAL_MS}_ms": (
            figures["api_read_p95_ms"] is not None
            and figures["api_read_p95_ms"] <= API_READ_P95_GOAL_MS
        ),
        "audit_chain_valid": figures["audit_verify"] == "ok",
        "every_write_audited": writes["acknowledged_without_event"] == 0,
    }


if __name__ == "__main__":
    main()
