"""Bulk survey import (CSV or XLSX), all or nothing.

Columns: employee_no, received_at, attitude, quality, efficiency,
environment, overall, comment, external_id. Any bad row rejects the whole
file with every problem listed as {row, column, message} (row 1 is the
header); nothing is stored. Rows without an external_id get a fingerprint
of their content as one, so re-importing the same file adds nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from appraisal.actor import Actor
from appraisal.audit.service import record
from appraisal.clock import current_month, local, month_of
from appraisal.errors import Problem, Unprocessable
from appraisal.evidence.models import SURVEY_QUESTIONS as SCORES
from appraisal.evidence.models import SurveyResponse
from appraisal.periods.models import PeriodStatus
from appraisal.periods.service import ensure_period, get_period, lock_open_period, rulebook_for_month
from appraisal.staff.models import Employee

COLUMNS = ("employee_no", "received_at", "attitude", "quality", "efficiency", "environment",
           "overall", "comment", "external_id")
MAX_ROWS = 50_000


class UnsupportedFile(Problem):
    status_code = 415


def read_table(filename: str, data: bytes) -> list[list[Any]]:
    name = filename.lower()
    if name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")  # spreadsheets saved on Chinese Windows
            except UnicodeDecodeError:
                raise Unprocessable.field("file", "the CSV is neither UTF-8 nor GB18030 text") \
                    from None
        return [row for row in csv.reader(io.StringIO(text))]
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a damaged file
            raise Unprocessable.field("file", "the XLSX file cannot be read") from None
        ws = wb.worksheets[0]
        return [list(row) for row in ws.iter_rows(values_only=True)]
    raise UnsupportedFile("Upload a .csv or .xlsx file.")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _score(value: Any, scale: tuple[int, int]) -> int | None:
    text = _text(value)
    if not text:
        return None
    low, high = scale
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a number from {low} to {high}") from None
    if not number.is_integer() or not low <= number <= high:
        raise ValueError(f"'{text}' is not a whole number from {low} to {high}")
    return int(number)


def _timestamp(value: Any) -> datetime:
    if isinstance(value, datetime):
        return local(value)
    text = _text(value)
    if not text:
        raise ValueError("is required")
    try:
        return local(datetime.fromisoformat(text.replace("/", "-")))
    except ValueError:
        raise ValueError(f"'{text}' is not a date and time like 2026-11-05 10:30") from None


def _columns(table: list[list[Any]]) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Each column's index in the header, or the problems that reject the file before
    any row is read."""
    if not table:
        return {}, [{"row": 1, "column": None, "message": "the file is empty"}]
    header = [_text(h).lower() for h in table[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return {}, [{"row": 1, "column": c, "message": "column missing from the header"}
                    for c in missing]
    if len(table) - 1 > MAX_ROWS:
        return {}, [{"row": None, "column": None, "message": f"at most {MAX_ROWS} rows a file"}]
    return {c: header.index(c) for c in COLUMNS}, []


async def _row(
    n: int, cells: dict[str, Any], employees: dict[str, int],
    scales: dict[str, tuple[int, int]], seen: dict[str, int], errors: list[dict[str, Any]],
) -> dict[str, Any]:
    """Row `n` read into a survey; its problems are added to `errors`. `scales` caches
    a month's survey scale, `seen` the row each external_id was first on."""
    row: dict[str, Any] = {"row": n}

    def bad(column: str, message: str) -> None:
        errors.append({"row": n, "column": column, "message": message})

    employee_no = _text(cells["employee_no"])
    if employee_no not in employees:
        bad("employee_no", f"no employee with employee_no '{employee_no}'" if employee_no
            else "is required")
    else:
        row["employee_id"] = employees[employee_no]
    try:
        row["received_at"] = _timestamp(cells["received_at"])
    except ValueError as exc:
        bad("received_at", str(exc))
    # The survey scale of the rulebook that judges the row's month.
    month = month_of(row["received_at"]) if "received_at" in row else current_month()
    if month not in scales:
        scales[month] = (await rulebook_for_month(month)).survey_scale
    for q in SCORES:
        try:
            row[q] = _score(cells[q], scales[month])
        except ValueError as exc:
            bad(q, str(exc))
    if all(row.get(q) is None for q in SCORES) and not any(
            e["row"] == n and e["column"] in SCORES for e in errors):
        bad("attitude", "a survey needs at least one score")
    row["comment"] = _text(cells["comment"])[:4000]
    external_id = _text(cells["external_id"])
    if len(external_id) > 100:
        bad("external_id", "at most 100 characters")
    if not external_id and "received_at" in row:
        fingerprint = "|".join(str(row.get(k, "")) for k in (
            "employee_id", "received_at", *SCORES, "comment"))
        external_id = "fp:" + hashlib.sha256(fingerprint.encode()).hexdigest()[:40]
    if external_id in seen:
        bad("external_id", f"repeats row {seen[external_id]}")
    seen[external_id] = n
    row["external_id"] = external_id
    return row


async def parse(table: list[list[Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    index, problems = _columns(table)
    if problems:
        return [], problems
    employees = dict(await Employee.all().values_list("employee_no", "id"))
    errors: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    scales: dict[str, tuple[int, int]] = {}
    for n, raw in enumerate(table[1:], start=2):
        cells = {c: (raw[i] if i < len(raw) else None) for c, i in index.items()}
        if all(_text(v) == "" for v in cells.values()):
            continue  # blank line
        rows.append(await _row(n, cells, employees, scales, seen, errors))
    return rows, errors


async def import_surveys(actor: Actor, filename: str, data: bytes) -> dict[str, int]:
    rows, errors = await parse(read_table(filename, data))
    if not errors:
        months = {month_of(r["received_at"]) for r in rows}
        for month in sorted(months):
            period = await get_period(month)
            if period is not None and period.status != PeriodStatus.open:
                for r in rows:
                    if month_of(r["received_at"]) == month:
                        errors.append({"row": r["row"], "column": "received_at",
                                       "message": f"period {month} is {period.status.value}"})
    if errors:
        errors.sort(key=lambda e: (e["row"] or 0, e["column"] or ""))
        first = errors[0]
        raise Unprocessable(
            f"{len(errors)} problem(s); nothing was imported. First: row {first['row']}, "
            f"{first['column']}: {first['message']}",
            errors=errors,
        )
    existing = set(await SurveyResponse.filter(
        external_id__in=[r["external_id"] for r in rows]).values_list("external_id", flat=True))
    new = [r for r in rows if r["external_id"] not in existing]
    periods = {m: await ensure_period(actor, m) for m in {month_of(r["received_at"]) for r in new}}
    async with in_transaction():
        for period in periods.values():
            await lock_open_period(period.id)
        await SurveyResponse.bulk_create([
            SurveyResponse(
                employee_id=r["employee_id"], period_id=periods[month_of(r["received_at"])].id,
                received_at=r["received_at"], comment=r["comment"], external_id=r["external_id"],
                recorded_by_id=actor.id, **{q: r[q] for q in SCORES},
            )
            for r in new
        ], batch_size=500)
        result = {"imported": len(new), "skipped_duplicates": len(rows) - len(new)}
        await record(actor, "import", "survey", filename[:64], after={
            **result, "file": filename, "sha256": hashlib.sha256(data).hexdigest()})
    return result
