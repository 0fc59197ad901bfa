"""Registry API throughput over HTTP, against a real gunicorn server.

    .venv/bin/python bench/registry.py [--database-url URL] [--workers 4] [--threads 2]
                                       [--mlflow] [--wsgi MODULE:APP]

By default the server runs on a throw-away SQLite file in a temporary folder (never
var/). With --database-url it runs on Django's test database next to the one named
(`test_<name>`), created for the run and dropped afterwards.

Setup, in this process through the services: migrate, one organisation with a team,
its lead, two approvers, the default promotion policies and a Bearer token for each
person. Then `gunicorn config.wsgi` serves the API with DEBUG off, as in production
(the per-user throttle is raised so that it runs but never refuses), and clients, one
per thread with keep-alive connections, drive it. Each mode (`sequential`: one client;
`concurrent_8`: eight threads) warms the workers up, makes its own models and times:

- create_model: POST models/ (low risk tier), --models of them;
- create_version: POST models/<id>/versions/ with full lineage, --versions per model;
- submit_version: POST versions/<id>/submit/ for the versions promoted next;
- request_and_apply_alias: one op is POST requests/ (open, by the lead), POST
  requests/<id>/decisions/ (approve: the low tier's policy needs one approval; the two
  approvers take turns) and POST requests/<id>/apply/ (the lead), moving `production`
  forward on --promotions versions, spread evenly over every model;
- get_by_alias: GET models/<id>/aliases/production/ over the models that hold it,
  --reads of them;
- search_versions: GET versions/?… (by model, commit prefix, alias and tier, status,
  artifact digest), --searches of them;
- floor: GET /api/v1/me/, the smallest authenticated DRF read (token lookup and the
  caller's roles, two queries; no single-row endpoint is smaller), --reads of them.

With --mlflow the same run also starts `mlflow server` (SQLite, 4 workers) and times
its version creates and reads by alias the same way: the issue's goals are relative to
MLflow, and a shared machine makes absolute rates move. Timings that are compared
(creates with MLflow's; reads with the floor and MLflow's) run in alternating chunks
of --chunk ops, so a change of load on the machine hits both sides alike.

--wsgi serves another WSGI application (with --gunicorn-arg=--pythonpath=DIR), e.g. a
module that switches a proposed change on, to measure it against the same workload.

It prints one JSON object: per mode and operation ops_per_s (ops over the phase's
wall clock), errors, p50_ms, p95_ms and p99_ms; floor_ops_per_s and
read_to_floor_ratio (get_by_alias / floor) per mode; MLflow's figures and the ratios
to them; and which targets were met.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import itertools
import json
import os
import secrets
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from _harness import (
    VENV_BIN,
    Client,
    Response,
    configure,
    free_port,
    gunicorn_command,
    server_environment,
    start,
    stop,
)

API = "/api/v1/registry/"
FLOOR_PATH = "/api/v1/me/"
MLFLOW_API = "/api/2.0/mlflow/"
THROTTLE = "1000000/min"
MODES = {"sequential": 1, "concurrent_8": 8}
# The issue's goals: 2.5x MLflow 3.17's reads by alias and 2x its version creates
# (measured there at ~60 and ~50/s on SQLite, one client: so 150 and 100/s), and reads
# within 70 % of the floor.
ISSUE_GOALS = {"get_by_alias": 150, "create_version": 100}
MLFLOW_FACTORS = {"get_by_alias": 2.5, "create_version": 2.0}
FLOOR_RATIO_GOAL = 0.7


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    # One process per CPU, and threads to overlap the waits: on 2 CPUs, 2 × 4 served
    # the floor 1.6× faster than 4 × 2, whose extra processes and GIL hand-offs cost
    # more CPU per request than they overlap.
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--threads", type=int, default=4, help="per worker (gthread)")
    parser.add_argument("--models", type=int, default=50)
    parser.add_argument("--versions", type=int, default=20, help="per model")
    parser.add_argument("--promotions", type=int, default=200)
    parser.add_argument("--reads", type=int, default=2000)
    parser.add_argument("--searches", type=int, default=500)
    parser.add_argument("--chunk", type=int, default=100, help="ops per turn")
    parser.add_argument("--warmup", type=int, default=64, help="requests per server")
    parser.add_argument("--mlflow", action="store_true", help="measure MLflow too")
    parser.add_argument(
        "--wsgi", default="config.wsgi:application", help="what gunicorn serves"
    )
    parser.add_argument(
        "--gunicorn-arg",
        action="append",
        default=[],
        help="one more gunicorn option, e.g. --gunicorn-arg=--pythonpath=/tmp/x",
    )
    return parser.parse_args()


# --- Setup (in this process) ------------------------------------------------------------


def create_database(use_test_database: bool) -> str:
    """Migrate; return the name of the database the server must use."""
    from django.core.management import call_command
    from django.db import connection

    if use_test_database:
        return connection.creation.create_test_db(verbosity=0, autoclobber=True)
    call_command("migrate", verbosity=0)
    return connection.settings_dict["NAME"]


def drop_database(use_test_database: bool) -> None:
    from django.db import connection

    if use_test_database:
        name = connection.settings_dict["NAME"].removeprefix("test_")
        connection.creation.destroy_test_db(name, verbosity=0)
    connection.close()


@dataclass(frozen=True)
class Fixture:
    team_id: int
    lead: str  # Bearer secrets
    approvers: tuple[str, ...]


def create_people() -> Fixture:
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from apps.accounts import services as accounts
    from apps.accounts.models import Role
    from apps.registry import services

    org = accounts.organization_create(name="Bench", slug="bench")
    unit = accounts.business_unit_create(organization=org, name="Unit", slug="unit")
    team = accounts.team_create(business_unit=unit, name="Models", slug="models")
    services.policy_defaults_install(organization=org)
    # The bench calls with tokens only: one random password, hashed once, for all.
    password_hash = make_password(secrets.token_urlsafe(32))

    def person(username: str, role: str, team=None) -> str:
        user = accounts.user_create(
            organization=org,
            username=username,
            email=f"{username}@bench.example",
            password_hash=password_hash,
        )
        accounts.membership_grant(user=user, role=role, team=team)
        return accounts.api_token_create(user=user, name="bench")[1]

    fixture = Fixture(
        team_id=team.pk,
        lead=person("lead", Role.TEAM_LEAD, team),
        approvers=(
            person("approver1", Role.APPROVER),
            person("approver2", Role.APPROVER),
        ),
    )
    connection.close()
    return fixture


# --- Servers ------------------------------------------------------------------------------


def start_gunicorn(env: dict, args, scratch: Path) -> tuple[subprocess.Popen, str]:
    base = f"http://127.0.0.1:{free_port()}"
    command = gunicorn_command(
        args.wsgi,
        bind=base.removeprefix("http://"),
        workers=args.workers,
        threads=args.threads,
        extra=args.gunicorn_arg,
    )
    log = scratch / "gunicorn.log"
    return start(command, env, log, base + FLOOR_PATH, {401, 403}), base


def start_mlflow(scratch: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [
        str(VENV_BIN / "mlflow"),
        "server",
        f"--backend-store-uri=sqlite:///{scratch / 'mlflow.sqlite3'}",
        f"--default-artifact-root={scratch / 'mlflow-artifacts'}",
        "--host=127.0.0.1",
        f"--port={port}",
        "--workers=4",
    ]
    env = {
        **os.environ,
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "DO_NOT_TRACK": "true",
        # Background jobs (the job runner and its consumers) serve no registry call.
        "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
    }
    base = f"http://127.0.0.1:{port}"
    return start(command, env, scratch / "mlflow.log", base + "/health", {200}), base


# --- Timing ---------------------------------------------------------------------------


@dataclass
class Phase:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    samples: list[str] = field(default_factory=list)
    results: list = field(default_factory=list)  # None where the op failed

    def add(self, other: Phase) -> None:
        self.latencies += other.latencies
        self.errors += other.errors
        self.seconds += other.seconds
        self.samples = (self.samples + other.samples)[:3]
        self.results += other.results

    def done(self) -> list:
        return [result for result in self.results if result is not None]

    def summary(self) -> dict:
        ops, ordered = len(self.latencies) + self.errors, sorted(self.latencies)

        def percentile(p: float) -> float | None:
            index = min(len(ordered) - 1, int(p * len(ordered)))
            return round(ordered[index], 2) if ordered else None

        result = {
            "ops": ops,
            "ops_per_s": round(ops / self.seconds, 1) if self.seconds else None,
            "errors": self.errors,
            "p50_ms": percentile(0.50),
            "p95_ms": percentile(0.95),
            "p99_ms": percentile(0.99),
        }
        if self.samples:
            result["error_samples"] = self.samples
        return result


class Failed(Exception):
    pass


def check(response: Response, expected: int = 200) -> dict:
    if response.status_code != expected:
        raise Failed(
            f"{response.method} {response.path} {response.status_code}: "
            f"{response.text[:200]}"
        )
    return response.json()


Job = Callable[[Client], object]


def run_phase(clients: list[Client], jobs: list[Job]) -> Phase:
    """Run the jobs on one thread per client; time each job and the whole."""
    phase, lock = Phase(results=[None] * len(jobs)), threading.Lock()
    indexes = itertools.count()

    def worker(client: Client) -> None:
        latencies, errors, samples = [], 0, []
        while (i := next(indexes)) < len(jobs):
            started = time.perf_counter()
            try:
                phase.results[i] = jobs[i](client)
                latencies.append((time.perf_counter() - started) * 1000)
            except (Failed, OSError, http.client.HTTPException) as exc:
                errors += 1
                samples.append(str(exc)[:300])
        with lock:
            phase.latencies += latencies
            phase.errors += errors
            phase.samples = (phase.samples + samples)[:3]

    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - started
    return phase


def interleave(clients, jobs: dict[str, list[Job]], chunk: int) -> dict[str, Phase]:
    """Run the lists chunk by chunk in turn: load on the machine hits them alike."""
    phases = {name: Phase() for name in jobs}
    for first in range(0, max(len(items) for items in jobs.values()), chunk):
        for name, items in jobs.items():
            if items[first : first + chunk]:
                phases[name].add(run_phase(clients, items[first : first + chunk]))
    return phases


# --- Operations -----------------------------------------------------------------------


def lineage(model: str, n: int) -> dict:
    digest = hashlib.sha256(f"{model}:{n}".encode()).hexdigest()
    return {
        "source_uri": f"s3://bench-models/{model}/{n}/",
        "artifact_sha256": digest,
        "code_commit": digest[:40],
        "repository": f"https://git.example.com/bench/{model}",
        "run_ref": f"runs:/{digest[:32]}",
        "dataset_refs": [f"s3://bench-lake/{model}/train@2026-0{n % 9 + 1}-01"],
        "metrics": {"auc": round(0.7 + n / 100, 3), "recall": 0.61},
        "model_card": {"intended_use": "Benchmark model.", "limitations": "None."},
    }


class Tollgate:
    """The registry API calls, as jobs for run_phase."""

    def __init__(self, base: str, fixture: Fixture):
        self.api, self.team = base + API, fixture.team_id
        self.lead = {"Authorization": f"Bearer {fixture.lead}"}
        self.approvers = [{"Authorization": f"Bearer {a}"} for a in fixture.approvers]
        self.floor_url = base + FLOOR_PATH

    def create_model(self, name: str) -> Job:
        body = {
            "team": self.team,
            "name": name,
            "risk_tier": "low",
            "purpose": "Bench.",
        }
        url = self.api + "models/"
        return lambda c: check(c.post(url, json=body, headers=self.lead), 201)["id"]

    def create_version(self, model_id: int, n: int) -> Job:
        body, url = lineage(str(model_id), n), f"{self.api}models/{model_id}/versions/"
        return lambda c: check(c.post(url, json=body, headers=self.lead), 201)

    def submit(self, version_id: int) -> Job:
        url = f"{self.api}versions/{version_id}/submit/"
        return lambda c: check(c.post(url, headers=self.lead))

    def promote(self, version: dict, turn: int) -> Job:
        approver = self.approvers[turn % len(self.approvers)]
        body = {
            "version": version["id"],
            "target": "production",
            "justification": "Beats the champion on recall.",
        }

        def job(c: Client) -> int:
            opened = check(
                c.post(self.api + "requests/", json=body, headers=self.lead), 201
            )
            url = f"{self.api}requests/{opened['id']}/"
            decided = check(
                c.post(url + "decisions/", json={"approve": True}, headers=approver)
            )
            if decided["status"] != "approved":
                raise Failed(f"request {opened['id']} is {decided['status']}")
            check(c.post(url + "apply/", json={}, headers=self.lead))
            return version["model"]["id"]

        return job

    def get_by_alias(self, model_id: int) -> Job:
        url = f"{self.api}models/{model_id}/aliases/production/"
        return lambda c: check(c.get(url, headers=self.lead))

    def search(self, params: dict) -> Job:
        url = self.api + "versions/"
        return lambda c: check(c.get(url, params=params, headers=self.lead))

    def floor(self) -> Job:
        return lambda c: check(c.get(self.floor_url, headers=self.lead))


class Mlflow:
    """The same operations on MLflow's REST API (no authentication, as it ships)."""

    def __init__(self, base: str):
        self.api = base + MLFLOW_API

    def create_model(self, name: str) -> Job:
        url = self.api + "registered-models/create"
        return lambda c: check(c.post(url, json={"name": name}))["registered_model"]

    def create_version(self, name: str, n: int) -> Job:
        content = lineage(name, n)
        tags = [
            {"key": k, "value": str(content[k])}
            for k in ("artifact_sha256", "code_commit")
        ]
        body = {"name": name, "source": content["source_uri"], "tags": tags}
        url = self.api + "model-versions/create"
        return lambda c: check(c.post(url, json=body))

    def set_alias(self, name: str, version: int) -> Job:
        body = {"name": name, "alias": "production", "version": str(version)}
        return lambda c: check(c.post(self.api + "registered-models/alias", json=body))

    def get_by_alias(self, name: str) -> Job:
        params = {"name": name, "alias": "production"}
        url = self.api + "registered-models/alias"
        return lambda c: check(c.get(url, params=params))

    def warm(self) -> Job:
        return lambda c: check(c.get(self.api + "registered-models/search"))


