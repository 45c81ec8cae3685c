"""Allocating a period's incentive pool, exporting it for payroll, and publishing the month.

An allocation belongs to the snapshot it was computed from. Once the month is reopened
(and closed again) it is stale: publishing is refused while the latest allocation of
any scope is stale, until HR allocates again or discards it (audited). Publishing
lives here, above scoring, because it is the allocations that may refuse it.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

from appraisal.actor import Actor
from appraisal.audit.service import record
from appraisal.clock import local
from appraisal.errors import Conflict, Message, NotFound, Unprocessable
from appraisal.figures import publish
from appraisal.incentives.allocation import (
    Candidate,
    StarCandidate,
    allocate_pool,
    service_stars,
    to_cents,
)
from appraisal.incentives.models import IncentiveAllocation, IncentiveShare
from appraisal.labels import label
from appraisal.periods.models import Period, PeriodStatus
from appraisal.periods.service import require_period, rulebook_of
from appraisal.scoring import lifecycle
from appraisal.scoring.models import ScoreSnapshot
from appraisal.scoring.service import current_snapshot, snapshot_summaries
from appraisal.staff.models import Team
from appraisal.staff.service import MANY_IDS

EXPORT_COLUMNS = ("employee_no", "name", "team", "final_score", "grade", "amount")
MAX_MONEY = Decimal("999999999999.99")


def _money(value: Decimal, field: str) -> Decimal:
    """A plain amount: digits with at most 2 decimal places, 0 … MAX_MONEY.

    Checked on the Decimal's own digits and exponent before any arithmetic, so
    "1E-999999999" or "1E+30" are refused as written instead of rounding to 0.00.
    """
    if not value.is_finite():
        raise Unprocessable.field(field, "must be a number", code="not_a_number")
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -2:
        raise Unprocessable.field(field, "at most 2 decimal places, got %(value)s",
                                  code="too_many_decimals", value=value)
    if exponent > 0:
        raise Unprocessable.field(field, "write the amount as plain digits, got %(value)s",
                                  code="not_plain_digits", value=value)
    if value < 0:
        raise Unprocessable.field(field, "must not be negative, got %(value)s",
                                  code="negative", value=value)
    if value > MAX_MONEY:
        raise Unprocessable.field(field, "must be at most %(max)s", code="too_large_amount",
                                  max=MAX_MONEY)
    try:
        to_cents(value)
    except ValueError:
        raise Unprocessable.field(field, "at most 2 decimal places, got %(value)s",
                                  code="too_many_decimals", value=value) from None
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
            raise Unprocessable.field("team_id", "no team with id %(team_id)s",
                                      code="team_not_found", team_id=team_id)
    period = await require_period(month)
    async with in_transaction():
        period = await Period.filter(id=period.id).select_for_update().get()
        if period.status == PeriodStatus.open:
            raise Conflict("period %(month)s is open; close it before allocating incentives",
                           code="period_open", month=month)
        if period.status == PeriodStatus.published:
            # Employees already see these bonuses and the batch PDFs print them: a
            # change goes through a reopen (with its reason) and a new close.
            raise Conflict("period %(month)s is published; reopen it before allocating its "
                           "incentives again", code="period_published", month=month)
        snapshot = await current_snapshot(period)
        if snapshot is None:
            raise Conflict("period %(month)s has no score snapshot", code="no_snapshot",
                           month=month)
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
        await record(actor, "allocate", "incentive", _audit_id(period.month, team_id),
                     before={"replaced": before} if before else None,
                     after=await allocation_summary(allocation))
    return allocation


def _audit_id(month: str, team_id: int | None) -> str:
    """The audit trail's name of a month's allocation scope."""
    return f"{month}/{'team-' + str(team_id) if team_id else 'organisation'}"


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
    period_ids: list[int], employee_ids: list[int], snapshot_ids: list[int] | None = None
) -> dict[tuple[int, int], dict[str, Any]]:
    """(period_id, employee_id) → the employee's amount in that month: from the
    latest organisation-wide allocation, else from their team's latest; with
    `snapshot_ids`, only allocations made on those snapshots (a report of a
    snapshot pays what was allocated on it, never an out-of-date allocation)."""
    shares = IncentiveShare.filter(allocation__period_id__in=period_ids)
    wanted = set(employee_ids)
    if len(wanted) <= MANY_IDS:  # else the month's shares read whole, the others left out
        shares = shares.filter(employee_id__in=list(wanted))
    if snapshot_ids is not None:
        shares = shares.filter(allocation__snapshot_id__in=snapshot_ids)
    rows = await shares.values_list(
        "allocation__period_id", "allocation__team_id", "allocation_id",
        "allocation__currency", "employee_id", "amount", "service_star")
    # Team allocations first, older first: an organisation-wide one wins when both exist.
    rows.sort(key=lambda r: (r[1] is None, r[2]))
    return {(period_id, eid): {"amount": amount, "currency": currency, "service_star": star,
                               "allocation_id": allocation_id}
            for period_id, _, allocation_id, currency, eid, amount, star in rows
            if eid in wanted}


async def allocation_summary(a: IncentiveAllocation) -> dict[str, Any]:
    return {"id": a.id, "pool": str(a.pool), "cap": str(a.cap) if a.cap is not None else None,
            "allocated": str(a.allocated), "unallocated": str(a.unallocated),
            "team_id": a.team_id, "snapshot_id": a.snapshot_id}


async def latest(month: str, team_id: int | None) -> IncentiveAllocation:
    period = await require_period(month)
    allocation = await IncentiveAllocation.filter(
        period_id=period.id, team_id=team_id).order_by("-id").first()
    if allocation is None:
        raise NotFound("no incentive allocation for %(scope)s in %(month)s",
                       code="allocation_not_found", scope=scope_name(team_id), month=month)
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
        "stale": is_stale(a, snapshot),
        "created_at": local(a.created_at).isoformat(),
    }


def is_stale(allocation: IncentiveAllocation, current: ScoreSnapshot | None) -> bool:
    """Made on scores that are no longer the month's: a reopen superseded them (and
    the next close, if any, stored new ones)."""
    return current is None or current.id != allocation.snapshot_id


def scope_name(team_id: int | None, teams: dict[int, str] | None = None) -> Message:
    """Whose pool: the organisation's or a team's (by name when known), in words."""
    if team_id is None:
        return Message("scope_organisation", "the organisation")
    return Message("scope_team", "team %(team_id)s", team_id=(teams or {}).get(team_id, team_id))


async def stale_allocations(period: Period) -> list[IncentiveAllocation]:
    """The month's allocations made on superseded scores (one per scope: a new
    allocation of a scope replaces the old one), organisation first."""
    current = await current_snapshot(period)
    allocations = await IncentiveAllocation.filter(period_id=period.id).select_related(
        "snapshot").order_by("id")
    return sorted((a for a in allocations if is_stale(a, current)),
                  key=lambda a: (a.team_id is not None, a.team_id or 0))


def _stale_words(allocation: IncentiveAllocation, teams: dict[int, str]) -> Message:
    return Message(
        "stale_allocation", "%(scope)s (pool %(pool)s %(currency)s, allocated %(at)s on "
        "snapshot #%(sequence)s)", scope=scope_name(allocation.team_id, teams),
        pool=str(allocation.pool), currency=allocation.currency,
        at=f"{local(allocation.created_at):%Y-%m-%d %H:%M}", sequence=allocation.snapshot.sequence)


async def _discard(actor: Actor | None, period: Period, allocation: IncentiveAllocation,
                   why: str) -> dict[str, Any]:
    summary = await allocation_summary(allocation)
    await allocation.delete()  # its shares go with it (CASCADE)
    await record(actor, "discard", "incentive", _audit_id(period.month, allocation.team_id),
                 before=summary, reason=why)
    return summary


async def discard_stale(actor: Actor, month: str, team_id: int | None) -> dict[str, Any]:
    """Remove the scope's allocation made on superseded scores (audited), so that the
    month can be published without it; a current allocation is not discarded."""
    period = await require_period(month)
    async with in_transaction():
        period = await lifecycle.lock_period(period.month)
        allocation = await IncentiveAllocation.filter(
            period_id=period.id, team_id=team_id).select_related("snapshot").order_by(
            "-id").first()
        teams = dict(await Team.all().values_list("id", "name"))
        if allocation is None:
            raise NotFound("no incentive allocation for %(scope)s in %(month)s",
                           code="allocation_not_found", month=period.month,
                           scope=scope_name(team_id, teams))
        if not is_stale(allocation, await current_snapshot(period)):
            raise Conflict(
                "the allocation of %(scope)s in %(month)s was made on the current scores: "
                "there is nothing stale to discard (allocate again to change it)",
                code="allocation_current", month=period.month,
                scope=scope_name(allocation.team_id, teams))
        return await _discard(actor, period, allocation,
                              "discarded: made on superseded scores")


async def publish_period(actor: Actor | None, month: str, *,
                         discard_stale_incentives: bool = False) -> Period:
    """Make the month's snapshot visible to employees (SPEC §5). Refused (409) while the
    latest allocation of a scope was made on a superseded snapshot: HR allocates again,
    discards it, or publishes with `discard_stale_incentives` (the stale ones removed,
    audited) — so employees never see new scores beside a bonus shared on old ones."""
    async with in_transaction():
        period = await lifecycle.lock_period(month)
        if (refusal := lifecycle.publish_refusal(period)) is not None:
            raise refusal
        stale = await stale_allocations(period)
        if stale:
            teams = dict(await Team.all().values_list("id", "name"))
            if not discard_stale_incentives:
                raise Conflict(
                    "%(month)s cannot be published yet: the incentive pool of %(stale)s was "
                    "shared on scores the month's reopen superseded. Allocate the pool again "
                    "on the current scores, or discard that allocation (DELETE "
                    "/api/v1/periods/%(month)s/incentives, or publish with "
                    "{\"discard_stale_incentives\": true})", code="stale_incentives",
                    month=period.month,
                    stale=_joined([_stale_words(a, teams) for a in stale]))
            for allocation in stale:
                await _discard(actor, period, allocation,
                               "discarded on publishing: made on superseded scores")
        return await lifecycle.mark_published(actor, period)


def _joined(parts: list[Message]) -> Message:
    """Several messages as one ("a; b"), each still translated on the pages."""
    names = {f"part{i}": part for i, part in enumerate(parts)}
    return Message("list", "; ".join(f"%({name})s" for name in names), **names)


async def payroll(month: str, team_id: int | None) -> dict[str, Any]:
    """The allocation payroll is paid from: refused (409) when it was made on scores a
    reopen superseded, as publishing is, so that no one is paid on old scores."""
    out = await allocation_out(await latest(month, team_id))
    if out["stale"]:
        raise Conflict(
            "the incentive pool of %(scope)s in %(month)s was shared on scores the month's "
            "reopen superseded: allocate it again on the current scores before exporting "
            "it for payroll", code="stale_incentives_export", month=month,
            scope=scope_name(team_id, dict(await Team.all().values_list("id", "name"))))
    return out


def export_rows(out: dict[str, Any]) -> list[list[Any]]:
    # Payroll reads the grade as people say it (优秀), not its code.
    return [[r["employee_no"], r["name"], r["team"],
             Decimal(r["final_score"]) if r["final_score"] is not None else None,
             label("grade", r["grade"]) if r["grade"] else "", Decimal(r["amount"])]
            for r in out["allocations"]]


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
