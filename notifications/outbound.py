"""Requests the system sends to addresses people typed: only to allowed destinations.

A chat robot webhook is an address any user may enter, and the worker POSTs case text to it. So:
https only, the host on ``CASEWORK_WEBHOOK_HOSTS`` (the WeCom, DingTalk and Feishu robot hosts by
default), every address the name resolves to public (no loopback, private, link-local, reserved
or multicast range), the connection made to the very address that was checked (no second lookup
to rebind), no redirects followed, a short timeout, and nothing of the answer kept but its status.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

TIMEOUT_SECONDS = 5
MAX_ANSWER_BYTES = 4096


class Refused(ValueError):
    """The destination is not allowed; the message says why, for the person who typed it."""


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str
    port: int
    target: str  # path and query


def webhook_destination(url: str) -> Destination:
    """Check a webhook address as typed (no network): scheme, allowed host, no user info."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError:
        raise Refused(_("This is not a valid web address.")) from None
    require_https = getattr(settings, "CASEWORK_WEBHOOK_REQUIRE_HTTPS", True)
    if parts.scheme != "https" and (require_https or parts.scheme != "http"):
        raise Refused(_("A robot webhook address must start with https://."))
    if parts.username or parts.password:
        raise Refused(_("A robot webhook address cannot carry a user name or password."))
    host = (parts.hostname or "").lower().rstrip(".")
    allowed = [h.lower() for h in settings.CASEWORK_WEBHOOK_HOSTS]
    if host not in allowed:
        raise Refused(
            _("Robot messages can only be sent to %(hosts)s.") % {"hosts": "、".join(allowed)}
        )
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Destination(parts.scheme, host, port or (443 if parts.scheme == "https" else 80), target)


def _public_address(host: str, port: int) -> str:
    """Resolve ``host`` and return an address to connect to, refusing if any of its addresses
    is not public (a name that also points inside the network is refused as a whole)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise ConnectionError(f"cannot resolve {host}") from exc
    addresses = [info[4][0] for info in infos]
    if not getattr(settings, "CASEWORK_WEBHOOK_ALLOW_PRIVATE", False):
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])
            if not ip.is_global or ip.is_multicast:
                raise Refused(_("The robot's address resolves inside the network; refused."))
    return addresses[0]


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to the address already checked, with TLS verified for the host name."""

    def __init__(self, host: str, address: str, port: int) -> None:
        super().__init__(host, port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, port: int) -> None:
        super().__init__(host, port, timeout=TIMEOUT_SECONDS)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def post_json(url: str, payload: bytes) -> tuple[int, bytes]:
    """POST to an allowed destination; returns the status and at most the first 4 KB of the
    answer (for the caller to read a status code from, never to store or show)."""
    destination = webhook_destination(url)
    address = _public_address(destination.host, destination.port)
    connection_class = (
        _PinnedHTTPSConnection if destination.scheme == "https" else _PinnedHTTPConnection
    )
    connection = connection_class(destination.host, address, destination.port)
    try:
        connection.request(
            "POST",
            destination.target,
            body=payload,
            headers={"Content-Type": "application/json; charset=utf-8", "Host": destination.host},
        )
        response = connection.getresponse()  # a redirect is an answer, never followed
        return response.status, response.read(MAX_ANSWER_BYTES)
    finally:
        connection.close()
