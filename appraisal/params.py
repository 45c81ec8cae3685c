"""Parameter types shared by the route handlers."""

from __future__ import annotations

from typing import Annotated

from litestar.params import Parameter

# Ids are 32-bit in the database: a larger number is a bad request, not a crash.
PathId = Annotated[int, Parameter(ge=1, le=2**31 - 1)]
