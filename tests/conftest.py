"""Shared fixtures: an organisation with people in every role, API clients, a worker."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Organization, Role, Team, User
from apps.core.db import APPEND_ONLY_TABLES
from apps.registry.db import REGISTRY_GUARDS
from tests.accounts.factories import (
    BusinessUnitFactory,
    MembershipFactory,
    OrganizationFactory,
    TeamFactory,
    UserFactory,
)

# --- Test selection -------------------------------------------------------------------


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests are deselected (not skipped) on SQLite, and said so."""
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if os.environ.get("TOLLGATE_REQUIRE_POSTGRES") and "postgresql" not in engine:
        raise pytest.UsageError(
            "TOLLGATE_REQUIRE_POSTGRES is set but DATABASE_URL is not PostgreSQL"
        )
    if "postgresql" in engine:
        return
    postgres_only = [item for item in items if item.get_closest_marker("postgres")]
    if postgres_only:
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]
        config.hook.pytest_deselected(items=postgres_only)
        config._tollgate_pg_deselected = len(postgres_only)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    count = getattr(config, "_tollgate_pg_deselected", 0)
    if count:
        terminalreporter.write_line(
            f"{count} PostgreSQL-only tests deselected on SQLite; .ci/run runs them on PostgreSQL."
        )


# --- Append-only triggers vs. transactional tests ---------------------------------------


def pytest_configure(config):
    """Transactional tests end with a flush, which the history triggers refuse.

    Drop the triggers for that flush only and put them back right after, so every test
    starts with them in place. Ordinary tests roll back instead and are untouched.
    """
    from django.db import connections
    from django.test import TransactionTestCase

    original = TransactionTestCase._fixture_teardown
    guards = (*APPEND_ONLY_TABLES, *REGISTRY_GUARDS)

    def _fixture_teardown(self):
        aliases = list(self._databases_names(include_mirrors=False))
        for alias in aliases:
            for guard in guards:
                guard.drop(connections[alias])
        try:
            original(self)
        finally:
            for alias in aliases:
                for guard in guards:
                    guard.install(connections[alias])

    TransactionTestCase._fixture_teardown = _fixture_teardown


# --- People ------------------------------------------------------------------------------


@pytest.fixture
def org() -> Organization:
    return OrganizationFactory(name="Acme", slug="acme")


@pytest.fixture
def team(org) -> Team:
    return TeamFactory(
        business_unit=BusinessUnitFactory(organization=org), name="Fraud models"
    )


@pytest.fixture
def make_user(org) -> Callable[..., User]:
    """make_user("auditor") or make_user("team_member", team=team): a user with that role."""

    def _make(
        *roles: str, team: Team | None = None, organization: Organization | None = None
    ):
        user = UserFactory(organization=organization or org)
        for role in roles:
            scoped_team = team if role in (Role.TEAM_LEAD, Role.TEAM_MEMBER) else None
            MembershipFactory(
                user=user, organization=user.organization, role=role, team=scoped_team
            )
        return user

    return _make


@pytest.fixture
def api_client() -> Callable[[User | None], APIClient]:
    """api_client(user) is a client authenticated as user; api_client(None) is anonymous."""

    def _client(user: User | None = None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return _client


# --- Celery -----------------------------------------------------------------------------


@pytest.fixture
def celery_worker(transactional_db):
    """A real worker on the real broker when CELERY_BROKER_URL is set; eager otherwise.

    The worker runs in a thread of this process with its own database connection, so
    the test must commit (transactional_db) for the worker to see its rows.
    """
    from django.conf import settings

    from config.celery import app

    if not settings.CELERY_BROKER_URL:
        yield None
        return
    from celery.contrib.testing.worker import start_worker

    app.conf.task_always_eager = False
    try:
        with start_worker(
            app,
            pool="solo",
            perform_ping_check=False,
            shutdown_timeout=30,
            queues=["default", "scans", "reports"],
        ) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = True


# --- Browser ----------------------------------------------------------------------------

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium: `playwright install` cannot download a browser here."""
    path = (
        os.environ.get("CHROMIUM_PATH")
        or shutil.which("chromium")
        or "/usr/bin/chromium"
    )
    if not os.path.exists(path):
        pytest.fail(
            f"Chromium not found at {path}: run `make install` (apt-get install chromium)"
        )
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_ARGS}
