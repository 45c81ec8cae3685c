"""The client's address and scheme: X-Forwarded-* believed from trusted proxies only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from litestar.connection import ASGIConnection

from appraisal.proxies import came_over_https, client_address, cookie_secure


def connection(peer: str | None, *headers: tuple[str, str], scheme: str = "http"
               ) -> ASGIConnection[Any, Any, Any, Any]:
    return ASGIConnection({  # type: ignore[arg-type]
        "type": "http", "scheme": scheme, "path": "/", "query_string": b"",
        "client": (peer, 4321) if peer else None,
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers]})


XFF = "X-Forwarded-For"


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert client_address(connection("198.51.100.7", (XFF, "203.0.113.1"))) == "198.51.100.7"
    assert client_address(connection("127.0.0.1", (XFF, "203.0.113.1"))) == "127.0.0.1"
    assert client_address(connection(None)) == "unknown"
    assert client_address(connection("testclient")) == "testclient"


@pytest.mark.parametrize(("peer", "headers", "client"), [
    ("10.0.0.2", [(XFF, "203.0.113.9")], "203.0.113.9"),
    # The client wrote the leftmost entries itself: only what trusted hops vouch for counts.
    ("10.0.0.2", [(XFF, "1.1.1.1, 203.0.113.9")], "203.0.113.9"),
    ("10.0.0.2", [(XFF, "1.1.1.1, 203.0.113.9, 10.0.0.3")], "203.0.113.9"),  # two proxies
    ("10.0.0.2", [(XFF, "1.1.1.1"), (XFF, "203.0.113.9")], "203.0.113.9"),  # two headers
    ("10.0.0.2", [(XFF, "10.0.0.4, 10.0.0.3")], "10.0.0.4"),  # every hop trusted
    ("10.0.0.2", [(XFF, "not-an-address")], "10.0.0.2"),
    ("10.0.0.2", [(XFF, "")], "10.0.0.2"),
    ("10.0.0.2", [(XFF, "203.0.113.9:55123")], "203.0.113.9"),
    ("10.0.0.2", [(XFF, "[2001:db8::7]:443")], "2001:db8::7"),
    ("10.0.0.2", [], "10.0.0.2"),
    ("::ffff:10.0.0.2", [(XFF, "203.0.113.9")], "203.0.113.9"),  # IPv4 written as IPv6
    ("::1", [(XFF, "2001:db8::7")], "2001:db8::7"),
    ("198.51.100.7", [(XFF, "203.0.113.9")], "198.51.100.7"),  # the peer is no proxy of ours
])
def test_trusted_proxies_vouch_for_the_address_before_them(
        setting: Callable[[str, str], None], peer: str, headers: list[tuple[str, str]],
        client: str) -> None:
    setting("APPRAISAL_TRUSTED_PROXIES", "10.0.0.0/24, ::1")
    assert client_address(connection(peer, *headers)) == client


def test_a_bad_trusted_proxies_setting_is_refused_by_name(
        setting: Callable[[str, str], None]) -> None:
    from appraisal.config import get_settings

    setting("APPRAISAL_TRUSTED_PROXIES", "10.0.0.1, proxy.local")
    with pytest.raises(ValueError, match=r"APPRAISAL_TRUSTED_PROXIES: 'proxy\.local'"):
        get_settings()


def test_https_from_the_connection_or_a_trusted_proxy(setting: Callable[[str, str], None]) -> None:
    proto = ("X-Forwarded-Proto", "https")
    assert came_over_https(connection("198.51.100.7", scheme="https"))
    assert not came_over_https(connection("10.0.0.2", proto))  # nobody trusted yet
    assert not cookie_secure(connection("10.0.0.2", proto))
    setting("APPRAISAL_TRUSTED_PROXIES", "10.0.0.2")
    assert came_over_https(connection("10.0.0.2", proto))
    assert came_over_https(connection("10.0.0.2", ("X-Forwarded-Proto", "https, http")))
    assert not came_over_https(connection("10.0.0.2", ("X-Forwarded-Proto", "http")))
    assert not came_over_https(connection("10.0.0.2"))
    assert not came_over_https(connection("198.51.100.7", proto))
    assert cookie_secure(connection("10.0.0.2", proto))
    assert not cookie_secure(connection("198.51.100.7"))
    setting("APPRAISAL_COOKIE_SECURE", "1")
    assert cookie_secure(connection("198.51.100.7"))


def test_serve_leaves_forwarded_headers_to_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    from appraisal import cli

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(kwargs))
    assert cli.main(["serve", "--port", "8123"]) == 0
    assert calls and calls[0]["proxy_headers"] is False
