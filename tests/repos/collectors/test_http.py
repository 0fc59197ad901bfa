"""Shared HTTP behaviour over real HTTP: rate limits, errors, redirects, secrecy."""

from __future__ import annotations

import logging
import pickle
import socket
import time
import traceback
from datetime import UTC, datetime, timedelta
from email.utils import formatdate

import pytest

from apps.repos.collectors import (
    AuthenticationFailed,
    CollectorError,
    GitHubActions,
    GitLabCI,
    NotFound,
    PermissionDenied,
    RateLimited,
    TransientError,
)
from apps.repos.collectors.http import check_base_url
from tests.repos.collectors.conftest import GH_TOKEN, GL_TOKEN
from tests.repos.collectors.provider_payloads import github_run
from tests.repos.collectors.provider_server import ProviderServer, Reply

RUNS = "/repos/acme/fraud/actions/runs"
PIPELINES = "/api/v4/projects/group%2Frepo/pipelines"


@pytest.fixture
def gitlab_project(provider):
    provider.gitlab_pipelines["group%2Frepo"] = []
    return "group/repo"


def _github_limit(reset: int) -> dict[str, str]:
    return {
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-used": "5000",
        "x-ratelimit-reset": str(reset),
        "x-ratelimit-resource": "core",
    }


# --- Rate limits -------------------------------------------------------------------------


def test_github_403_with_remaining_zero_waits_for_the_reset(provider, github, waits):
    reset = int(time.time()) + 1
    body = {"message": "API rate limit exceeded for user ID 1."}
    provider.script(RUNS, Reply(403, body, _github_limit(reset)))

    assert github.workflow_runs("acme", "fraud") == []

    (wait,) = waits
    assert 0 < wait <= 2.5  # until the reset, plus a second for clock skew
    assert len(provider.requests) == 2


def test_429_with_retry_after_waits_that_long(provider, github, waits):
    provider.script(RUNS, Reply(429, {"message": "slow down"}, {"Retry-After": "1"}))

    github.workflow_runs("acme", "fraud")

    assert waits == [1.0]
    assert len(provider.requests) == 2


def test_retry_after_as_an_http_date_is_honoured(provider, github, waits):
    when = formatdate(time.time() + 5, usegmt=True)
    provider.script(RUNS, Reply(429, None, {"Retry-After": when}))

    github.workflow_runs("acme", "fraud")

    (wait,) = waits
    assert 3 < wait <= 5


def test_gitlab_429_waits_for_ratelimit_reset(provider, gitlab, gitlab_project, waits):
    reset = int(time.time()) + 1
    headers = {
        "RateLimit-Limit": "600",
        "RateLimit-Observed": "600",
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": str(reset),
        "RateLimit-ResetTime": formatdate(reset, usegmt=True),
    }
    provider.script(PIPELINES, Reply(429, "Retry later", headers))

    assert gitlab.pipelines(gitlab_project) == []

    (wait,) = waits
    assert 0 < wait <= 2.5


def test_a_wait_past_max_wait_raises_rate_limited_with_the_reset(
    provider, github, waits
):
    reset = int(time.time()) + 3600
    provider.script(
        RUNS, Reply(403, {"message": "API rate limit exceeded"}, _github_limit(reset))
    )

    with pytest.raises(RateLimited) as caught:
        github.workflow_runs("acme", "fraud")

    expected = datetime.fromtimestamp(reset, UTC)
    assert abs(caught.value.retry_at - expected) < timedelta(seconds=5)
    assert waits == []
    assert len(provider.requests) == 1


def test_waits_add_up_against_max_wait(provider, github, waits):
    slow = Reply(429, None, {"Retry-After": "20"})
    provider.script(RUNS, slow, slow)

    with pytest.raises(RateLimited):
        github.workflow_runs("acme", "fraud")

    assert waits == [20.0]  # the second 20 s would pass the 30 s budget


def test_a_server_that_keeps_saying_retry_now_is_given_up_on(provider, github, waits):
    provider.script(RUNS, *[Reply(429, None, {"Retry-After": "0"})] * 5)

    with pytest.raises(RateLimited):
        github.workflow_runs("acme", "fraud")

    assert waits == [0.0, 0.0, 0.0]


def test_403_without_rate_limit_headers_is_a_permission_error(provider, github, waits):
    body = {"message": "Resource not accessible by integration"}
    provider.script(RUNS, Reply(403, body, {"x-ratelimit-remaining": "4999"}))

    with pytest.raises(PermissionDenied, match=r"denied access \(403\)"):
        github.workflow_runs("acme", "fraud")

    assert waits == []


def test_secondary_rate_limit_403_waits_a_minute(provider, github, waits):
    body = {"message": "You have exceeded a secondary rate limit. Please wait."}
    provider.script(RUNS, Reply(403, body))

    # A minute is more than this client's 30 s budget: hand it to the task.
    with pytest.raises(RateLimited) as caught:
        github.workflow_runs("acme", "fraud")

    assert caught.value.retry_at > datetime.now(UTC) + timedelta(seconds=50)


