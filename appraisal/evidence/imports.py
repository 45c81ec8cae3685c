"""Bulk survey import (CSV or XLSX), all or nothing.

Columns: employee_no, received_at, attitude, quality, efficiency,
environment, overall, comment, external_id. Any bad row rejects the whole
file with every problem listed as {row, column, message} (row 1 is the
header); nothing is stored: no survey, no period, no audit row. Rows without
an external_id get a fingerprint of their content as one, so re-importing the
same file adds nothing.

An upload is untrusted: the route caps its size, and reading it is bounded
here (rows, columns, cells, characters a cell, and for an XLSX the size its
zip unpacks to, checked before anything is unpacked). Reading and checking
the rows is CPU work, done in a worker thread so that the event loop keeps
serving everyone else; the database work is one transaction, its statements
cut into chunks that PostgreSQL's 32,767 bind parameters a statement allow.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import anyio.to_thread
from litestar.datastructures import UploadFile
from tortoise.transactions import in_transaction

from appraisal.actor import Actor
from appraisal.audit.service import record
from appraisal.clock import current_month, happened, month_of
from appraisal.config import get_settings
from appraisal.errors import Message, PayloadTooLarge, Problem, Unprocessable, field_message
from appraisal.evidence import tallies
from appraisal.evidence.models import SURVEY_QUESTIONS as SCORES
from appraisal.evidence.models import SurveyResponse
from appraisal.periods.models import Period, PeriodStatus
from appraisal.periods.service import (
    ensure_period,
    get_period,
    lock_open_period,
    newest_in_effect,
    rulebook_of,
)
from appraisal.staff.models import Employee

COLUMNS = ("employee_no", "received_at", "attitude", "quality", "efficiency", "environment",
           "overall", "comment", "external_id")

# What one file may hold. The upload itself is capped by APPRAISAL_MAX_UPLOAD_BYTES.
MAX_ROWS = 50_000  # rows of data; blank rows are not counted...
MAX_SCANNED_ROWS = 2 * MAX_ROWS  # ...but no file is read further than this below its header
MAX_COLUMNS = 50  # cells a row, up to its last non-empty one
MAX_CELLS = 1_000_000  # cells a file: 50,000 rows of 20 columns
MAX_CELL_CHARS = 10_000  # characters a cell of the survey columns
COMMENT_CHARS = 4_000  # what a comment keeps
# An XLSX is a zip: what its directory declares is checked before anything is
# unpacked (Python's zipfile never unpacks a member past its declared size).
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_RATIO = 200  # unpacked : packed of a member over RATIO_FROM bytes; spreadsheets stay far below
RATIO_FROM = 1024 * 1024
MAX_ZIP_MEMBERS = 1_000
MAX_LISTED = 1_000  # problems listed in one answer (the detail gives their number)
CHUNK = 1_000  # rows or values a statement


async def read_upload(upload: object) -> bytes:
    """An uploaded table's bytes (a survey or staff file sent from a page): 422 naming
    `file` when none was chosen, 413 past APPRAISAL_MAX_UPLOAD_BYTES, read no further."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise Unprocessable.field("file", "choose a CSV or XLSX file", code="file_missing")
    limit = get_settings().max_upload_bytes
    content = await upload.read(limit + 1)
    if len(content) > limit:
        raise PayloadTooLarge(field_message("file", "larger than %(kb)s KB",
                                            code="file_too_large", kb=limit // 1024))
    return content


class UnsupportedFile(Problem):
    status_code = 415


def _refusal(errors: list[dict[str, Any]]) -> Unprocessable:
    """The 422 that rejects the whole file, listing its problems row by row."""
    errors = sorted(errors, key=lambda e: (e["row"] or 0, e["column"] or ""))
    first = errors[0]
    where = (Message("at_row_column", "row %(row)s, %(column)s", row=first["row"],
                     column=first["column"]) if first["column"]
             else Message("at_row", "row %(row)s", row=first["row"]))
    listed = "" if len(errors) <= MAX_LISTED else Message(
        "first_listed", " (the first %(limit)s listed)", limit=MAX_LISTED)
    return Unprocessable(
        "%(count)s problem(s)%(listed)s; nothing was imported. First: %(where)s: %(message)s",
        code="import_refused", count=len(errors), listed=listed, where=where,
        message=first["message"], errors=errors[:MAX_LISTED],
    )


def _file_problem(message: str, code: str, **params: Any) -> Unprocessable:
    return Unprocessable.field("file", message, code=code, **params)


def _reason(exc: ValueError) -> Message:
    """The message a cell's check raised (a Message), or the exception's own words."""
    said = exc.args[0] if exc.args else ""
    return said if isinstance(said, Message) else Message("invalid_value", "%(reason)s",
                                                          reason=str(exc))


# --- Reading the file (in a worker thread) -------------------------------------------


class _BadRecord(Exception):
    """A CSV record the csv module refused: its row and, when it could be told, the index
    of the cell that broke the limit."""

    def __init__(self, row: int, index: int | None, message: Message) -> None:
        super().__init__(message)
        self.row, self.index, self.message = row, index, message


def _long_field(record: str, limit: int) -> int | None:
    """The index of the first field longer than `limit` in the raw text of a CSV record
    (quotes are not counted; a doubled quote is close enough)."""
    index = length = 0
    for k, part in enumerate(record.split('"')):
        pieces = [part] if k % 2 else part.split(",")  # odd parts lie between quotes
        for j, piece in enumerate(pieces):
            if j:
                index, length = index + 1, 0
            length += len(piece)
            if length > limit:
                return index
    return None


def _csv_lines(data: bytes) -> Iterator[Sequence[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")  # spreadsheets saved on Chinese Windows
        except UnicodeDecodeError:
            raise _file_problem("the CSV is neither UTF-8 nor GB18030 text",
                                "not_utf8_or_gb18030") from None
    pending: list[str] = []  # the raw lines of the record being read

    def lines() -> Iterator[str]:
        for line in io.StringIO(text, newline=""):
            pending.append(line)
            yield line

    reader = csv.reader(lines())
    for n in range(1, MAX_SCANNED_ROWS + 3):  # the header, the rows, one row too many
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # The csv module takes no field over csv.field_size_limit() (131,072
            # characters); a record it refuses cannot be read on from.
            if "field larger than field limit" in str(exc):
                raise _BadRecord(n, _long_field("".join(pending), csv.field_size_limit()),
                                 _too_long()) from None
            raise _BadRecord(n, None, Message("csv_unreadable", "cannot be read as CSV: %(reason)s",
                                              reason=str(exc))) from None
        pending.clear()
        yield row


def _check_zip(data: bytes) -> None:
    """Refuse an XLSX by what its zip directory declares, before anything is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise _file_problem("not an XLSX file (an XLSX is a zip archive; save the sheet "
                            "as .xlsx or .csv)", "not_xlsx") from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise _file_problem("not a spreadsheet: more than %(max)s parts", "too_many_parts",
                            max=MAX_ZIP_MEMBERS)
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise _file_problem("too large when unpacked (%(mb)s MB; at most %(max)s MB)",
                            "unpacks_too_large", mb=f"{unpacked // 2**20:,}",
                            max=MAX_UNPACKED_BYTES // 2**20)
    for m in members:
        if m.file_size > RATIO_FROM and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise _file_problem("too large when unpacked (%(part)s packs %(ratio)s to 1; a "
                                "spreadsheet packs less than %(max)s to 1)", "packs_too_tight",
                                part=m.filename,
                                ratio=f"{m.file_size // max(m.compress_size, 1):,}",
                                max=MAX_RATIO)


def _workbook(data: bytes) -> Any:
    """The workbook, read-only: its sheets are read row by row when asked.

    openpyxl's read-only sheet looks for the sheet's <dimension> first and, when
    the file has none, parses the whole sheet to find out: a zip bomb's million
    rows, before the first row is handed out. These sheets skip that; a row is
    only as wide as its own cells then.
    """
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    class Sheet(ReadOnlyWorksheet):  # type: ignore[misc]
        def _get_size(self) -> None:
            return None

    class Reader(ExcelReader):  # type: ignore[misc]
        def read_worksheets(self) -> None:
            for sheet, rel in self.parser.find_sheets():
                if rel.target not in self.valid_files:
                    continue
                if "chartsheet" in rel.Type:
                    self.read_chartsheet(sheet, rel)
                    continue
                ws = Sheet(self.wb, sheet.name, rel.target, self.shared_strings)
                ws.sheet_state = sheet.state
                self.wb._sheets.append(ws)

    reader = Reader(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    try:
        reader.read()
    except BaseException:
        reader.archive.close()
        raise
    return reader.wb


def _xlsx_lines(data: bytes) -> Iterator[Sequence[Any]]:
    _check_zip(data)
    unreadable = "the XLSX file cannot be read (damaged, or not a workbook)"
    try:
        wb = _workbook(data)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise _file_problem(unreadable, "xlsx_unreadable") from None
    try:
        if not wb.worksheets:
            raise _file_problem("the XLSX file has no worksheet", "no_worksheet")
        rows = wb.worksheets[0].iter_rows(values_only=True)
        for _ in range(MAX_SCANNED_ROWS + 2):  # the header, the rows, one row too many
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception:
                raise _file_problem(unreadable, "xlsx_unreadable") from None
            yield row
    finally:
        wb.close()


def _width(row: Sequence[Any]) -> int:
    """Cells up to the last non-empty one (spreadsheets pad rows with empty cells)."""
    width = len(row)
    while width and (row[width - 1] is None or row[width - 1] == ""):
        width -= 1
    return width


def _limit(row: int, message: Message) -> Unprocessable:
    return _refusal([{"row": row, "column": None, "message": message}])


def _too_long() -> Message:
    return Message("cell_too_long", "longer than %(max)s characters", max=f"{MAX_CELL_CHARS:,}")


def _too_many_rows() -> Message:
    return Message("too_many_rows", "at most %(max)s rows a file", max=f"{MAX_ROWS:,}")


def _rows(lines: Iterator[Sequence[Any]], columns: Sequence[str] = COLUMNS,
          optional: Sequence[str] = ()) -> list[tuple[int, tuple[Any, ...]]]:
    header: list[str] | None = None
    index: list[int] = []
    rows: list[tuple[int, tuple[Any, ...]]] = []
    cells = 0
    try:
        for n, line in enumerate(lines, start=1):
            width = _width(line)
            if width > MAX_COLUMNS:
                raise _limit(n, Message("too_many_columns", "at most %(max)s columns a row",
                                        max=MAX_COLUMNS))
            cells += width
            if cells > MAX_CELLS:
                raise _limit(n, Message("too_many_cells", "at most %(max)s cells a file",
                                        max=f"{MAX_CELLS:,}"))
            if header is None:
                header = [_text(h).lower() for h in line[:width]]
                missing = [c for c in columns if c not in header]
                if missing:
                    raise _refusal([{"row": 1, "column": c, "message": Message(
                        "column_missing", "column missing from the header")} for c in missing])
                # An optional column left out reads as empty cells (index past any row).
                index = [header.index(c) for c in columns] + [
                    header.index(c) if c in header else MAX_COLUMNS for c in optional]
                continue
            if n - 1 > MAX_SCANNED_ROWS:
                raise _limit(n, Message(
                    "too_many_rows", "at most %(max)s rows a file (and the sheet ends within "
                    "%(scanned)s rows, blank ones included)", max=f"{MAX_ROWS:,}",
                    scanned=f"{MAX_SCANNED_ROWS:,}"))
            values = tuple(line[i] if i < width else None for i in index)
            if all(v is None or _text(v) == "" for v in values):
                continue  # blank line
            if len(rows) == MAX_ROWS:
                raise _limit(n, _too_many_rows())
            rows.append((n, values))
    except _BadRecord as bad:
        column = None
        if header is not None and bad.index is not None and bad.index < len(header):
            column = header[bad.index] or None
        raise _refusal([{"row": bad.row, "column": column, "message": bad.message}]) from None
    if header is None:
        raise _refusal([{"row": 1, "column": None,
                         "message": Message("file_empty", "the file is empty")}])
    return rows


def read_table(filename: str, data: bytes, columns: Sequence[str] = COLUMNS,
               optional: Sequence[str] = ()) -> list[tuple[int, tuple[Any, ...]]]:
    """The data rows of an upload: (row number, the cell under each of `columns`, then
    each of `optional`), blank rows left out; row 1 is the header. A 415 for a file that
    is neither CSV nor XLSX, a 422 for one that cannot be read or breaks a limit.
    CPU-bound: run it off the loop."""
    name = filename.lower()
    if name.endswith(".csv"):
        lines = _csv_lines(data)
    elif name.endswith(".xlsx"):
        lines = _xlsx_lines(data)
    else:
        raise UnsupportedFile("Upload a .csv or .xlsx file.", code="unsupported_file")
    with closing(lines):
        return _rows(lines, columns, optional)


# --- Checking the rows (in a worker thread) ------------------------------------------


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
        raise ValueError(Message("not_a_score", "'%(value)s' is not a number from %(low)s to "
                                 "%(high)s", value=text, low=low, high=high)) from None
    if not number.is_integer() or not low <= number <= high:
        raise ValueError(Message("score_out_of_scale", "'%(value)s' is not a whole number from "
                                 "%(low)s to %(high)s", value=text, low=low, high=high))
    return int(number)


def _message(problem: Unprocessable) -> Message:
    return (problem.errors or [{}])[0].get("message") or problem.message


def _timestamp(value: Any) -> datetime:
    """A time the survey was received: local, not before 2000, not ahead of the clock."""
    if isinstance(value, datetime):
        ts = value
    else:
        text = _text(value)
        if not text:
            raise ValueError(Message("required", "is required"))
        try:
            ts = datetime.fromisoformat(text.replace("/", "-"))
        except ValueError:
            raise ValueError(Message("not_a_time", "'%(value)s' is not a date and time like "
                                     "2026-11-05 10:30", value=text)) from None
    try:
        return happened(ts, "received_at")
    except Unprocessable as problem:
        raise ValueError(_message(problem)) from None


@dataclass
class _Check:
    """What checking the rows needs from the database, read before, and what it finds."""

    employees: dict[str, int]
    periods: dict[str, Period]
    scales: dict[str, tuple[int, int]] = field(default_factory=dict)
    seen: dict[str, int] = field(default_factory=dict)  # external_id -> its first row
    errors: list[dict[str, Any]] = field(default_factory=list)

    left: dict[str, date] = field(default_factory=dict)  # employee_no -> left_on

    def after_leaving(self, n: int, employee_no: str, received: Any) -> None:
        """A problem for row `n` when it is dated after its employee's last day."""
        left_on = self.left.get(employee_no)
        try:
            day = _timestamp(received).date()
        except ValueError:
            return  # the time's own problem is listed
        if left_on is not None and day > left_on:
            self.errors.append({"row": n, "column": "employee_no", "message": Message(
                "employee_left", "%(employee_no)s left on %(left_on)s: no evidence after that "
                "day", employee_no=employee_no, left_on=left_on.isoformat())})

    def scale(self, month: str) -> tuple[int, int]:
        """The survey scale of the rulebook that judges `month`: its period's, or the one
        a new period would pin."""
        if month not in self.scales:
            period = self.periods.get(month)
            book = rulebook_of(period) if period is not None else newest_in_effect(month)
            self.scales[month] = book.survey_scale
        return self.scales[month]


def _row(n: int, cells: dict[str, Any], check: _Check) -> dict[str, Any]:
    """Row `n` read into a survey; its problems are added to `check.errors`."""
    row: dict[str, Any] = {"row": n}
    errors: list[dict[str, Any]] = []

    def bad(column: str, message: Message) -> None:
        errors.append({"row": n, "column": column, "message": message})

    unusable: set[str] = set()  # cells already refused, read no further
    for column in COLUMNS:
        text = _text(cells[column])
        if len(text) > MAX_CELL_CHARS:
            bad(column, _too_long())
        elif "\x00" in text:  # PostgreSQL keeps no NUL in text
            bad(column, Message("nul_character", "contains a NUL character"))
        else:
            continue
        unusable.add(column)
        cells[column] = None
    employee_no = _text(cells["employee_no"])
    if employee_no in check.employees:
        row["employee_id"] = check.employees[employee_no]
        check.after_leaving(n, employee_no, cells["received_at"])
    elif "employee_no" not in unusable:
        bad("employee_no", Message("employee_no_unknown", "no employee with employee_no "
                                   "'%(employee_no)s'", employee_no=employee_no) if employee_no
            else Message("required", "is required"))
    if "received_at" not in unusable:
        try:
            row["received_at"] = _timestamp(cells["received_at"])
        except ValueError as exc:
            bad("received_at", _reason(exc))
    scale = check.scale(month_of(row["received_at"]) if "received_at" in row else current_month())
    for q in SCORES:
        try:
            row[q] = _score(cells[q], scale)
        except ValueError as exc:
            bad(q, _reason(exc))
    if all(row.get(q) is None for q in SCORES) and not any(
            e["column"] in SCORES for e in errors):
        bad("attitude", Message("survey_empty", "a survey needs at least one score"))
    row["comment"] = _text(cells["comment"])[:COMMENT_CHARS]
    external_id = _text(cells["external_id"])
    if len(external_id) > 100:
        bad("external_id", Message("too_long", "at most %(max)s characters", max=100))
    if not external_id and "received_at" in row:
        fingerprint = "|".join(str(row.get(k, "")) for k in (
            "employee_id", "received_at", *SCORES, "comment"))
        external_id = "fp:" + hashlib.sha256(fingerprint.encode()).hexdigest()[:40]
    if external_id:
        if external_id in check.seen:
            bad("external_id", Message("repeats_row", "repeats row %(row)s",
                                       row=check.seen[external_id]))
        else:
            check.seen[external_id] = n
    row["external_id"] = external_id
    check.errors += errors
    return row


def parse(table: list[tuple[int, tuple[Any, ...]]], check: _Check) -> list[dict[str, Any]]:
    """The rows read into surveys; their problems land in `check.errors`."""
    return [_row(n, dict(zip(COLUMNS, values, strict=True)), check) for n, values in table]


# --- Storing (one transaction) -------------------------------------------------------


async def _known(external_ids: list[str]) -> set[str]:
    """Which of `external_ids` are stored already, CHUNK at a time."""
    known: set[str] = set()
    for start in range(0, len(external_ids), CHUNK):
        known.update(await SurveyResponse.filter(
            external_id__in=external_ids[start:start + CHUNK]).values_list("external_id", flat=True))
    return known


async def _periods(actor: Actor, rows: list[dict[str, Any]], known: set[str],
                   errors: list[dict[str, Any]]) -> dict[str, Period]:
    """Inside the import's transaction: the open period of each month the new rows fall in,
    opened when evidence may open it; a problem for each row whose month cannot take it."""
    by_month: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        if "received_at" in r:
            by_month.setdefault(month_of(r["received_at"]), []).append(r)
    periods: dict[str, Period] = {}
    for month, group in sorted(by_month.items()):
        new = [r for r in group if r["external_id"] not in known]
        try:
            period = await (ensure_period(actor, month, "received_at") if new
                            else get_period(month))
        except Unprocessable as problem:  # an old month HR has not opened
            errors += [{"row": r["row"], "column": "received_at", "message": _message(problem)}
                       for r in new]
            continue
        if period is None:
            continue
        if period.status != PeriodStatus.open:
            errors += [{"row": r["row"], "column": "received_at",
                        "message": Message("period_not_open", "period %(month)s is "
                                           "%(period_status)s", month=month,
                                           period_status=period.status.value)}
                       for r in group]
            continue
        if new:
            periods[month] = period
    return periods


async def import_surveys(actor: Actor, filename: str, data: bytes) -> dict[str, int]:
    table = await anyio.to_thread.run_sync(read_table, filename, data)
    check = _Check(employees=dict(await Employee.all().values_list("employee_no", "id")),
                   periods={p.month: p for p in await Period.all()},
                   left=dict(await Employee.filter(left_on__isnull=False).values_list(
                       "employee_no", "left_on")))
    rows = await anyio.to_thread.run_sync(parse, table, check)
    errors = check.errors
    async with in_transaction():
        # Everything from here is one transaction: a refusal leaves no period opened
        # for the file, no survey and no audit row behind.
        known = await _known([r["external_id"] for r in rows if r["external_id"]])
        periods = await _periods(actor, rows, known, errors)
        if errors:
            raise _refusal(errors)
        for period in periods.values():
            await lock_open_period(period.id)
        new = [r for r in rows if r["external_id"] not in known]
        for start in range(0, len(new), CHUNK):
            await SurveyResponse.bulk_create([
                SurveyResponse(
                    employee_id=r["employee_id"], period_id=periods[month_of(r["received_at"])].id,
                    received_at=r["received_at"], comment=r["comment"],
                    external_id=r["external_id"], recorded_by_id=actor.id,
                    **{q: r[q] for q in SCORES},
                )
                for r in new[start:start + CHUNK]
            ])
        await tallies.add([], [
            tallies.survey_row(periods[month_of(r["received_at"])].id, r["employee_id"], r)
            for r in new])
        result = {"imported": len(new), "skipped_duplicates": len(rows) - len(new)}
        await record(actor, "import", "survey", filename[:64], after={
            **result, "file": filename, "sha256": hashlib.sha256(data).hexdigest()})
    return result
