"""A Redis cache that cannot be reached (restart, failover) is a miss, not an error: the
API answers, unthrottled, and the dashboards are read afresh. bench/faults.py checks
it against a real Redis restart; here the cache points at a port nobody listens on,
configured as production configures it from CACHE_URL."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client, override_settings

from apps.accounts.models import Role
from tests.broker import closed_port
from tests.core.test_settings import SETUP, _run

pytestmark = pytest.mark.django_db

PRINT_CACHES = "; from django.conf import settings; print(json.dumps(settings.CACHES))"


def production_caches(cache_url: str) -> dict:
    """settings.CACHES as config.settings derives it from CACHE_URL."""
    result = _run(
        ["-c", f"import json; {SETUP}{PRINT_CACHES}"],
        DJANGO_DEBUG="true",
        CACHE_URL=cache_url,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def unreachable_cache() -> dict:
    return production_caches(f"redis://127.0.0.1:{closed_port()}/1")


def test_a_redis_cache_url_gets_a_client_that_outlives_an_outage(unreachable_cache):
    cache = unreachable_cache["default"]

    assert cache["BACKEND"] == "django_redis.cache.RedisCache"
    assert cache["OPTIONS"]["IGNORE_EXCEPTIONS"] is True
    # Each operation gives up within a second, so a request stalls a few at most.
    assert cache["OPTIONS"]["SOCKET_CONNECT_TIMEOUT"] <= 1
    assert cache["OPTIONS"]["SOCKET_TIMEOUT"] <= 1


def test_the_api_and_the_dashboards_answer_while_the_cache_is_down(
    unreachable_cache, make_user, api_client, caplog
):
    executive = make_user(Role.EXECUTIVE, Role.AUDITOR)
    page = Client()
    page.force_login(executive)

    with (
        override_settings(
            CACHES=unreachable_cache, DASHBOARDS_FIGURES_CACHE_SECONDS=60
        ),
        caplog.at_level(logging.ERROR, logger="tollgate.cache"),
    ):
        api = api_client(executive).get("/api/v1/audit/events/")
        dashboard = page.get("/dashboards/")

    assert api.status_code == 200, api.content
    assert dashboard.status_code == 200
    # Each skipped read or write is logged, for the operator to see the outage.
    assert any(r.name == "tollgate.cache" for r in caplog.records)
