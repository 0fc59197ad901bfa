"""The SSRF guard: which URLs a webhook may target, and where to connect for one.

A webhook URL is chosen by an organisation admin, and Tollgate's workers POST to it
from inside the deployment's network, so a careless or hostile URL could reach the
cloud metadata service (169.254.169.254), a database port on the loopback interface or
a host of the private network. The guard runs when a subscription is created or
changed and again before every delivery, and refuses:

- schemes other than http and https, and URLs carrying a user name or password;
- hosts that resolve to any private, loopback, link-local, multicast, reserved,
  unspecified or shared (100.64.0.0/10) address, IPv4 or IPv6, including IPv4
  addresses embedded in IPv6 ones (IPv4-mapped, 6to4, Teredo, NAT64). One bad
  address among several is enough to refuse.

The caller then connects to an address that was checked, never to the name again
(apps.webhooks.client): a DNS answer that changes between the check and the
connection (DNS rebinding) cannot redirect the request.

Setting WEBHOOKS_ALLOW_PRIVATE_TARGETS lifts the address rules (receivers inside a
private network, and the tests' local receiver); the scheme and credential rules stay.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

import httpx
from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_SHARED = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UnsafeTargetError(Exception):
    """The URL may not be a webhook target. The message is safe to show the admin."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (`addresses`) and what to call the host."""

    url: httpx.URL
    addresses: tuple[str, ...]

    @property
    def host(self) -> str:
        """The host name as sent in SNI (IDNA-encoded), without brackets."""
        return self.url.raw_host.decode("ascii")

    @property
    def host_header(self) -> str:
        """The Host header: the host, and the port unless it is the scheme's default."""
        return self.url.netloc.decode("ascii")

    @property
    def host_is_address(self) -> bool:
        return _parse_address(self.host) is not None

    def url_for(self, address: str) -> httpx.URL:
        """The same URL with `address` in place of the host name."""
        return self.url.copy_with(host=address)


def _parse_address(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public_address(ip: IPAddress) -> bool:
    """True for a globally routable unicast address (see the module docstring)."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if ip.ipv4_mapped is not None:
            # ::ffff:a.b.c.d is the IPv4 host itself, written as IPv6.
            return is_public_address(embedded)
        if embedded is not None and not is_public_address(embedded):
            return False
    if ip.version == 4 and ip in _SHARED:
        return False
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def parse_url(url: str) -> httpx.URL:
    """The URL, if its form is acceptable (scheme, no credentials, a host)."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise UnsafeTargetError("Enter a valid URL.") from exc
    if parsed.scheme not in ("http", "https"):
        raise UnsafeTargetError("Use an http:// or https:// URL.")
    if parsed.userinfo:
        raise UnsafeTargetError("Remove the user name and password from the URL.")
    if not parsed.raw_host or b"%" in parsed.raw_host:
        raise UnsafeTargetError("Enter a valid URL with a host name.")
    return parsed


def _resolve(host: str, port: int) -> tuple[str, ...]:
    literal = _parse_address(host)
    if literal is not None:
        return (str(literal),)
    try:
        infos = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeTargetError("The host name does not resolve.") from exc
    # Scope ids (fe80::1%eth0) are dropped: such addresses are refused anyway unless
    # private targets are allowed, and then the plain address is what to connect to.
    addresses = [str(info[4][0]).split("%", 1)[0] for info in infos]
    return tuple(dict.fromkeys(addresses))


def resolve_target(url: str) -> Target:
    """Check `url` and resolve its host; UnsafeTargetError if it may not be a target."""
    parsed = parse_url(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    addresses = _resolve(parsed.raw_host.decode("ascii"), port)
    if not addresses:
        raise UnsafeTargetError("The host name does not resolve.")
    if not settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS:
        for address in addresses:
            if not is_public_address(ipaddress.ip_address(address)):
                # The address itself is not echoed: it would let an admin map the
                # internal DNS through error messages.
                raise UnsafeTargetError(
                    "The URL points at a private, loopback, link-local or otherwise "
                    "non-public address."
                )
    return Target(url=parsed, addresses=addresses)


def url_origin(url: str) -> str:
    """scheme://host[:port] of a URL: what may be shown where the full URL may not."""
    parsed = httpx.URL(url)
    return f"{parsed.scheme}://{parsed.netloc.decode('ascii')}"
