"""Bulk staff import (CSV or XLSX), all or nothing, as the survey import.

Columns: employee_no, name, team, position, hired_on, left_on; optional username
and role. A row whose employee_no is new adds the employee; a known one is
updated where it differs (each change audited, a team change kept by month) or
left as it is, so re-importing the same file changes nothing. A team the
organisation does not have is a problem of its row unless `create_teams`. A
username creates that employee's login (role employee unless said; supervisor,
then supervising the row's team; hr and admin only when an admin imports), with
a one-time password returned once and never stored in clear: the login must
change it first.

It lives beside the survey import to share its reading of untrusted uploads
(bounded, off the event loop) and its row-by-row refusal.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import anyio.to_thread
import msgspec
from litestar.datastructures import UploadFile
from tortoise.transactions import in_transaction

from appraisal.accounts.models import User
from appraisal.accounts.passwords import one_time_password
from appraisal.accounts.security import hash_password
from appraisal.actor import Actor, Role
from appraisal.audit.service import model_state, record
from appraisal.clock import current_month
from appraisal.errors import Message
from appraisal.evidence.imports import _refusal, _text, read_table
from appraisal.staff.models import Employee, Team
from appraisal.staff.service import EMPLOYEE_NO, moved

COLUMNS = ("employee_no", "name", "team", "position", "hired_on", "left_on")
OPTIONAL = ("username", "role")
FIELDS = ("name", "team_id", "position", "hired_on", "left_on")  # what a row sets
USERNAME = re.compile(r"[A-Za-z0-9_.@-]{1,64}")
MAX_TEXT = 100
MAX_NEW_LOGINS = 2_000  # one-time passwords a file hashes (argon2 is slow on purpose)
MAX_STAFF_ROWS = 10_000  # employees a file: each is written and audited on its own


@dataclass
class EmployeeImportForm:
    """The upload: the file, and whether teams it names that do not exist are created."""

    file: UploadFile
    create_teams: bool = False


class LoginCreated(msgspec.Struct):
    """A login the import made, with its one-time password: given out this once."""

    employee_no: str
    name: str
    username: str
    role: str
    password: str


class EmployeeImportOut(msgspec.Struct):
    imported: int
    updated: int
    unchanged: int
    teams_created: list[str]
    logins_created: int
    logins: list[LoginCreated]


@dataclass
class _Check:
    """What checking the rows needs from the database, read before, and what it finds."""

    importer: Actor
    teams: dict[str, int]  # name -> id
    create_teams: bool
    employees: dict[str, dict[str, Any]]  # employee_no -> its fields (and login)
    usernames: dict[str, int | None]  # username -> the employee id of that login
    seen: dict[str, int] = field(default_factory=dict)  # employee_no -> first row
    seen_users: dict[str, int] = field(default_factory=dict)  # username -> first row
    new_teams: dict[str, int] = field(default_factory=dict)  # name -> first row
    errors: list[dict[str, Any]] = field(default_factory=list)


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    try:
        return date.fromisoformat(text.replace("/", "-").split(" ")[0])
    except ValueError:
        raise ValueError(Message("not_a_date", "'%(value)s' is not a date like 2026-11-05",
                                 value=text)) from None


def _row(n: int, cells: dict[str, Any], check: _Check) -> dict[str, Any]:
    row: dict[str, Any] = {"row": n}

    def bad(column: str, message: Message) -> None:
        check.errors.append({"row": n, "column": column, "message": message})

    texts = {c: _text(cells[c]) for c in ("employee_no", "name", "team", "position",
                                          "username", "role")}
    for column, text in texts.items():
        if "\x00" in text:
            bad(column, Message("nul_character", "contains a NUL character"))
            texts[column] = ""
        elif len(text) > MAX_TEXT:
            bad(column, Message("too_long", "at most %(max)s characters", max=MAX_TEXT))
            texts[column] = ""
    employee_no = texts["employee_no"]
    if not employee_no:
        bad("employee_no", Message("required", "is required"))
    elif not EMPLOYEE_NO.fullmatch(employee_no):
        bad("employee_no", Message("not_a_staff_number", "%(value)s is not a staff number: use "
                                   "letters, digits, '-' and '_', at most 32 characters",
                                   value=repr(employee_no)))
    elif employee_no in check.seen:
        bad("employee_no", Message("repeats_row", "repeats row %(row)s", row=check.seen[employee_no]))
    else:
        check.seen[employee_no] = n
    row["employee_no"] = employee_no
    if not texts["name"]:
        bad("name", Message("required", "is required"))
    row["name"] = texts["name"]
    team = texts["team"]
    if not team:
        bad("team", Message("required", "is required"))
    elif team not in check.teams:
        if check.create_teams:
            check.new_teams.setdefault(team, n)
        else:
            bad("team", Message("team_unknown", "no team named '%(team)s' (import with "
                                "create_teams to create it)", team=team))
    row["team"] = team
    row["position"] = texts["position"]
    for column in ("hired_on", "left_on"):
        try:
            row[column] = _date(cells[column])
        except ValueError as exc:
            bad(column, exc.args[0])
            row[column] = None
    if row["hired_on"] and row["left_on"] and row["left_on"] < row["hired_on"]:
        bad("left_on", Message("left_before_hired", "%(left_on)s lies before hired_on "
                               "%(hired_on)s", left_on=row["left_on"].isoformat(),
                               hired_on=row["hired_on"].isoformat()))
    _login(n, texts["username"], texts["role"], row, check, bad)
    return row


def _login(n: int, username: str, role_text: str, row: dict[str, Any], check: _Check,
           bad: Any) -> None:
    """The row's login, if it names one: checked into row["login"] (username, role)."""
    if not username:
        if role_text:
            bad("username", Message("required", "is required"))
        return
    if not USERNAME.fullmatch(username):
        bad("username", Message("not_a_username", "'%(value)s' is not a username: use letters, "
                                "digits and . _ @ -", value=username))
        return
    try:
        role = Role(role_text.lower() or Role.employee)
    except ValueError:
        bad("role", Message("not_a_role", "'%(value)s' is not a role (employee, supervisor, hr, "
                            "admin)", value=role_text))
        return
    if role in (Role.hr, Role.admin) and check.importer.role != Role.admin:
        bad("role", Message("role_for_admins", "only an admin can create %(role)s logins",
                            role=role.value))
        return
    if username in check.seen_users:
        bad("username", Message("repeats_row", "repeats row %(row)s", row=check.seen_users[username]))
        return
    check.seen_users[username] = n
    known = check.employees.get(row["employee_no"])
    own = known["login"] if known else None
    if own is not None:
        if own != username:
            bad("username", Message("employee_has_login_named", "the employee already has the "
                                    "login '%(username)s'", username=own))
        return  # the login is there already: unchanged
    if username in check.usernames:
        bad("username", Message("username_taken", "username '%(username)s' is already taken",
                                username=username))
        return
    row["login"] = (username, role)


