"""Which clone URLs pass (pure: no network)."""

from __future__ import annotations

import pytest

from apps.repos.scanner import InvalidInput, validate_clone_url

ALLOWED = ["github.com", "GitLab.com"]


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/org/repo.git",
        "https://github.com/org/repo",
        "https://GITHUB.com:443/org/repo.git",
        "ssh://git@github.com/org/repo.git",
        "ssh://github.com:22/org/repo.git",
        "git@github.com:org/repo.git",
        "git@gitlab.com:group/sub/repo.git",
    ],
)
def test_allowed_urls(url):
    assert validate_clone_url(url, ALLOWED) == url


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "https:// or ssh://"),
        ("/srv/repos/x.git", "https:// or ssh://"),
        ("ext::sh -c touch% /tmp/pwned", "spaces"),
        ("ext::sh", "transports"),
        ("fd::17", "transports"),
        ("http://github.com/org/repo.git", "https:// or ssh://"),
        ("git://github.com/org/repo.git", "https:// or ssh://"),
        ("https://evil.example/org/repo.git", "not allowed"),
        ("https://github.com.evil.example/org/repo", "not allowed"),
        ("https://api.github.com/org/repo", "not allowed"),
        ("https://user:pass@github.com/org/repo.git", "user name and password"),
        ("https://token@github.com/org/repo.git", "user name and password"),
        ("ssh://git:pass@github.com/org/repo.git", "user name and password"),
        ("--upload-pack=touch /tmp/x", "spaces"),
        ("--upload-pack=id", "start with '-'"),
        ("-oProxyCommand=x@github.com:org/r", "start with '-'"),
        ("ssh://-oProxyCommand=id/x", "host name"),
        ("git@github.com:-x", "option"),
        ("https://github.com/org/repo.git\n", "control characters"),
        ("https://github.com", "names no repository"),
        ("https://github.com/org/r?x=1", "query string"),
        ("https://github.com:99999/org/r", "valid clone URL"),
        ("", "Enter a clone URL"),
    ],
)
def test_refused_urls(url, message):
    with pytest.raises(InvalidInput, match=message):
        validate_clone_url(url, ALLOWED)
