"""Cloning: failures give clean messages, tokens travel in headers and stay secret.

The successful clone runs against a real HTTPS server on 127.0.0.1 (a self-signed
certificate trusted through GIT_SSL_CAINFO) serving a bare repository over git's
"dumb" HTTP protocol; the server records the Authorization headers it receives.
"""

from __future__ import annotations

import base64
import http.server
import ssl
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

from apps.repos.scanner import CloneFailed, InvalidInput, scan_url
from apps.repos.scanner.clone import scrub

LOCAL = ["127.0.0.1"]
TOKEN = "ghp_s3cretT0ken"


def test_unreachable_host_fails_with_a_clean_message():
    with pytest.raises(CloneFailed) as caught:
        scan_url("https://127.0.0.1:1/org/x.git", allowed_hosts=LOCAL, token=TOKEN)

    message = caught.value.message
    assert message.startswith("Could not clone https://127.0.0.1:1/org/x.git: ")
    assert "\n" not in message
    assert TOKEN not in message


def test_url_is_validated_before_anything_runs():
    with pytest.raises(InvalidInput, match="not allowed"):
        scan_url("https://127.0.0.1:1/x.git")  # default allowlist: GitHub and GitLab


def test_token_with_line_breaks_is_refused():
    with pytest.raises(InvalidInput, match="invalid characters"):
        scan_url("https://127.0.0.1:1/x.git", allowed_hosts=LOCAL, token="a\r\nX: y")


def test_token_needs_https():
    with pytest.raises(InvalidInput, match="https://"):
        scan_url("ssh://git@127.0.0.1:1/x.git", allowed_hosts=LOCAL, token=TOKEN)


def test_scrub_removes_tokens_in_every_form():
    basic = base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
    text = f"fatal: {TOKEN} / Authorization: Basic {basic} / Authorization: Bearer zz"

    assert TOKEN not in scrub(text, TOKEN)
    assert basic not in scrub(text, TOKEN)
    assert "zz" not in scrub(text, None)


@pytest.fixture
def https_repo(make_repo, tmp_path, monkeypatch):
    """A bare repository served at https://127.0.0.1:<port>/repo.git."""
    source = make_repo({"train.py": "import mlflow\nmlflow.start_run()\n"})
    source.git("branch", "release")
    source.add({"Dockerfile": "FROM python:3.12\n"})
    served = tmp_path / "www"
    served.mkdir()
    subprocess.run(
        ["git", "clone", "-q", "--bare", str(source.path), str(served / "repo.git")],
        check=True,
    )
    subprocess.run(
        ["git", "-C", str(served / "repo.git"), "update-server-info"], check=True
    )
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    seen: list[str | None] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(served), **kwargs)

        def do_GET(self):
            seen.append(self.headers.get("Authorization"))
            super().do_GET()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    monkeypatch.setenv("GIT_SSL_CAINFO", str(cert))
    yield f"https://127.0.0.1:{server.server_address[1]}/repo.git", seen
    server.shutdown()
    server.server_close()


def test_clone_scan_and_cleanup(https_repo, tmp_path, monkeypatch):
    url, seen = https_repo
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "scratch"))
    (tmp_path / "scratch").mkdir()

    result = scan_url(url, allowed_hosts=LOCAL, token=TOKEN)

    assert result.signals["experiment_tracking"].strength == "wired"
    assert result.signals["containerised"].value is True
    expected = "Basic " + base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
    assert seen
    assert set(seen) == {expected}
    assert list(Path(tmp_path / "scratch").iterdir()) == []  # the clone is gone


def test_clone_of_a_branch(https_repo):
    url, _ = https_repo

    result = scan_url(url, ref="release", allowed_hosts=LOCAL)

    assert result.ref == "release"
    assert result.signals["containerised"].value is False


def test_clone_of_a_missing_branch(https_repo):
    url, _ = https_repo

    with pytest.raises(CloneFailed, match="Could not clone"):
        scan_url(url, ref="nope", allowed_hosts=LOCAL, token=TOKEN)
