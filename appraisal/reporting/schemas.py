"""Response shapes of the monthly report batch (SPEC §8)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from appraisal.params import Timestamp


class SupersedingSnapshotOut(msgspec.Struct):
    """The close whose scores replaced the ones a batch was built from."""

    sequence: int
    content_hash: str
    created_at: Timestamp


class ReportJobOut(msgspec.Struct):
    id: int
    period: Annotated[str, msgspec.Meta(examples=["2026-11"])]
    status: Literal["queued", "running", "done", "failed"]
    total: int
    done: int
    progress: Annotated[str, msgspec.Meta(description="done / total, 3 decimals",
                                          examples=["0.500"])]
    error: str | None
    snapshot_hash: str
    size: Annotated[int, msgspec.Meta(description="bytes of the ZIP, once done")] | None
    download: str | None
    created_at: Timestamp
    finished_at: Timestamp | None
    superseded: Annotated[bool, msgspec.Meta(
        description="built from scores the month no longer has (it was reopened, and maybe "
                    "closed again): its PDFs and payroll files are not the current ones")]
    superseded_by: Annotated[SupersedingSnapshotOut | None, msgspec.Meta(
        description="the close that replaced them; null while the month is open again")]
