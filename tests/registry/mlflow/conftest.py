"""A real MLflow tracking server for the sync tests, and helpers to seed it over REST.

The server starts once per session (`mlflow server` on SQLite, one worker, a free
port). If it does not answer /health in time, every test using it FAILS with the
server's stderr: the sync contract is not something to skip silently. Each test starts
from an empty registry (`mlflow` deletes every registered model first).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from apps.registry.mlflow import sync
from apps.registry.models import MlflowConnection

# Measured 25 s on an idle machine and 50 s with other suites running on two CPUs.
START_TIMEOUT_S = 120
TOKEN = "tg-test-token-8c1f2b7e5d9a4c36"
SHA = "ab" * 32
COMMIT = "0123456789abcdef0123456789abcdef01234567"

_startup: dict[str, float] = {}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_health(process: subprocess.Popen, url: str, stderr: Path) -> float:
    started = time.monotonic()
    while True:
        if process.poll() is not None:
            pytest.fail(
                f"mlflow server exited with {process.returncode}:\n"
                + stderr.read_text(errors="replace")[-4000:]
            )
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        if time.monotonic() - started > START_TIMEOUT_S:
            pytest.fail(
                f"mlflow server not healthy after {START_TIMEOUT_S} s:\n"
                + stderr.read_text(errors="replace")[-4000:]
            )
        time.sleep(0.25)


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory) -> Iterator[str]:
    """The tracking server's URL."""
    root = tmp_path_factory.mktemp("mlflow")
    stderr = root / "stderr.log"
    port = _free_port()
    command = [
        str(Path(sys.executable).with_name("mlflow")),
        "server",
        "--backend-store-uri",
        f"sqlite:///{root / 'mlflow.db'}",
        "--default-artifact-root",
        str(root / "artifacts"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    # The job runner (GenAI scorers) starts a dozen processes the registry never uses.
    env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"
    with stderr.open("wb") as err:
        # Its own process group: `mlflow server` runs uvicorn as a child process.
        process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=env,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _startup["seconds"] = _wait_for_health(process, url, stderr)
        yield url
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if "seconds" in _startup:
        terminalreporter.write_line(
            f"MLflow tracking server started in {_startup['seconds']:.1f} s."
        )


class MlflowSeed:
    """Writes to the test server the way users and CI jobs do, over its REST API."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=f"{url}/api/2.0/mlflow", timeout=10)

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = self.http.request(method, path, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()

    def clear(self) -> None:
        names = [
            m["name"]
            for m in self._call(
                "GET", "/registered-models/search", params={"max_results": 1000}
            ).get("registered_models", [])
        ]
        for name in names:
            self._call("DELETE", "/registered-models/delete", json={"name": name})

    def model(
        self, name: str, *, description: str = "", tags: dict[str, str] | None = None
    ) -> str:
        body = {"name": name, "description": description, "tags": _tags(tags or {})}
        self._call("POST", "/registered-models/create", json=body)
        return name

    def version(
        self,
        name: str,
        *,
        run_id: str = "",
        description: str = "",
        tags: dict[str, str] | None = None,
    ) -> str:
        body = {
            "name": name,
            "source": f"s3://models/{name}/artifacts",
            "run_id": run_id,
            "description": description,
            "tags": _tags(tags or {}),
        }
        return self._call("POST", "/model-versions/create", json=body)["model_version"][
            "version"
        ]

    def governed_version(self, name: str, **overrides: str) -> str:
        """A version carrying full lineage, so the import submits it."""
        tags = {"tollgate.artifact_sha256": SHA, "mlflow.source.git.commit": COMMIT}
        return self.version(name, run_id="run-" + name[:20], tags={**tags, **overrides})

    def set_alias(self, name: str, alias: str, version: str) -> None:
        body = {"name": name, "alias": alias, "version": version}
        self._call("POST", "/registered-models/alias", json=body)

    def aliases(self, name: str) -> dict[str, str]:
        data = self._call("GET", "/registered-models/get", params={"name": name})
        return {
            a["alias"]: a["version"]
            for a in data["registered_model"].get("aliases", [])
        }


def _tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"key": key, "value": value} for key, value in tags.items()]


@pytest.fixture
def mlflow(mlflow_server) -> Iterator[MlflowSeed]:
    """The test server, emptied of registered models."""
    seed = MlflowSeed(mlflow_server)
    seed.clear()
    yield seed
    seed.http.close()


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on."""
    return _free_port()


@pytest.fixture
def connection(registry, org, mlflow) -> MlflowConnection:
    """The org's connection to the test server, set up by its admin."""
    return sync.mlflow_connection_set(
        organization=org,
        tracking_uri=mlflow.url,
        token=TOKEN,
        default_team=registry.team,
        configured_by=registry.admin,
    )


def promote(registry, version, target: str = "production"):
    """Walk an imported (medium-tier, submitted) version through its promotion policy:
    model card accepted, two independent approvals, applied by the requester."""
    from apps.registry import promotion

    registry.evidence(version, "model_card")
    request = registry.request(version, target)
    request = registry.approve(request, *registry.approvers[:2])
    return promotion.promotion_apply(request=request, applied_by=registry.lead)
