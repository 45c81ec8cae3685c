"""Where the report queue runs and how it connects."""

from __future__ import annotations

from appraisal.reporting.queue import conninfo, uses_queue


def test_queue_only_on_postgres() -> None:
    assert uses_queue("postgres://u@h:5432/db")
    assert not uses_queue("sqlite://data/appraisal.sqlite3")


def test_conninfo_keeps_the_schema_as_search_path() -> None:
    assert conninfo("postgres://postgres@127.0.0.1:5432/test?schema=t_1") == (
        "postgresql://postgres@127.0.0.1:5432/test?options=-csearch_path%3Dt_1")
    assert conninfo("postgres://u:p@db/prod") == "postgresql://u:p@db/prod"
