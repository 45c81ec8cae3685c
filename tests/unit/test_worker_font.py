"""A worker on a machine without the report font refuses to start: its share of a
batch would print boxes for Chinese beside the pages of the other workers."""

from __future__ import annotations

import shutil
from collections.abc import Callable

import pytest

from appraisal import cli
from appraisal.reporting import system


@pytest.mark.skipif(shutil.which("fc-list") is None, reason="fontconfig's fc-list is missing")
def test_the_report_font_is_found_and_a_missing_one_is_not() -> None:
    assert system.font_installed() is True  # `make install` puts fonts-noto-cjk on this machine
    assert system.font_installed("No Such Font 7") is False
    assert not [p for p in system.missing_system_pieces() if "fonts-noto-cjk" in p]


def test_no_fc_list_means_the_font_cannot_be_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(system.shutil, "which", lambda _: None)
    assert system.font_installed() is None


def test_a_worker_without_the_font_does_not_start(
    monkeypatch: pytest.MonkeyPatch, setting: Callable[[str, str], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    setting("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")  # never reached
    monkeypatch.setattr(system, "font_installed", lambda family=system.REPORT_FONT: False)
    assert cli.main(["worker"]) == 2
    assert "Noto Sans CJK SC is missing" in capsys.readouterr().out
