"""The Procfile and the systemd units start real modules on the queues tasks go to."""

from __future__ import annotations

import importlib
import shlex

import pytest
from django.conf import settings

from config.celery import app as celery_app

UNITS = settings.BASE_DIR / "deploy" / "systemd"


def _commands() -> dict[str, list[str]]:
    """Each process's argv, from the Procfile (web, worker, beat) and the units."""
    commands = {}
    for line in (settings.BASE_DIR / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        commands[f"Procfile {name}"] = shlex.split(command)
    for unit in sorted(UNITS.glob("*.service")):
        (exec_start,) = [
            line
            for line in unit.read_text().splitlines()
            if line.startswith("ExecStart=")
        ]
        commands[unit.name] = shlex.split(exec_start.removeprefix("ExecStart="))
    return commands


def _by_program(program: str) -> list[list[str]]:
    return [argv for argv in _commands().values() if argv[0].endswith(program)]


def test_every_process_has_a_procfile_line_and_a_unit():
    assert {"Procfile web", "Procfile worker", "Procfile beat"} <= _commands().keys()
    assert {path.name for path in UNITS.glob("*.service")} == {
        "tollgate-web.service",
        "tollgate-worker.service",
        "tollgate-beat.service",
    }


def test_gunicorn_serves_the_wsgi_application():
    for argv in _by_program("gunicorn"):
        module, _, attribute = argv[1].partition(":")
        assert callable(
            getattr(importlib.import_module(module), attribute or "application")
        )


def test_workers_consume_every_queue_a_task_is_routed_to():
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    expected = routed | {settings.CELERY_TASK_DEFAULT_QUEUE}
    workers = [argv for argv in _by_program("celery") if "worker" in argv]

    assert len(workers) == 2
    for argv in workers:
        assert set(argv[argv.index("-Q") + 1].split(",")) == expected


@pytest.mark.parametrize("program", ["worker", "beat"])
def test_celery_commands_name_the_tollgate_app(program):
    commands = [argv for argv in _by_program("celery") if program in argv]

    assert len(commands) == 2
    for argv in commands:
        module = argv[argv.index("-A") + 1]
        assert importlib.import_module(module).celery_app is celery_app
