"""The `appraisal` command line."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from rich.console import Console

console = Console(soft_wrap=True)


def _run(coro_fn: Callable[[], Awaitable[Any]]) -> Any:
    return asyncio.run(coro_fn())


async def _with_db(work: Callable[[], Awaitable[Any]]) -> Any:
    from appraisal.db import close_db, init_db

    await init_db(global_fallback=False)
    try:
        return await work()
    finally:
        await close_db()


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from appraisal.reporting.system import warn_missing_system_pieces

    warn_missing_system_pieces(console)
    # X-Forwarded-* are believed by appraisal.proxies, from APPRAISAL_TRUSTED_PROXIES only
    # (uvicorn's own handling would believe any local peer, and rewrite the client).
    uvicorn.run("appraisal.app:create_app", factory=True, host=args.host, port=args.port,
                workers=max(1, args.workers), proxy_headers=False)
    return 0


def cmd_migrate(_: argparse.Namespace) -> int:
    from appraisal.db import migrate

    _run(migrate)
    console.print("[green]database is up to date[/green]")
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    from appraisal.accounts.service import create_user
    from appraisal.actor import Role
    from appraisal.errors import Problem
    from appraisal.staff.models import Employee, Team

    async def work() -> int:
        employee_id = None
        if args.employee_no:
            emp = await Employee.filter(employee_no=args.employee_no).first()
            if emp is None:
                console.print(f"[red]no employee with employee_no {args.employee_no}[/red]")
                return 2
            employee_id = emp.id
        team_ids = []
        for name in args.team or []:
            team = await Team.filter(name=name).first()
            if team is None:
                console.print(f"[red]no team named {name}[/red]")
                return 2
            team_ids.append(team.id)
        try:
            user = await create_user(
                None, username=args.username, password=args.password, role=Role(args.role),
                employee_id=employee_id, team_ids=team_ids,
            )
        except Problem as exc:
            console.print(f"[red]{exc.detail}[/red]")
            return 2
        console.print(f"created user {user.username} (id {user.id}, role {user.role.value})")
        return 0

    return _run(lambda: _with_db(work))


def cmd_demo(args: argparse.Namespace) -> int:
    from appraisal.demo import DEMO_LOGINS, load_demo, organisation_is_empty

    async def work() -> int:
        if not await organisation_is_empty():
            if args.if_empty:
                console.print("demo organisation: database already has data, left as it is")
                return 0
            console.print("[red]the database already has employees; demo data not loaded[/red]")
            return 2
        counts = await load_demo()
        console.print("loaded demo organisation: " + ", ".join(
            f"{v} {k}" for k, v in counts.items()))
        return 0

    rc = _run(lambda: _with_db(work))
    if rc == 0:
        console.print("demo logins (username / password):")
        for username, password, role in DEMO_LOGINS:
            console.print(f"  {username:<12} {password:<14} {role}")
    return rc


def cmd_rules_check(args: argparse.Namespace) -> int:
    from appraisal.rulebook import RulebookError, check_file

    try:
        console.print(check_file(args.file), highlight=False)
    except RulebookError as exc:
        console.print(f"[red]{exc}[/red]", highlight=False)
        return 1
    except OSError as exc:
        console.print(f"[red]{args.file}: {exc.strerror}[/red]", highlight=False)
        return 1
    return 0


def _month_or_last(value: str | None) -> str:
    from appraisal.clock import previous_month

    return value or previous_month()


def _problem(exc: Exception) -> int:
    console.print(f"[red]{getattr(exc, 'detail', exc)}[/red]", highlight=False)
    return 2


def cmd_tallies(args: argparse.Namespace) -> int:
    """Check the per-employee tallies against the evidence, or rebuild them (after
    evidence was restored or loaded straight into the tables)."""
    from tortoise.transactions import in_transaction

    from appraisal.evidence import tallies

    async def work() -> int:
        if args.tallies_command == "rebuild":
            async with in_transaction():
                await tallies.rebuild()
            console.print("tallies rebuilt from the evidence")
            return 0
        drift = await tallies.drift()
        for line in drift[:50]:
            console.print(line, highlight=False)
        console.print(f"{len(drift)} tallies differ from the evidence" if drift
                      else "the tallies match the evidence")
        return 1 if drift else 0

    return int(_run(lambda: _with_db(work)))


def cmd_score(args: argparse.Namespace) -> int:
    from rich.table import Table

    from appraisal.actor import Actor, Role
    from appraisal.errors import Problem
    from appraisal.periods.service import require_period
    from appraisal.scoring.service import period_scores

    system = Actor(id=0, username="cli", role=Role.admin, employee_id=None, team_ids=frozenset())

    async def work() -> int:
        try:
            period = await require_period(args.month)
            rows = await period_scores(period, system)
        except Problem as exc:
            return _problem(exc)
        source = "live" if period.status.value == "open" else "snapshot"
        table = Table(title=f"{args.month} ({period.status.value}, {source}, rulebook "
                            f"{period.rulebook_version})")
        for col in ("#", "工号", "姓名", "团队", "得分", "等级", "状态", "巡检"):
            table.add_column(col, justify="right" if col in ("#", "得分", "巡检") else "left")
        for rank, r in enumerate(rows, 1):
            grade = r["grade"] or "—"
            if r["veto"]:
                grade += " (一票否决)"
            table.add_row(str(rank), r["employee_no"], r["name"], r["team"],
                          r["final_score"] or "—", grade, r["status"], str(r["inspections"]))
        console.print(table)
        return 0

    return _run(lambda: _with_db(work))


def cmd_lifecycle(args: argparse.Namespace) -> int:
    from appraisal.errors import Problem
    from appraisal.scoring import lifecycle

    month = _month_or_last(args.month)

    async def work() -> int:
        try:
            if args.command == "close":
                result = await lifecycle.close_period(None, month)
                console.print(
                    f"closed {month}: {result.employees} employees, {result.graded} graded, "
                    f"snapshot #{result.snapshot.sequence} sha256 {result.snapshot.content_hash}"
                )
                for row in result.insufficient:
                    console.print(f"  insufficient evidence: {row['employee_no']} {row['name']} "
                                  f"({row['inspections']} inspections)")
            elif args.command == "publish":
                from appraisal.incentives.service import publish_period

                await publish_period(None, month,
                                     discard_stale_incentives=args.discard_stale_incentives)
                console.print(f"published {month}: employees can now see their appraisals")
            else:
                await lifecycle.reopen_period(None, month, args.reason)
                console.print(f"reopened {month}")
        except Problem as exc:
            return _problem(exc)
        return 0

    return _run(lambda: _with_db(work))


def cmd_reports_build(args: argparse.Namespace) -> int:
    from pathlib import Path

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from appraisal.errors import Problem
    from appraisal.periods.service import require_period
    from appraisal.reporting.batch import build_batch

    out = Path(args.out) / f"appraisals-{args.month}.zip"

    async def work() -> int:
        try:
            period = await require_period(args.month)
            with Progress("[progress.description]{task.description}", BarColumn(),
                          MofNCompleteColumn(), TimeRemainingColumn(), console=console) as bar:
                task = bar.add_task(f"appraisals {args.month}", total=None)

                def progress(done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total)

                result = await build_batch(period, out, progress=progress, workers=args.workers)
        except Problem as exc:
            return _problem(exc)
        console.print(f"wrote {result.path} ({result.appraisals} appraisals, {result.summaries} "
                      f"summaries, {result.size / 2**20:.1f} MB), snapshot sha256 "
                      f"{result.snapshot_hash}")
        return 0

    return _run(lambda: _with_db(work))


def cmd_worker(args: argparse.Namespace) -> int:
    from appraisal.reporting.queue import queue_app, run_worker, uses_queue
    from appraisal.reporting.system import REPORT_FONT, font_installed, warn_missing_system_pieces

    if not uses_queue():
        console.print("[red]the report queue needs PostgreSQL (DATABASE_URL=postgres://…); "
                      "with SQLite the server renders batches itself[/red]")
        return 2
    warn_missing_system_pieces(console)
    if font_installed() is False:
        # Its share of a batch would print boxes for Chinese beside the others' pages.
        console.print(f"[red]the font {REPORT_FONT} is missing on this machine (Debian: "
                      "apt-get install fonts-noto-cjk); the worker does not start[/red]")
        return 2

    async def work() -> int:
        from appraisal.reporting.batch import warm_renderer

        warm_renderer()  # fonts and stylesheets once, then fewer GC passes
        app = queue_app()
        async with app.open_async():
            # Heartbeats, and the tasks of workers that stopped answering taken over.
            await run_worker(app, once=args.once, name=args.name)
        return 0

    return _run(lambda: _with_db(work))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="appraisal", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="serve the web app and API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1,
                   help="server processes sharing the port (each with its own connections)")
    p.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)

    p = sub.add_parser("create-user", help="create a login")
    p.add_argument("--username", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--role", required=True, choices=["admin", "hr", "supervisor", "employee"])
    p.add_argument("--employee-no")
    p.add_argument("--team", action="append", help="team a supervisor supervises (repeatable)")
    p.set_defaults(func=cmd_create_user)

    p = sub.add_parser("demo", help="load a realistic demo organisation")
    p.add_argument("--if-empty", action="store_true", help="do nothing when data exists")
    p.set_defaults(func=cmd_demo)

    tallies = sub.add_parser("tallies", help="the per-employee tallies scores read")
    tallies_sub = tallies.add_subparsers(dest="tallies_command", required=True)
    tallies_sub.add_parser("check", help="compare them with the evidence").set_defaults(
        func=cmd_tallies)
    tallies_sub.add_parser("rebuild", help="sum them again from the evidence").set_defaults(
        func=cmd_tallies)

    p = sub.add_parser("score", help="print a period's ranked scores")
    p.add_argument("month", help="YYYY-MM")
    p.set_defaults(func=cmd_score)
    for name, text in (("close", "close a period: score everyone and store a snapshot"),
                       ("publish", "publish a closed period to employees"),
                       ("reopen", "reopen a closed or published period")):
        p = sub.add_parser(name, help=text)
        p.add_argument("month", nargs="?", help="YYYY-MM (default: last month)")
        if name == "reopen":
            p.add_argument("--reason", required=True)
        if name == "publish":
            p.add_argument("--discard-stale-incentives", action="store_true",
                           help="discard pools shared on scores a reopen superseded (audited)")
        p.set_defaults(func=cmd_lifecycle)

    reports = sub.add_parser("reports", help="PDF reports")
    reports_sub = reports.add_subparsers(dest="reports_command", required=True)
    p = reports_sub.add_parser("build", help="build the monthly ZIP of appraisals")
    p.add_argument("month", help="YYYY-MM")
    p.add_argument("--out", default=".", help="directory for the ZIP")
    p.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    p.set_defaults(func=cmd_reports_build)

    p = sub.add_parser("worker", help="render queued report parts (PostgreSQL)")
    p.add_argument("--once", action="store_true", help="stop when the queue is empty")
    p.add_argument("--name", default=None)
    p.set_defaults(func=cmd_worker)

    rules = sub.add_parser("rules", help="rulebook tools")
    rules_sub = rules.add_subparsers(dest="rules_command", required=True)
    p = rules_sub.add_parser("check", help="validate a rulebook TOML file")
    p.add_argument("file")
    p.set_defaults(func=cmd_rules_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
