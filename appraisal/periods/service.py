"""Months, period look-up, auto-opening and the open-period lock."""

from __future__ import annotations

from typing import Any

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from appraisal.actor import Actor
from appraisal.audit.service import model_state, record
from appraisal.clock import current_month, parse_month, previous_month
from appraisal.errors import Conflict, NotFound, Unprocessable
from appraisal.periods.models import Period, PeriodStatus
from appraisal.rulebook import RuleBook, available_rulebooks, get_rulebook


def newest_in_effect(month: str) -> RuleBook:
    """The newest rulebook in effect for a month: the one a new period pins.

    HR adds a version as a new file with a later `effective_from`; months
    before it keep their own version.
    """
    books = [get_rulebook(v) for v in available_rulebooks()]
    in_effect = [b for b in books if (b.effective_from or "0000-00") <= month]
    if not in_effect:
        return get_rulebook()
    return max(in_effect, key=lambda b: (b.effective_from, b.version))


def rulebook_of(period: Period) -> RuleBook:
    """The rulebook a period pinned when it opened, never a newer one."""
    return get_rulebook(period.rulebook_version)


async def rulebook_for_month(month: str) -> RuleBook:
    """The rulebook evidence of `month` is judged by: its period's, or the one it will pin."""
    period = await get_period(month)
    return rulebook_of(period) if period is not None else newest_in_effect(month)


async def get_period(month: str) -> Period | None:
    return await Period.filter(month=month).first()


async def require_period(month: str) -> Period:
    period = await get_period(parse_month(month))
    if period is None:
        raise NotFound("period %(month)s does not exist", code="period_not_found", month=month)
    return period


def chosen_rulebook(version: str | None, month: str) -> RuleBook:
    """The rulebook HR pins a new month to: any known version, else the newest in effect."""
    if version is None:
        return newest_in_effect(month)
    known = available_rulebooks()
    if version not in known:
        raise Unprocessable.field(
            "rulebook_version", "there is no rulebook version %(version)s (known: %(known)s)",
            code="unknown_rulebook_version", version=version, known=", ".join(sorted(known)))
    return get_rulebook(version)


async def create_period(actor: Actor | None, month: str, *, automatic: bool = False,
                        rulebook_version: str | None = None) -> Period:
    """Open a new period pinned to `rulebook_version`, or to the newest rulebook in effect
    for the month (SPEC §5)."""
    month = parse_month(month)
    rulebook = chosen_rulebook(rulebook_version, month)
    if await get_period(month) is not None:
        raise Conflict("period %(month)s already exists", code="period_exists", month=month)
    async with in_transaction():
        period = await Period.create(
            month=month,
            status=PeriodStatus.open,
            rulebook_version=rulebook.version,
            rulebook_hash=rulebook.content_hash,
        )
        await record(
            actor,
            "auto_open" if automatic else "create",
            "period",
            month,
            after=model_state(period),
            reason="evidence recorded for a month with no period" if automatic else "",
        )
    return period


async def ensure_period(actor: Actor | None, month: str, field: str = "month") -> Period:
    """The period of `month`, opening it when evidence arrives for a new month.

    Only this month and last month open by themselves: evidence for an older month
    needs a period HR created, so a mistyped year never creates a month (422
    naming `field`, the timestamp that put the evidence there).
    """
    period = await get_period(month)
    if period is not None:
        return period
    if month not in (current_month(), previous_month()):
        raise Unprocessable.field(
            field, "there is no period %(month)s: only this month and last month open by "
            "themselves; HR opens an older month first", code="period_not_opened", month=month)
    try:
        return await create_period(actor, month, automatic=True)
    except (Conflict, IntegrityError):
        # Another request opened it at the same moment; anything else is re-raised.
        period = await get_period(month)
        if period is None:
            raise
        return period


async def lock_open_month(actor: Actor | None, month: str, field: str) -> Period:
    """Inside the write's transaction: the period of `month` locked and open, opened
    first when evidence may open it (one query when the month exists, as it mostly does).

    Evidence writers share the lock (PostgreSQL FOR SHARE), so they never wait for
    one another; closing takes it FOR UPDATE, and waits for them, and they for it.
    SQLite serialises writers anyway.
    """
    period = await _shared(month)
    if period is None:
        await ensure_period(actor, month, field)
        period = await _shared(month)
    return insist_open(period)


# The model's own columns, so that a column added to Period is read here too (as
# evidence.placement reads them).
_PERIOD_COLUMNS = ", ".join(f'"{c}"' for c in Period._meta.fields_db_projection.values())
_SHARED_SQL = f'SELECT {_PERIOD_COLUMNS} FROM "period" WHERE "month" = $1 FOR SHARE'


async def _shared(month: str) -> Period | None:
    conn = connections.get("default")
    if conn.capabilities.dialect != "postgres":
        return await Period.filter(month=month).first()
    _, rows = await conn.execute_query(_SHARED_SQL, [month])
    return period_from_row(dict(rows[0])) if rows else None


def period_from_row(row: dict[str, Any]) -> Period:
    """A period from a hand-written query's row (its columns by name)."""
    period = Period._init_from_db(**row)
    period.status = PeriodStatus(period.status)
    return period


def insist_open(period: Period | None) -> Period:
    if period is None:
        raise NotFound("period not found", code="period_not_found")
    if period.status != PeriodStatus.open:
        raise Conflict(
            "period %(month)s is %(period_status)s; evidence can be added or "
            "corrected only while its period is open (HR can reopen it)",
            code="period_not_open", month=period.month, period_status=period.status.value)
    return period


async def lock_open_period(period_id: int) -> Period:
    """Inside a transaction: lock the period row and insist that it is open.

    Closing takes the same lock, so evidence cannot slip into a month
    while it is being closed (PostgreSQL row lock; SQLite serialises writers).
    """
    return insist_open(await Period.filter(id=period_id).select_for_update().first())
