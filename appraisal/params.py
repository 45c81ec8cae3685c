"""Parameter and value types shared by the route handlers and the response schemas."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar.params import Parameter

# Ids are 32-bit in the database: a larger number is a bad request, not a crash.
PathId = Annotated[int, Parameter(ge=1, le=2**31 - 1)]

# How published figures and times travel (SPEC §8): strings, never floats.
Score = Annotated[str, msgspec.Meta(description="a score, 2 decimals", examples=["96.71"])]
Money = Annotated[str, msgspec.Meta(description="an amount, 2 decimals", examples=["3571.43"])]
Timestamp = Annotated[str, msgspec.Meta(description="ISO 8601 with offset",
                                        examples=["2026-12-01T09:00:00+08:00"])]
# The grade codes are part of the contract (rulebook.GRADES holds the same four).
Grade = Literal["excellent", "good", "pass", "needs_improvement"]