def test_gitlab_429_without_headers_still_backs_off(provider, gitlab, gitlab_project):
    provider.script(PIPELINES, Reply(429, "Retry later"))

    with pytest.raises(RateLimited):
        gitlab.pipelines(gitlab_project)


# --- Errors ------------------------------------------------------------------------------


def test_401_says_the_token_was_refused(provider, github):
    provider.github_token = "ghp_someone_else"

    with pytest.raises(
        AuthenticationFailed, match=r"^GitHub refused the token \(401\)\.$"
    ):
        github.workflow_runs("acme", "fraud")


def test_401_without_a_token_says_one_is_needed(provider):
    with (
        GitHubActions(provider.url, None) as anonymous,
        pytest.raises(
            AuthenticationFailed, match=r"GitHub requires a token here \(401\)"
        ),
    ):
        anonymous.workflow_runs("acme", "fraud")


def test_gitlab_401_says_the_token_was_refused(provider, gitlab, gitlab_project):
    provider.gitlab_token = "glpat-other"

    with pytest.raises(
        AuthenticationFailed, match=r"^GitLab refused the token \(401\)\.$"
    ):
        gitlab.pipelines(gitlab_project)


def test_404_names_the_missing_repository(github):
    with pytest.raises(
        NotFound, match=r"^Repository not found or not visible to the token \(404\)"
    ) as caught:
        github.workflow_runs("acme", "missing")

    assert "/repos/acme/missing/actions/runs" in str(caught.value)
    assert caught.value.status == 404


def test_gitlab_404_names_the_missing_project(gitlab):
    with pytest.raises(
        NotFound, match=r"^Project not found or not visible to the token"
    ):
        gitlab.pipelines("group/missing")


def test_500_is_transient_and_the_next_call_succeeds(provider, github):
    provider.github_runs["acme/fraud"] = [github_run(1, created=datetime.now(UTC))]
    provider.script(RUNS, Reply(500, {"message": "Server Error"}))

    with pytest.raises(TransientError, match="HTTP 500"):
        github.workflow_runs("acme", "fraud")
    assert len(github.workflow_runs("acme", "fraud")) == 1


def test_connection_refused_is_transient():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with (
        GitHubActions(f"http://127.0.0.1:{port}", GH_TOKEN) as client,
        pytest.raises(TransientError, match="unreachable"),
    ):
        client.workflow_runs("acme", "fraud")


def test_a_slow_server_times_out_as_transient(provider):
    provider.script(
        RUNS, Reply(200, {"total_count": 0, "workflow_runs": []}, delay=0.6)
    )

    with (
        GitHubActions(provider.url, GH_TOKEN, timeout=0.2) as client,
        pytest.raises(TransientError, match="timed out"),
    ):
        client.workflow_runs("acme", "fraud")


# --- Redirects and links ----------------------------------------------------------------


def test_same_origin_redirect_of_a_renamed_repository_is_followed(provider, github):
    provider.github_runs["acme/fraud"] = [github_run(1, created=datetime.now(UTC))]
    moved = f"{provider.url}/repositories/1296269/actions/runs?per_page=100"
    provider.script(
        RUNS, Reply(301, {"message": "Moved Permanently"}, {"Location": moved})
    )

    assert len(github.workflow_runs("acme", "fraud")) == 1


@pytest.fixture
def elsewhere():
    server = ProviderServer().start()
    yield server
    server.stop()


def test_a_link_to_another_host_is_not_followed(provider, github, elsewhere):
    page = {
        "total_count": 2,
        "workflow_runs": [github_run(1, created=datetime.now(UTC))],
    }
    link = f'<{elsewhere.url}/repositories/1296269/actions/runs?page=2>; rel="next"'
    provider.script(RUNS, Reply(200, page, {"Link": link}))

    with pytest.raises(CollectorError, match="refusing to send the token"):
        github.workflow_runs("acme", "fraud")

    assert elsewhere.requests == []


def test_a_redirect_to_another_host_is_not_followed(
    provider, gitlab, gitlab_project, elsewhere
):
    location = f"{elsewhere.url}/api/v4/projects/1/pipelines"
    provider.script(PIPELINES, Reply(302, None, {"Location": location}))

    with pytest.raises(CollectorError, match="another host"):
        gitlab.pipelines(gitlab_project)

    assert elsewhere.requests == []


# --- The token never leaks ---------------------------------------------------------------


def _echo(token: str) -> dict[str, str]:
    """A hostile or buggy server that echoes the credential back."""
    return {"message": f"Bad value {token} for field"}