def parse(table: list[tuple[int, tuple[Any, ...]]], check: _Check) -> list[dict[str, Any]]:
    if len(table) > MAX_STAFF_ROWS:
        check.errors.append({"row": table[MAX_STAFF_ROWS][0], "column": None, "message": Message(
            "too_many_rows", "at most %(max)s rows a file", max=f"{MAX_STAFF_ROWS:,}")})
        return []
    rows = [_row(n, dict(zip(COLUMNS + OPTIONAL, values, strict=True)), check)
            for n, values in table]
    if sum(1 for r in rows if "login" in r) > MAX_NEW_LOGINS:
        check.errors.append({"row": None, "column": "username", "message": Message(
            "too_many_logins", "at most %(max)s new logins a file", max=MAX_NEW_LOGINS)})
    return rows


async def _known() -> tuple[dict[str, dict[str, Any]], dict[str, int | None]]:
    users = await User.all().values_list("username", "employee_id")
    logins = {eid: name for name, eid in users if eid is not None}
    employees = {
        e["employee_no"]: {**e, "login": logins.get(e["id"])}
        for e in await Employee.all().values("id", "employee_no", *FIELDS)
    }
    return employees, dict(users)


async def import_employees(actor: Actor, filename: str, data: bytes,
                           create_teams: bool = False) -> dict[str, Any]:
    table = await anyio.to_thread.run_sync(read_table, filename, data, COLUMNS, OPTIONAL)
    employees, usernames = await _known()
    check = _Check(importer=actor, teams=dict(await Team.all().values_list("name", "id")),
                   create_teams=create_teams, employees=employees, usernames=usernames)
    rows = await anyio.to_thread.run_sync(parse, table, check)
    if check.errors:
        raise _refusal(check.errors)
    # One-time passwords, hashed before the transaction (no connection held meanwhile).
    logins: list[dict[str, Any]] = []
    for r in rows:
        if "login" in r:
            password = one_time_password()
            r["password_hash"] = await hash_password(password)
            username, role = r["login"]
            logins.append({"employee_no": r["employee_no"], "name": r["name"],
                           "username": username, "role": role.value, "password": password})
    month = current_month()
    counts = {"imported": 0, "updated": 0, "unchanged": 0}
    async with in_transaction():
        teams = dict(check.teams)
        for name in check.new_teams:
            team = await Team.create(name=name)
            teams[name] = team.id
            await record(actor, "create", "team", team.id, after={**model_state(team),
                                                                   "supervisor_ids": []})
        for r in rows:
            values = {"name": r["name"], "team_id": teams[r["team"]], "position": r["position"],
                      "hired_on": r["hired_on"], "left_on": r["left_on"]}
            known = employees.get(r["employee_no"])
            if known is None:
                employee = await Employee.create(employee_no=r["employee_no"], **values)
                await record(actor, "create", "employee", employee.id,
                             after=model_state(employee))
                counts["imported"] += 1
                employee_id = employee.id
            else:
                employee_id = known["id"]
                changed = {k: v for k, v in values.items() if known[k] != v}
                if changed:
                    await Employee.filter(id=employee_id).update(**changed)
                    if "team_id" in changed:
                        await moved(employee_id, known["team_id"], changed["team_id"], month)
                    # Field by field: what each changed from and to.
                    await record(actor, "update", "employee", employee_id,
                                 before={k: _state(known[k]) for k in changed},
                                 after={k: _state(v) for k, v in changed.items()})
                    counts["updated"] += 1
                else:
                    counts["unchanged"] += 1
            if "login" in r:
                username, role = r["login"]
                user = await User.create(username=username, password_hash=r["password_hash"],
                                         role=role, employee_id=employee_id,
                                         must_change_password=True)
                if role == Role.supervisor:
                    await user.supervised_teams.add(await Team.get(id=teams[r["team"]]))
                await record(actor, "create", "user", user.id, after={
                    **model_state(user, exclude=("password_hash",)),
                    "team_ids": [teams[r["team"]]] if role == Role.supervisor else []})
        result: dict[str, Any] = {**counts, "teams_created": list(check.new_teams),
                                  "logins_created": len(logins)}
        await record(actor, "import", "employee", filename[:64], after={
            **result, "file": filename, "sha256": hashlib.sha256(data).hexdigest()})
    return {**result, "logins": logins}


def _state(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
