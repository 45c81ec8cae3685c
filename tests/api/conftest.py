"""Fixtures shared by the API tests."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.factories import Org, closed_month


@pytest.fixture
async def published(client: AsyncClient, org: Org) -> Org:
    """November closed, the pool allocated (A1 1500.00) and published."""
    await closed_month(client, org)
    h = org.h("hr")
    r = await client.post("/api/v1/periods/2026-11/incentives", headers=h, json={"pool": "4200.00"})
    assert r.status_code == 201
    await client.post("/api/v1/periods/2026-11/publish", headers=h)
    return org
