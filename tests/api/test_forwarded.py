"""X-Forwarded-For and -Proto from trusted proxies only: login throttling and Secure cookies."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from httpx import AsyncClient

from tests.factories import PASSWORD, Org

LOGIN = "/api/v1/auth/login"


async def spray(client: AsyncClient) -> list[int]:
    """Twelve names tried from one connection, each claiming another address."""
    return [(await client.post(LOGIN, headers={"X-Forwarded-For": f"203.0.113.{i}"}, json={
        "username": f"name{i}", "password": "wrong-password"})).status_code for i in range(12)]


async def test_without_trusted_proxies_a_spray_is_counted_against_its_address(
        client: AsyncClient, org: Org, setting: Callable[[str, str], None]) -> None:
    from appraisal.accounts.models import LoginThrottle

    setting("APPRAISAL_LOGIN_IP_MAX_FAILURES", "10")
    assert await spray(client) == [401] * 10 + [429] * 2
    assert (await LoginThrottle.get(key="ip:127.0.0.1")).failures == 10
    assert not await LoginThrottle.filter(key__startswith="ip:203.").exists()


async def test_a_trusted_proxy_names_the_client(
        client: AsyncClient, org: Org, setting: Callable[[str, str], None]) -> None:
    from appraisal.accounts.models import LoginThrottle

    setting("APPRAISAL_LOGIN_IP_MAX_FAILURES", "10")
    setting("APPRAISAL_TRUSTED_PROXIES", "127.0.0.1")  # the test client's address
    assert await spray(client) == [401] * 12
    assert not await LoginThrottle.filter(key="ip:127.0.0.1").exists()
    assert await LoginThrottle.filter(key__startswith="ip:203.0.113.", failures=1).count() == 12
    # The login page asks the same function.
    csrf = (await client.get("/login")).cookies["csrftoken"]
    r = await client.post("/login", headers={"X-Forwarded-For": "198.51.100.4"},
                          data={"username": "ghost", "password": "x", "csrf": csrf})
    assert r.status_code == 401
    assert (await LoginThrottle.get(key="ip:198.51.100.4")).failures == 1


@pytest.fixture
async def https_client(clean_db: str) -> AsyncIterator[AsyncClient]:
    from appraisal.app import create_app

    transport = httpx.ASGITransport(app=create_app(manage_db=False))
    async with AsyncClient(transport=transport, base_url="https://testserver") as c:
        yield c


def secure_flags(response: httpx.Response) -> dict[str, bool]:
    """Each cookie set, and whether it is marked Secure."""
    flags = {}
    for header in response.headers.get_list("set-cookie"):
        name = header.split("=", 1)[0]
        flags[name] = "secure" in [p.strip().lower() for p in header.split(";")]
    return flags


async def cookies_set(client: AsyncClient, headers: dict[str, str] | None = None) -> dict[str, bool]:
    """Secure flags of every cookie the app sets: page (csrftoken, lang), login, logout."""
    client.cookies.clear()
    flags = secure_flags(await client.get("/login?lang=en", headers=headers))
    login = await client.post(LOGIN, headers=headers, json={"username": "hr", "password": PASSWORD})
    flags |= secure_flags(login)
    logout = await client.post("/api/v1/auth/logout", headers={
        **(headers or {}), "Authorization": f"Bearer {login.json()['token']}"})
    flags |= {f"{name} (cleared)": secure for name, secure in secure_flags(logout).items()}
    return flags


NAMES = {"csrftoken", "lang", "appraisal_session", "appraisal_session (cleared)",
         "csrftoken (cleared)"}


async def test_cookies_are_secure_over_https(
        client: AsyncClient, https_client: AsyncClient, org: Org,
        setting: Callable[[str, str], None]) -> None:
    plain = await cookies_set(client)
    assert set(plain) == NAMES and not any(plain.values())
    assert await cookies_set(https_client) == dict.fromkeys(NAMES, True)
    # A client's own X-Forwarded-Proto is not believed...
    proto = {"X-Forwarded-Proto": "https"}
    assert not any((await cookies_set(client, proto)).values())
    # ...a trusted proxy's is.
    setting("APPRAISAL_TRUSTED_PROXIES", "127.0.0.0/8")
    assert await cookies_set(client, proto) == dict.fromkeys(NAMES, True)


async def test_cookie_secure_setting_marks_every_cookie(
        client: AsyncClient, org: Org, setting: Callable[[str, str], None]) -> None:
    setting("APPRAISAL_COOKIE_SECURE", "1")
    assert await cookies_set(client) == dict.fromkeys(NAMES, True)