GITHUB_FAILURES = {
    "401": lambda p: setattr(p, "github_token", "ghp_other"),
    "403": lambda p: p.script(RUNS, Reply(403, _echo(GH_TOKEN))),
    "404": lambda p: p.github_repos.pop("acme/fraud"),
    "422": lambda p: p.script(RUNS, Reply(422, _echo(GH_TOKEN))),
    "500": lambda p: p.script(RUNS, Reply(500, _echo(GH_TOKEN))),
    "rate limit": lambda p: p.script(
        RUNS, Reply(429, _echo(GH_TOKEN), {"Retry-After": "999"})
    ),
    "bad json": lambda p: p.script(RUNS, Reply(200, None)),
}
GITLAB_FAILURES = {
    "401": lambda p: setattr(p, "gitlab_token", "glpat-other"),
    "404": lambda p: p.gitlab_pipelines.clear(),
    "422": lambda p: p.script(PIPELINES, Reply(422, _echo(GL_TOKEN))),
    "429": lambda p: p.script(PIPELINES, Reply(429, _echo(GL_TOKEN))),
    "503": lambda p: p.script(PIPELINES, Reply(503, _echo(GL_TOKEN))),
}


def _assert_secret_kept(exc: BaseException, token: str, log: str) -> None:
    texts = [
        str(exc),
        repr(exc),
        "".join(traceback.format_exception(exc)),
        log,
    ]
    for text in texts:
        assert token not in text
    assert token.encode() not in pickle.dumps(exc)
    # Raised outside `except`: no httpx exception (holding the request) is chained.
    assert exc.__context__ is None
    assert exc.__cause__ is None


@pytest.mark.parametrize("failure", GITHUB_FAILURES)
def test_github_errors_never_carry_the_token(provider, github, caplog, failure):
    caplog.set_level(logging.DEBUG)
    GITHUB_FAILURES[failure](provider)

    with pytest.raises(CollectorError) as caught:
        github.workflow_runs("acme", "fraud")

    _assert_secret_kept(caught.value, GH_TOKEN, caplog.text)
    assert GH_TOKEN not in repr(github)


@pytest.mark.parametrize("failure", GITLAB_FAILURES)
def test_gitlab_errors_never_carry_the_token(
    provider, gitlab, gitlab_project, caplog, failure
):
    caplog.set_level(logging.DEBUG)
    GITLAB_FAILURES[failure](provider)

    with pytest.raises(CollectorError) as caught:
        gitlab.pipelines(gitlab_project)

    _assert_secret_kept(caught.value, GL_TOKEN, caplog.text)
    assert GL_TOKEN not in repr(gitlab)


def test_transport_errors_never_carry_the_token(provider, caplog):
    caplog.set_level(logging.DEBUG)
    provider.script(RUNS, Reply(200, None, delay=0.6))

    with (
        GitHubActions(provider.url, GH_TOKEN, timeout=0.2) as client,
        pytest.raises(TransientError) as caught,
    ):
        client.workflow_runs("acme", "fraud")

    _assert_secret_kept(caught.value, GH_TOKEN, caplog.text)


def test_an_echoed_token_is_redacted_from_the_message(provider, github):
    provider.script(RUNS, Reply(422, _echo(GH_TOKEN)))

    with pytest.raises(
        CollectorError, match=r"HTTP 422: Bad value \[redacted\] for field"
    ):
        github.workflow_runs("acme", "fraud")


def test_rate_limit_waits_are_logged_without_the_token(provider, github, caplog):
    caplog.set_level(logging.INFO)
    provider.script(RUNS, Reply(429, None, {"Retry-After": "1"}))

    github.workflow_runs("acme", "fraud")

    assert "rate limited, waiting 1.0 s" in caplog.text
    assert GH_TOKEN not in caplog.text


# --- Exceptions and base URLs ------------------------------------------------------------


def test_rate_limited_survives_pickling_for_celery():
    retry_at = datetime(2024, 6, 1, 12, tzinfo=UTC)

    copy = pickle.loads(pickle.dumps(RateLimited(retry_at, "GitHub: rate limited.")))  # noqa: S301 - our own bytes

    assert copy.retry_at == retry_at
    assert str(copy) == "GitHub: rate limited."


def test_collector_errors_keep_their_status_when_pickled():
    copy = pickle.loads(pickle.dumps(NotFound("gone (404).", status=404)))  # noqa: S301 - our own bytes

    assert isinstance(copy, NotFound)
    assert copy.status == 404


@pytest.mark.parametrize(
    "url",
    [
        "http://api.github.com",
        "ftp://api.github.com",
        "https://user:secret@api.github.com",
        "https://api.github.com?x=1",
        "api.github.com",
    ],
)
def test_unsafe_base_urls_are_refused(url):
    with pytest.raises(ValueError, match="base URL"):
        check_base_url(url)


def test_https_and_loopback_http_base_urls_are_accepted():
    assert (
        check_base_url("https://ghe.example.com/api/v3/")
        == "https://ghe.example.com/api/v3"
    )
    assert check_base_url("http://127.0.0.1:8000") == "http://127.0.0.1:8000"
    assert GitLabCI("https://gitlab.example.com").__repr__() == (
        "GitLabCI('https://gitlab.example.com/api/v4')"
    )
