"""`appraisal publish --discard-stale-incentives` reaches the service; without it, not."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from appraisal import cli


@pytest.mark.parametrize(("flags", "discard"), [([], False),
                                                (["--discard-stale-incentives"], True)])
def test_publish_passes_the_discard_choice(
    monkeypatch: pytest.MonkeyPatch, flags: list[str], discard: bool
) -> None:
    calls: list[dict[str, Any]] = []

    async def publish_period(actor: object, month: str, **kwargs: Any) -> None:
        calls.append({"month": month, **kwargs})

    async def no_db(work: Callable[[], Awaitable[Any]]) -> Any:
        return await work()

    import appraisal.incentives.service as incentives

    monkeypatch.setattr(incentives, "publish_period", publish_period)
    monkeypatch.setattr(cli, "_with_db", no_db)
    assert cli.main(["publish", "2026-10", *flags]) == 0
    assert calls == [{"month": "2026-10", "discard_stale_incentives": discard}]
