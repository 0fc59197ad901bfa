"""Fixtures for the webhook tests: a real HTTP receiver, subscriptions, a DNS stand-in."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from apps.accounts.models import Role, User
from apps.audit.models import AuditEvent
from apps.webhooks.models import WebhookSubscription
from apps.webhooks.services import webhook_subscription_create

# A public address: subscriptions may name it while private targets are refused, and
# no test ever connects to it.
PUBLIC_URL = "https://93.184.215.14/hooks/tollgate"


@dataclass
class Received:
    method: str
    path: str
    headers: Message
    body: bytes


# A response: (status, headers, body), or a callable writing its own to the handler.
Response = tuple[int, dict[str, str], bytes] | Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Receiver:
    """A local HTTP server recording every request; answers 200 unless told otherwise."""

    host: str = "127.0.0.1"
    port: int = 0
    scheme: str = "http"
    requests: list[Received] = field(default_factory=list)
    server_names: list[str | None] = field(default_factory=list)  # TLS SNI seen
    _responses: deque = field(default_factory=deque)

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}/hook"

    def url_for(self, host: str, path: str = "/hook") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def respond(self, *responses: Response) -> None:
        """Queue answers for the next requests, in order; then 200 again."""
        self._responses.extend(responses)

    def next_response(self) -> Response:
        return self._responses.popleft() if self._responses else (200, {}, b"ok")

    def posts(self) -> list[Received]:
        return [r for r in self.requests if r.method == "POST"]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        receiver = self.server.receiver
        receiver.requests.append(Received(self.command, self.path, self.headers, body))
        response = receiver.next_response()
        if callable(response):
            response(self)
            return
        status, headers, payload = response
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_POST = _handle
    do_GET = _handle

    def log_message(self, format, *args) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    receiver: Receiver

    def handle_error(self, request, client_address) -> None:
        # Clients hang up mid-response on purpose (body cap, total timeout).
        pass


def _serve(receiver: Receiver, tls: ssl.SSLContext | None = None) -> Iterator[Receiver]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.receiver = receiver
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    receiver.port = server.server_address[1]
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def allow_private(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True


@pytest.fixture
def receiver(allow_private) -> Iterator[Receiver]:
    """A receiver on 127.0.0.1, with private targets allowed so webhooks may reach it."""
    yield from _serve(Receiver())


@pytest.fixture
def tls_receiver(allow_private, tmp_path, monkeypatch) -> Iterator[Receiver]:
    """An https receiver whose certificate names only `localhost`, signed by a test CA
    that the client trusts through SSL_CERT_FILE."""
    from tests.webhooks.certs import issue_localhost_certificate

    ca_file, cert_file, key_file = issue_localhost_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    receiver = Receiver(scheme="https")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    context.sni_callback = lambda sock, name, ctx: receiver.server_names.append(name)
    yield from _serve(receiver, tls=context)


def trickle(handler: BaseHTTPRequestHandler) -> None:
    """A response that sends one byte of its headers every 0.2 s, for up to 10 s."""
    handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
    deadline = time.monotonic() + 10
    try:
        while time.monotonic() < deadline:
            handler.wfile.write(b"X")
            handler.wfile.flush()
            time.sleep(0.2)
    except OSError:
        return  # the client gave up, as it should


@dataclass
class FakeDns:
    names: dict[str, list[str]] = field(default_factory=dict)
    lookups: list[str] = field(default_factory=list)


@pytest.fixture
def fake_dns(monkeypatch) -> FakeDns:
    """fake_dns.names["host"] = ["addr", ...] resolves that name so; others as usual.

    Every lookup of a faked name is appended to fake_dns.lookups.
    """
    real = socket.getaddrinfo
    dns = FakeDns()

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in dns.names:
            return real(host, port, *args, **kwargs)
        dns.lookups.append(host)
        return [
            (
                socket.AF_INET6 if ":" in address else socket.AF_INET,
                socket.SOCK_STREAM,
                socket.IPPROTO_TCP,
                "",
                (address, port),
            )
            for address in dns.names[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return dns


@pytest.fixture
def admin(make_user) -> User:
    return make_user(Role.ORG_ADMIN)


@pytest.fixture
def subscribe(org, admin) -> Callable[..., tuple[WebhookSubscription, str]]:
    """subscribe(url, events=["*"]): a subscription of org made by its admin."""

    def _subscribe(url: str = PUBLIC_URL, events=("*",), **kwargs):
        return webhook_subscription_create(
            organization=org, url=url, events=list(events), created_by=admin, **kwargs
        )

    return _subscribe


def audit_events(prefix: str) -> list[AuditEvent]:
    """Audit events whose action starts with `prefix`, in chain order."""
    return list(
        AuditEvent.objects.filter(action__startswith=prefix).order_by("chain", "seq")
    )