# --- One mode -------------------------------------------------------------------------


def search_params(models: list[int], versions: list[dict], i: int) -> dict:
    version = versions[(i * 7919) % len(versions)]
    return [
        {"model": models[i % len(models)]},
        {"code_commit": version["code_commit"][:12]},
        {"alias": "production", "risk_tier": "low"},
        {"status": "active"},
        {"artifact_sha256": version["artifact_sha256"]},
    ][i % 5]


def run_mode(mode: str, clients, tg: Tollgate, ml: Mlflow | None, args) -> dict:
    phases: dict[str, Phase] = {}
    warm = [tg.floor()] * args.warmup + ([ml.warm()] * args.warmup if ml else [])
    run_phase(clients, warm)
    names = [f"{mode}-{i:03d}" for i in range(args.models)]
    phases["create_model"] = run_phase(clients, [tg.create_model(n) for n in names])
    models = phases["create_model"].done()
    # Round-robin over the models, so concurrent creates rarely queue on one model.
    creates = {
        "create_version": [
            tg.create_version(m, n) for n in range(1, args.versions + 1) for m in models
        ]
    }
    if ml:
        run_phase(clients, [ml.create_model(name) for name in names])
        creates["mlflow_create_version"] = [
            ml.create_version(name, n)
            for n in range(1, args.versions + 1)
            for name in names
        ]
    phases.update(interleave(clients, creates, args.chunk))
    phases.update(promote(clients, tg, phases["create_version"].done(), args))
    held = sorted(set(phases["request_and_apply_alias"].done())) or models
    reads = {
        "floor": [tg.floor() for _ in range(args.reads)],
        "get_by_alias": [
            tg.get_by_alias(held[i % len(held)]) for i in range(args.reads)
        ],
    }
    if ml:
        run_phase(clients, [ml.set_alias(name, args.versions) for name in names])
        reads["mlflow_get_by_alias"] = [
            ml.get_by_alias(names[i % len(names)]) for i in range(args.reads)
        ]
    phases.update(interleave(clients, reads, args.chunk))
    versions = phases["create_version"].done()
    searches = [
        tg.search(search_params(models, versions, i)) for i in range(args.searches)
    ]
    phases["search_versions"] = run_phase(clients, searches)
    return summarise(phases)


