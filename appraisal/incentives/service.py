"""Allocating a period's incentive pool and exporting it for payroll."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

from appraisal.actor import Actor
from appraisal.audit.service import record
from appraisal.clock import local
from appraisal.errors import Conflict, NotFound, Unprocessable
from appraisal.figures import publish
from appraisal.incentives.allocation import (
    Candidate,
    StarCandidate,
    allocate_pool,
    service_stars,
    to_cents,
)
from appraisal.incentives.models import IncentiveAllocation, IncentiveShare
from appraisal.periods.models import Period, PeriodStatus
from appraisal.periods.service import require_period, rulebook_of
from appraisal.scoring.service import current_snapshot, snapshot_summaries
from appraisal.staff.models import Team

EXPORT_COLUMNS = ("employee_no", "name", "team", "final_score", "grade", "amount")
MAX_MONEY = Decimal("999999999999.99")


def _money(value: Decimal, field: str) -> Decimal:
    """A plain amount: digits with at most 2 decimal places, 0 … MAX_MONEY.

    Checked on the Decimal's own digits and exponent before any arithmetic, so
    "1E-999999999" or "1E+30" are refused as written instead of rounding to 0.00.
    """
    if not value.is_finite():
        raise Unprocessable.field(field, "must be a number")
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -2:
        raise Unprocessable.field(field, f"at most 2 decimal places, got {value}")
    if exponent > 0:
        raise Unprocessable.field(field, f"write the amount as plain digits, got {value}")
    if value < 0:
        raise Unprocessable.field(field, f"must not be negative, got {value}")
    if value > MAX_MONEY:
        raise Unprocessable.field(field, f"must be at most {MAX_MONEY}")
    try:
        to_cents(value)
    except ValueError:
        raise Unprocessable.field(field, f"at most 2 decimal places, got {value}") from None
    return publish(value)  # type: ignore[return-value]  # exact: at most 2 places


async def allocate(
    actor: Actor, month: str, *, pool: Decimal, team_id: int | None, cap: Decimal | None,
    currency: str = "CNY",
) -> IncentiveAllocation:
    pool = _money(pool, "pool")
    cap = _money(cap, "cap") if cap is not None else None
    team = None
    if team_id is not None:
        team = await Team.filter(id=team_id).first()
        if team is None:
            raise Unprocessable.field("team_id", f"no team with id {team_id}")
    period = await require_period(month)
    async with in_transaction():
        period = await Period.filter(id=period.id).select_for_update().get()
        if period.status == PeriodStatus.open:
            raise Conflict(f"period {month} is open; close it before allocating incentives")
        snapshot = await current_snapshot(period)
        if snapshot is None:
            raise Conflict(f"period {month} has no score snapshot")
        rows = await snapshot_summaries(snapshot.id, team_id)
        candidates = [
            Candidate(r["employee_id"], r["employee_no"], _score(r), r["grade"], r["status"])
            for r in rows
        ]
        rulebook = rulebook_of(period)
        result = allocate_pool(pool, candidates, rulebook.incentive_coefficients, cap)
        star_ids = set(stars_of(rows))
        previous = await IncentiveAllocation.filter(period_id=period.id, team_id=team_id)
        before = [await allocation_summary(p) for p in previous]
        for p in previous:
            await p.delete()
        allocation = await IncentiveAllocation.create(
            period_id=period.id, snapshot_id=snapshot.id, team_id=team_id, currency=currency,
            pool=result.pool, cap=result.cap, allocated=result.allocated,
            unallocated=result.unallocated, created_by_id=actor.id,
        )
        await IncentiveShare.bulk_create([
            IncentiveShare(allocation_id=allocation.id, employee_id=s.employee_id, grade=s.grade,
                           final_score=s.final_score, coefficient=s.coefficient, amount=s.amount,
                           service_star=s.employee_id in star_ids)
            for s in result.shares
        ], batch_size=500)
        await record(actor, "allocate", "incentive",
                     f"{month}/{'team-' + str(team_id) if team_id else 'organisation'}",
                     before={"replaced": before} if before else None,
                     after=await allocation_summary(allocation))
    return allocation


def _score(row: dict[str, Any]) -> Decimal | None:
    return Decimal(row["final_score"]) if row["final_score"] is not None else None


def stars_of(rows: list[dict[str, Any]]) -> dict[int, int]:
    """employee_id → team_id of each team's 服务之星, from snapshot summary rows."""
    stars = service_stars([
        StarCandidate(r["employee_id"], r["employee_no"], r["team_id"], _score(r), r["grade"],
                      r["substantiated"])
        for r in rows
    ])
    return {s.employee_id: team for team, s in stars.items()}


