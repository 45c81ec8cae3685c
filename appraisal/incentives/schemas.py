"""Request and response shapes of incentive allocations (SPEC §6, §8).

Money travels as strings of decimals with 2 places ("10000.00").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import msgspec

from appraisal.params import Grade, Money, Timestamp
from appraisal.scoring.schemas import ScoredEmployee


class AllocationIn(msgspec.Struct, forbid_unknown_fields=True):
    pool: Annotated[Decimal, msgspec.Meta(examples=["10000.00"])]
    team_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)] | None = None
    cap: Decimal | None = None
    currency: Annotated[str, msgspec.Meta(pattern="^[A-Z]{3}$")] = "CNY"


class PublishIn(msgspec.Struct, forbid_unknown_fields=True):
    discard_stale_incentives: Annotated[bool, msgspec.Meta(
        description="remove allocations made on superseded scores (audited) and publish")] = False


class ShareOut(ScoredEmployee):
    """One employee's share of the pool."""

    grade: Grade | None
    coefficient: Annotated[str, msgspec.Meta(examples=["1.5"])]
    amount: Money
    service_star: bool


class ServiceStarOut(ScoredEmployee):
    """A team's 服务之星 of the month."""


class AllocationOut(msgspec.Struct):
    id: int
    period: str
    team_id: int | None
    team: str | None
    currency: str
    pool: Money
    cap: Money | None
    allocated: Money
    unallocated: Money
    allocations: list[ShareOut]
    service_stars: list[ServiceStarOut]
    snapshot_id: int
    stale: Annotated[bool, msgspec.Meta(
        description="the month was reopened and closed again since: allocate anew")]
    created_at: Timestamp
