"""The `appraisal` command line, run as a user would (own SQLite file)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BACKEND

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="CLI runs on its own SQLite file")


def run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite://{db}", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "appraisal.cli", *args], env=env,
                          capture_output=True, text=True, timeout=120)


def test_rules_check_reports_good_and_bad_files(tmp_path: Path) -> None:
    ok = run(tmp_path / "x.sqlite3", "rules", "check", "criteria/service_standards.toml")
    assert ok.returncode == 0 and "version 2026.1" in ok.stdout
    bad = tmp_path / "bad.toml"
    text = Path("criteria/service_standards.toml").read_text("utf-8")
    bad.write_text(text.replace("weight = 25", "weight = 24", 1), "utf-8")
    out = run(tmp_path / "x.sqlite3", "rules", "check", str(bad))
    assert out.returncode == 1
    assert "bad.toml" in out.stdout and "100" in out.stdout


def test_migrate_create_user_score_close_publish(tmp_path: Path) -> None:
    db = tmp_path / "cli.sqlite3"
    assert run(db, "migrate").returncode == 0
    assert run(db, "migrate").returncode == 0  # idempotent
    r = run(db, "create-user", "--username", "boss", "--password", "boss-pass-1", "--role", "admin")
    assert r.returncode == 0, r.stderr
    r = run(db, "create-user", "--username", "boss", "--password", "boss-pass-1", "--role", "admin")
    assert r.returncode == 2 and "already taken" in r.stdout
    r = run(db, "create-user", "--username", "x", "--password", "long-pass-1", "--role", "supervisor",
            "--team", "No such team")
    assert r.returncode == 2
    r = run(db, "score", "2026-11")
    assert r.returncode == 2 and "does not exist" in r.stdout
    r = run(db, "close", "2026-11")
    assert r.returncode == 2


def test_tallies_check_finds_drift_and_rebuild_mends_it(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "t.sqlite3"
    assert run(db, "migrate").returncode == 0
    assert run(db, "demo").returncode == 0
    ok = run(db, "tallies", "check")
    assert ok.returncode == 0 and "match" in ok.stdout, ok.stdout + ok.stderr
    with sqlite3.connect(db) as conn:  # evidence changed behind the writes' back
        conn.execute("UPDATE inspection SET voided_at = '2026-11-02 00:00:00' WHERE id = "
                     "(SELECT MIN(inspection_id) FROM inspection_item WHERE points IS NOT NULL)")
    bad = run(db, "tallies", "check")
    assert bad.returncode == 1 and "differ" in bad.stdout, bad.stdout
    assert run(db, "tallies", "rebuild").returncode == 0
    assert run(db, "tallies", "check").returncode == 0
