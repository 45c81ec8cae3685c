"""Where a request came from, believing X-Forwarded-* only from trusted proxies.

Behind a reverse proxy every request's peer is the proxy, and the client's address
is in X-Forwarded-For, which any client can also write. So the header is read only
when the peer is one of APPRAISAL_TRUSTED_PROXIES (addresses or networks; none by
default), and walked from the right: each trusted hop vouches for the address before
it, and the first address not trusted is the client. The same peer's
X-Forwarded-Proto tells whether the visitor's browser spoke HTTPS.

`appraisal serve` turns uvicorn's own proxy-header handling off, so that this module
is the one place that decides.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_address
from typing import Any

from litestar.connection import ASGIConnection

from appraisal.config import get_settings

Address = IPv4Address | IPv6Address


def _address(text: str) -> Address | None:
    """An IP address as proxies write it ("203.0.113.7", "203.0.113.7:5123", "[2001:db8::1]:443")."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # IPv4 with a port
        text = text.split(":", 1)[0]
    try:
        address = ip_address(text)
    except ValueError:
        return None
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # "::ffff:10.0.0.5" is 10.0.0.5
    return address


def _trusted(address: Address | None) -> bool:
    return address is not None and any(address in net for net in get_settings().trusted_proxies)


def _header(connection: ASGIConnection[Any, Any, Any, Any], name: bytes) -> list[str]:
    """Every comma-separated entry of every `name` header, in order."""
    return [entry for key, value in connection.scope["headers"] if key.lower() == name
            for entry in value.decode("latin-1").split(",")]


def _peer(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    client = connection.scope.get("client")
    return str(client[0]) if client else None


def client_address(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The client's address: the peer's, or what trusted proxies say it was."""
    peer = _peer(connection)
    current = _address(peer) if peer else None
    if current is None:
        return peer or "unknown"
    hops = _header(connection, b"x-forwarded-for")
    while hops and _trusted(current):
        before = _address(hops.pop())
        if before is None:  # not an address: the last trusted hop is all we know
            break
        current = before
    return str(current)


def came_over_https(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    """Served over TLS here, or a trusted proxy says the browser used https."""
    if connection.scope.get("scheme") in ("https", "wss"):
        return True
    peer = _peer(connection)
    if not (peer and _trusted(_address(peer))):
        return False
    schemes = [s.strip().lower() for s in _header(connection, b"x-forwarded-proto")]
    return bool(schemes) and schemes[0] == "https"  # the leftmost: the browser's own


def cookie_secure(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    """Whether a cookie set in answer to this request is marked Secure (every cookie asks here)."""
    return get_settings().cookie_secure or came_over_https(connection)
