"""Hostile and odd requests from outside: whatever arrives, the answer is a 4xx (or
a 2xx), never a 5xx, and a refused request writes nothing."""

from __future__ import annotations

import re

import pytest
from httpx import AsyncClient

from tests.conftest import Org


def _paths() -> list[str]:
    """Every route of the app, its path parameters filled with plausible values."""
    from appraisal.app import create_app

    app = create_app(manage_db=False)
    filled = {"int": "1", "str": "2026-11"}
    out = set()
    for route in app.routes:
        out.add(re.sub(r"\{[^:}]+:([a-z]+)\}", lambda m: filled.get(m.group(1), "x"), route.path))
    return sorted(out)


@pytest.mark.parametrize("method", ["OPTIONS", "HEAD"])
async def test_options_and_head_never_fail_on_any_route(
        client: AsyncClient, org: Org, method: str) -> None:
    paths = _paths()
    assert len(paths) > 40
    failures = []
    for path in paths:
        for headers in ({}, org.h("hr"), org.h("emp_a1")):
            r = await client.request(method, path, headers=headers)
            if r.status_code >= 500:
                failures.append((path, r.status_code, r.text[:120]))
    assert failures == []


async def test_options_lists_the_methods_without_a_login(client: AsyncClient) -> None:
    r = await client.options("/api/v1/inspections")
    assert r.status_code == 204
    assert "POST" in {m.strip() for m in r.headers["allow"].split(",")}
    # The methods themselves still need a login.
    assert (await client.get("/api/v1/inspections")).status_code == 401