async def employee_amounts(
    period_ids: list[int], employee_ids: list[int]
) -> dict[tuple[int, int], dict[str, Any]]:
    """(period_id, employee_id) → the employee's amount in that month: from the
    latest organisation-wide allocation, else from their team's latest."""
    rows = await IncentiveShare.filter(
        allocation__period_id__in=period_ids, employee_id__in=employee_ids
    ).values_list("allocation__period_id", "allocation__team_id", "allocation_id",
                  "allocation__currency", "employee_id", "amount", "service_star")
    # Team allocations first, older first: an organisation-wide one wins when both exist.
    rows.sort(key=lambda r: (r[1] is None, r[2]))
    return {(period_id, eid): {"amount": amount, "currency": currency, "service_star": star}
            for period_id, _, _, currency, eid, amount, star in rows}


async def allocation_summary(a: IncentiveAllocation) -> dict[str, Any]:
    return {"id": a.id, "pool": str(a.pool), "cap": str(a.cap) if a.cap is not None else None,
            "allocated": str(a.allocated), "unallocated": str(a.unallocated),
            "team_id": a.team_id, "snapshot_id": a.snapshot_id}


async def latest(month: str, team_id: int | None) -> IncentiveAllocation:
    period = await require_period(month)
    allocation = await IncentiveAllocation.filter(
        period_id=period.id, team_id=team_id).order_by("-id").first()
    if allocation is None:
        scope = f"team {team_id}" if team_id else "the organisation"
        raise NotFound(f"no incentive allocation for {scope} in {month}")
    return allocation


async def allocation_out(a: IncentiveAllocation) -> dict[str, Any]:
    period = await Period.get(id=a.period_id)
    snapshot = await current_snapshot(period)
    shares = await IncentiveShare.filter(allocation_id=a.id).select_related(
        "employee__team").order_by("employee__employee_no")
    team_names = dict(await Team.all().values_list("id", "name"))
    allocations = [
        {"employee_id": s.employee_id, "employee_no": s.employee.employee_no,
         "name": s.employee.name, "team_id": s.employee.team_id, "team": s.employee.team.name,
         "final_score": str(s.final_score) if s.final_score is not None else None,
         "grade": s.grade, "coefficient": str(s.coefficient.normalize()),
         "amount": str(s.amount), "service_star": s.service_star}
        for s in shares
    ]
    return {
        "id": a.id,
        "period": period.month,
        "team_id": a.team_id,
        "team": team_names.get(a.team_id) if a.team_id else None,
        "currency": a.currency,
        "pool": str(a.pool),
        "cap": str(a.cap) if a.cap is not None else None,
        "allocated": str(a.allocated),
        "unallocated": str(a.unallocated),
        "allocations": allocations,
        "service_stars": [
            {k: row[k] for k in ("employee_id", "employee_no", "name", "team_id", "team",
                                 "final_score")}
            for row in sorted(allocations, key=lambda r: r["team"]) if row["service_star"]
        ],
        "snapshot_id": a.snapshot_id,
        # A reopen and re-close makes a new snapshot: this allocation is then out of date.
        "stale": snapshot is None or snapshot.id != a.snapshot_id,
        "created_at": local(a.created_at).isoformat(),
    }


def export_rows(out: dict[str, Any]) -> list[list[Any]]:
    return [[r["employee_no"], r["name"], r["team"],
             Decimal(r["final_score"]) if r["final_score"] is not None else None,
             r["grade"] or "", Decimal(r["amount"])] for r in out["allocations"]]


def to_csv(out: dict[str, Any]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for row in export_rows(out):
        writer.writerow(["" if v is None else str(v) for v in row])
    # UTF-8 with BOM: spreadsheet programs then show Chinese names correctly.
    return "\ufeff".encode() + buf.getvalue().encode("utf-8")


def to_xlsx(out: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = f"{out['period']} incentives"[:31]
    ws.append(list(EXPORT_COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in export_rows(out):
        ws.append(row)
    for (col, width) in zip("ABCDEF", (12, 14, 22, 12, 18, 14), strict=True):
        ws.column_dimensions[col].width = width
    for cells in ws.iter_rows(min_row=2, min_col=4, max_col=6):
        cells[0].number_format = "0.00"
        cells[2].number_format = "#,##0.00"
    ws.append([])
    ws.append(["", "", "", "", "total", Decimal(out["allocated"])])
    ws.cell(ws.max_row, 6).number_format = "#,##0.00"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
