"""What the HTTP benchmarks share: server processes on free ports, and a client lean
enough not to steal the CPU of the servers it measures (they share the machine)."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"


def server_environment(database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a production-like server (DEBUG off) on `database_url`, for
    the servers and for this process's own setup through the services."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        # Plain HTTP on loopback.
        DJANGO_SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database_url,
        CACHE_URL="",
        CELERY_BROKER_URL="",
        LOG_LEVEL="WARNING",
        **settings,
    )
    return env


def configure(env: dict[str, str]) -> None:
    """Set this process up as Django with the servers' environment."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(command: list[str], env: dict, log: Path, probe: str, ready: set[int]):
    """Start a server; return it once `probe` answers with a status in `ready`."""
    with log.open("wb") as out:
        # A session of its own: stop() ends the server's whole process group (MLflow
        # starts helpers that outlive a killed parent).
        server = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"{command[0]} exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(probe, timeout=2).status_code in ready:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    stop(server)
    raise SystemExit(f"{command[0]} did not answer:\n{log.read_text()[-3000:]}")


def stop(server: subprocess.Popen) -> None:
    """TERM the server's process group (its id is the server's pid), then KILL it."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            return
        try:
            server.wait(timeout=30)
            time.sleep(1)  # helpers leave after the parent
        except subprocess.TimeoutExpired:
            continue


def gunicorn_command(
    wsgi: str, *, bind: str, workers: int, threads: int, extra: list[str] = ()
) -> list[str]:
    """gunicorn's threaded workers with keep-alive, as production runs them."""
    return [
        str(VENV_BIN / "gunicorn"),
        wsgi,
        f"--bind={bind}",
        f"--workers={workers}",
        f"--threads={threads}",
        "--worker-class=gthread",
        "--keep-alive=60",
        "--log-level=warning",
        *extra,
    ]


@dataclass(frozen=True)
class Response:
    method: str
    path: str
    status_code: int
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")

    def json(self):
        return json.loads(self.body)


class Client:
    """One keep-alive connection per server, on the standard library's http.client.

    The clients share the machine with the servers they measure, so they must cost
    little: httpx took 1.2 ms of CPU per request here, this 0.4 ms, and the difference
    went to the servers (more to the faster one, which makes more requests).
    """

    def __init__(self, timeout: float = 60, headers: dict[str, str] | None = None):
        self.timeout = timeout
        self.headers = {"Accept": "application/json", **(headers or {})}
        self.connections: dict[str, http.client.HTTPConnection] = {}

    def get(self, url: str, *, params=None, headers=None) -> Response:
        if params:
            url = f"{url}?{urllib.parse.urlencode(params)}"
        return self.request("GET", url, None, headers)

    def post(self, url: str, *, json=None, headers=None) -> Response:
        return self.request("POST", url, json, headers)

    def request(self, method: str, url: str, body, headers) -> Response:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        sent = {**self.headers, **(headers or {})}
        if body is not None:
            payload = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        else:
            payload = b""
        sent["Content-Length"] = str(len(payload))
        connection = self.connections.get(parts.netloc)
        reused = connection is not None
        if connection is None:
            connection = http.client.HTTPConnection(parts.netloc, timeout=self.timeout)
            self.connections[parts.netloc] = connection
        try:
            connection.request(method, path, payload, sent)
            response = connection.getresponse()
            content = response.read()
        except ConnectionError:  # http.client.RemoteDisconnected among them
            connection.close()
            if not reused:
                raise
            # The server closed the idle keep-alive connection (uvicorn does after
            # 5 s) before reading the request: send it again on a new one, as
            # httpx and browsers do.
            del self.connections[parts.netloc]
            return self.request(method, url, body, headers)
        except (OSError, http.client.HTTPException):
            connection.close()
            raise
        return Response(method, parts.path, response.status, content)

    def close(self) -> None:
        for connection in self.connections.values():
            connection.close()


def group_cpu_seconds(pgid: int) -> float:
    """CPU time (user + system, reaped children included) of the live processes in a
    process group, from /proc (Linux): a server's cost with its workers'."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # After the command's name, in parentheses: state, ppid, pgrp, ...
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process left meanwhile
            continue
        if int(fields[2]) == pgid:
            ticks += sum(int(value) for value in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_cpu_busy_seconds() -> float:
    """CPU time the whole machine spent not idle since boot, over all CPUs."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def cpu_reference_ms() -> float:
    """CPU milliseconds of a fixed pure-Python workload (median of 5): how fast this
    machine's CPUs are at the moment. A shared virtual machine's speed moves (twice
    as slow in the same afternoon, measured here), so runs are compared with it."""
    timings = []
    for _ in range(5):
        started = time.process_time()
        total = 0
        for number in range(1_000_000):
            total += number % 7
        timings.append((time.process_time() - started) * 1000)
    return round(statistics.median(timings), 1)