def promote(clients, tg: Tollgate, versions: list[dict], args) -> dict[str, Phase]:
    """Submit and promote --promotions versions, as many of each model, evenly spread
    over its versions, each model's in order: `production` moves forward."""
    by_model: dict[int, list[dict]] = {}
    for version in sorted(versions, key=lambda v: v["id"]):
        by_model.setdefault(version["model"]["id"], []).append(version)
    per_model = max(1, args.promotions // max(1, len(by_model)))
    chosen = []
    for model_versions in by_model.values():
        step = max(1, len(model_versions) // per_model)
        chosen += model_versions[step - 1 :: step][:per_model]
    chosen.sort(key=lambda v: v["id"])
    chosen = chosen[: args.promotions]
    submitted = run_phase(clients, [tg.submit(v["id"]) for v in chosen])
    jobs = [tg.promote(v, turn) for turn, v in enumerate(chosen)]
    return {
        "submit_version": submitted,
        "request_and_apply_alias": run_phase(clients, jobs),
    }


def summarise(phases: dict[str, Phase]) -> dict:
    result = {name: phase.summary() for name, phase in phases.items()}
    floor = result.pop("floor")
    result["floor_ops_per_s"] = floor["ops_per_s"]
    result["floor_p50_ms"] = floor["p50_ms"]
    result["floor_errors"] = floor["errors"]
    reads = result["get_by_alias"]["ops_per_s"]
    result["read_to_floor_ratio"] = round(reads / floor["ops_per_s"], 3)
    if "mlflow_get_by_alias" in result:
        result["vs_mlflow"] = {
            op: round(result[op]["ops_per_s"] / result[f"mlflow_{op}"]["ops_per_s"], 2)
            for op in MLFLOW_FACTORS
        }
    return result


def targets(modes: dict) -> dict:
    sequential = modes["sequential"]
    met = {
        f"{op}_sequential_ge_{goal}_per_s": sequential[op]["ops_per_s"] >= goal
        for op, goal in ISSUE_GOALS.items()
    }
    for mode, figures in modes.items():
        met[f"read_to_floor_ratio_{mode}_ge_{FLOOR_RATIO_GOAL}"] = (
            figures["read_to_floor_ratio"] >= FLOOR_RATIO_GOAL
        )
        for op, ratio in figures.get("vs_mlflow", {}).items():
            factor = MLFLOW_FACTORS[op]
            met[f"{op}_{mode}_ge_{factor}x_mlflow"] = ratio >= factor
    return met


# --- Run ----------------------------------------------------------------------------------


def run_all(args, tollgate_base: str, mlflow_base: str | None, fixture) -> dict:
    from django.db import connection

    tg = Tollgate(tollgate_base, fixture)
    ml = Mlflow(mlflow_base) if mlflow_base else None
    modes = {}
    for mode, threads in MODES.items():
        clients = [Client(timeout=60) for _ in range(threads)]
        try:
            modes[mode] = run_mode(mode, clients, tg, ml, args)
        finally:
            for client in clients:
                client.close()
    return {
        "server": f"gunicorn gthread, {args.workers} workers x {args.threads} threads",
        "wsgi": args.wsgi,
        "database_vendor": connection.vendor,
        "floor_endpoint": f"GET {FLOOR_PATH}",
        "throttle_user_rate": THROTTLE,
        "mlflow": f"mlflow server {metadata.version('mlflow')}, SQLite, 4 workers"
        if ml
        else None,
        "models_per_mode": args.models,
        "versions_per_model": args.versions,
        "modes": modes,
        "targets_met": targets(modes),
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="tollgate-bench-") as scratch:
        scratch = Path(scratch)
        url = args.database_url or f"sqlite:///{scratch / 'bench.sqlite3'}"
        env = server_environment(url, API_THROTTLE_USER=THROTTLE)
        configure(env)
        use_test_database = bool(args.database_url)
        name = create_database(use_test_database)
        servers = []
        try:
            fixture = create_people()
            if use_test_database:
                parts = urlsplit(url)
                env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
            gunicorn, tollgate_base = start_gunicorn(env, args, scratch)
            servers.append(gunicorn)
            mlflow_base = None
            if args.mlflow:
                mlflow, mlflow_base = start_mlflow(scratch)
                servers.append(mlflow)
            figures = run_all(args, tollgate_base, mlflow_base, fixture)
        finally:
            for server in servers:
                stop(server)
            drop_database(use_test_database)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
