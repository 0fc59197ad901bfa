"""A live local provider server per test, and collectors pointed at it.

`waits` records every sleep a collector asks for instead of sleeping, so rate-limit
tests see the requested waits and stay fast; the HTTP itself is real.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from apps.repos.collectors import GitHubActions, GitLabCI
from tests.repos.collectors.provider_server import ProviderServer

GH_TOKEN = "ghp_S3cretT0kenValue0123456789abcdef"
GL_TOKEN = "glpat-S3cretT0kenValue0123456"
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def provider() -> Iterator[ProviderServer]:
    server = ProviderServer().start()
    server.github_token = GH_TOKEN
    server.gitlab_token = GL_TOKEN
    yield server
    server.stop()


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def github(provider, waits) -> Iterator[GitHubActions]:
    with GitHubActions(
        provider.url, GH_TOKEN, timeout=2.0, max_wait_s=30.0, sleep=waits.append
    ) as client:
        yield client


@pytest.fixture
def gitlab(provider, waits) -> Iterator[GitLabCI]:
    with GitLabCI(
        provider.url, GL_TOKEN, timeout=2.0, max_wait_s=30.0, sleep=waits.append
    ) as client:
        yield client
