"""The criteria directory is listed again only when it changes (one stat per look-up),
and a rulebook file edited in place is still noticed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from appraisal.rulebook import available_rulebooks, get_rulebook, store

TEXT = (Path(__file__).resolve().parents[2] / "criteria" / "service_standards.toml").read_text(
    "utf-8")


@pytest.fixture()
def criteria(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "service_standards.toml").write_text(TEXT, "utf-8")
    monkeypatch.setenv("APPRAISAL_CRITERIA_DIR", str(tmp_path))
    return tmp_path


def test_a_look_up_does_not_list_an_unchanged_directory(
    criteria: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    get_rulebook()

    def no_listing(*_: object) -> None:
        raise AssertionError("the directory was listed again")

    monkeypatch.setattr(store.os, "scandir", no_listing)
    assert get_rulebook().version == "2026.1"


def test_a_file_added_to_the_directory_is_seen(criteria: Path) -> None:
    assert set(available_rulebooks()) == {"2026.1"}
    (criteria / "later.toml").write_text(TEXT.replace('version = "2026.1"', 'version = "2031.1"'),
                                         "utf-8")
    assert set(available_rulebooks()) == {"2026.1", "2031.1"}
    assert get_rulebook("2031.1").version == "2031.1"


def test_a_version_changed_in_place_is_listed_again(criteria: Path) -> None:
    path = criteria / "service_standards.toml"
    get_rulebook("2026.1")
    stamp = os.stat(criteria).st_mtime_ns
    path.write_text(TEXT.replace('version = "2026.1"', 'version = "2031.1"'), "utf-8")
    os.utime(path, ns=(1, 1))
    os.utime(criteria, ns=(stamp, stamp))  # the directory itself looks unchanged
    with pytest.raises(KeyError, match=r"available: 2031\.1"):
        get_rulebook("2026.1")
    assert set(available_rulebooks()) == {"2031.1"}
    assert get_rulebook("2031.1").version == "2031.1"
