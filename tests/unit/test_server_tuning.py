"""What the server sets up for the write path: the PostgreSQL pool (no reset query on
release, ten connections unless the URL says otherwise) and the collector (start-up
objects frozen, so that full collections do not pause requests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from appraisal.db import _connection, _keep_session

ROOT = Path(__file__).resolve().parents[2]


def test_the_postgres_pool_keeps_sessions_and_has_ten_connections() -> None:
    config = _connection("postgres://app@db.example:5432/appraisal")
    assert isinstance(config, dict)
    assert config["credentials"]["reset"] is _keep_session
    assert config["credentials"]["maxsize"] == "10"
    chosen = _connection("postgres://app@db.example:5432/appraisal?maxsize=3")
    assert isinstance(chosen, dict) and chosen["credentials"]["maxsize"] == "3"
    assert _connection("sqlite://data/x.sqlite3") == "sqlite://data/x.sqlite3"


def test_start_up_objects_are_frozen_out_of_the_collector(tmp_path: Path) -> None:
    script = f"""
import asyncio, gc
from appraisal.app import create_app

async def main():
    app = create_app("sqlite://{tmp_path / 'app.sqlite3'}", manage_db=False)
    before = gc.get_freeze_count()
    async with app.lifespan():
        print(before, gc.get_freeze_count())

asyncio.run(main())
"""
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    before, during = map(int, out.stdout.split())
    assert before == 0 and during > 10_000
