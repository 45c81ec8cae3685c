"""Scoring a period: live from the evidence, or the stored snapshot once closed."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec
from tortoise import connections

from appraisal.actor import Actor, Role
from appraisal.clock import local
from appraisal.errors import NotFound
from appraisal.evidence.models import COUNTED, COUNTED_SQL, Commendation
from appraisal.figures import figure
from appraisal.inserts import insert_sql, placeholders
from appraisal.periods.models import Period, PeriodStatus
from appraisal.periods.service import rulebook_of
from appraisal.rulebook import RuleBook, get_rulebook
from appraisal.scoring import explain
from appraisal.scoring.access import require_appraisal_access
from appraisal.scoring.engine import EmployeeScore, score_period
from appraisal.scoring.models import ScoreSnapshot, SnapshotScore
from appraisal.scoring.queries import (
    among,
    counted_complaints,
    first_param,
    id_list,
    missed_deadlines,
    organisation_surveys,
    overdue_actions,
    period_evidence,
)
from appraisal.staff.models import Employee, Team
from appraisal.staff.service import MANY_IDS, teams_in_month

LOST_SQL = """
SELECT i.employee_id, i.id AS inspection_id, i.occurred_at, i.touchpoint, it.code, it.result,
       it.points
FROM inspection_item it
JOIN inspection i ON i.id = it.inspection_id
WHERE i.period_id = {p} AND it.result IN ('fail', 'points') AND i.""" + COUNTED_SQL + """{only}
ORDER BY i.employee_id, i.occurred_at, i.id, it.code
"""


async def employee_directory(
    ids: Iterable[int] | None = None, month: str | None = None
) -> dict[int, dict[str, Any]]:
    """Who each employee is; with `month`, in the team they were in during that month
    (an appraisal, its summaries and pools count someone who moved in their old team
    for the months before the move)."""
    wanted = None if ids is None else set(ids)
    qs = (Employee.all() if wanted is None or len(wanted) > MANY_IDS
          else Employee.filter(id__in=list(wanted)))
    rows = await qs.values("id", "employee_no", "name", "team_id", "team__name")
    directory = {r["id"]: {**r, "team": r["team__name"]} for r in rows
                 if wanted is None or r["id"] in wanted}
    if month is not None:
        then = await teams_in_month(directory, month)
        names = dict(await Team.filter(id__in=set(then.values())).values_list("id", "name"))
        for eid, team_id in then.items():
            directory[eid].update(team_id=team_id, team=names[team_id])
    return directory


async def compute(period: Period, employee_ids: list[int] | None = None
                  ) -> tuple[RuleBook, list[EmployeeScore]]:
    """Live scores of everyone, or of `employee_ids` alone (read for them alone, with
    the organisation's survey answers summed in the database)."""
    rulebook = rulebook_of(period)
    evidence = await period_evidence(period.id, employee_ids, month=period.month,
                                     deadlines=rulebook.complaint_deadlines is not None)
    organisation = None if employee_ids is None else await organisation_surveys(period.id)
    return rulebook, score_period(rulebook, evidence, organisation)


async def lost_points(
    period: Period, rulebook: RuleBook, employee_ids: set[int] | None = None
) -> dict[int, list[dict[str, Any]]]:
    """Each item result that lost points, with its inspection: the evidence behind a score
    (without the rulebook's texts of its item)."""
    conn = connections.get("default")
    _, rows = await conn.execute_query(
        LOST_SQL.format(p=first_param(), only=among("i.employee_id", employee_ids)),
        [period.id])
    return _lost(rows, rulebook)


async def lost_points_in_chunks(
    period: Period, rulebook: RuleBook, chunks: list[list[int]]
) -> AsyncIterator[dict[int, list[dict[str, Any]]]]:
    """The lost points of each chunk of employees in turn (ids ascending, chunk after
    chunk), inside the caller's transaction. On PostgreSQL the month's failed results
    are read once, in employee order, through a cursor: a chunk at a time asked for by
    ids made it scan every failed result of the month again. SQLite asks chunk by chunk
    (its plan looks each inspection up)."""
    conn = connections.get("default")
    if conn.capabilities.dialect != "postgres":
        for ids in chunks:
            yield await lost_points(period, rulebook, set(ids))
        return
    # The transaction's connection is taken for each fetch only: the chunk's other
    # queries run on it between fetches.
    async with conn.acquire_connection() as raw:
        cursor = await raw.cursor(LOST_SQL.format(p="$1", only=""), period.id)
    buffered: list[Any] = []
    done = False
    for ids in chunks:
        last, batch = ids[-1] if ids else -1, []
        while True:
            if not buffered and not done:
                async with conn.acquire_connection():
                    buffered = list(await cursor.fetch(5000))
                done = not buffered
                buffered.reverse()  # popped from the end, in order
            if not buffered or buffered[-1]["employee_id"] > last:
                break
            batch.append(buffered.pop())
        yield _lost(batch, rulebook)


def _lost(rows: Iterable[Any], rulebook: RuleBook) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    # A month repeats the same few results and inspection times many times over:
    # each is judged (and each time written) once.
    judged: dict[tuple[str, str, Any], str | None] = {}
    when: dict[int, str | None] = {}
    for r in rows:
        key = (r["code"], str(r["result"]), r["points"])
        if key not in judged:
            try:
                rule = rulebook.item(r["code"])
            except KeyError:
                judged[key] = None
            else:
                lost = rule.lost(key[1], None if r["points"] is None
                                 else Decimal(str(r["points"])))
                judged[key] = explain.num(lost) if lost else None
        if (points_lost := judged[key]) is None:
            continue
        iid = r["inspection_id"]
        if iid not in when:
            occurred = r["occurred_at"]
            if isinstance(occurred, str):  # SQLite hands back text
                occurred = datetime.fromisoformat(occurred)
            when[iid] = explain.ts(occurred)
        # As a snapshot keeps it: the item's standard and coaching are the rulebook's to
        # say (explain.with_rules adds them when it is read).
        out[r["employee_id"]].append({
            "code": r["code"], "inspection_id": iid, "occurred_at": when[iid],
            "touchpoint": r["touchpoint"], "result": key[1], "points_lost": points_lost,
        })
    return out


async def breakdowns(
    period: Period, rulebook: RuleBook, scores: list[EmployeeScore],
    directory: dict[int, dict[str, Any]],
    lost: dict[int, list[dict[str, Any]]] | None = None,
) -> list[dict[str, Any]]:
    """Each score explained; `lost`: their lost points when read already."""
    ids = {s.employee_id for s in scores}
    complaints: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    for c in await counted_complaints(period.id).filter(employee_id__in=list(ids)).values(
        "id", "employee_id", "severity", "status", "received_at", "first_response_at", "channel",
        "description",
    ):
        c["severity"] = getattr(c["severity"], "value", c["severity"])
        complaints[c["employee_id"]][c["id"]] = c
    commendations: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    for c in await Commendation.filter(period_id=period.id, employee_id__in=list(ids), **COUNTED
                                       ).values(
        "id", "employee_id", "source", "received_at"
    ):
        commendations[c["employee_id"]][c["id"]] = c
    if lost is None:
        lost = await lost_points(period, rulebook, ids)
    actions = {a["id"]: a for a in await overdue_actions(period.month, list(ids))}
    missed = ({(m["complaint_id"], m["kind"]): m
               for m in await missed_deadlines(period.month, list(ids))}
              if rulebook.complaint_deadlines else {})
    return [
        explain.breakdown(
            s, rulebook, directory[s.employee_id], period.month,
            complaints=complaints[s.employee_id], commendations=commendations[s.employee_id],
            lost=lost.get(s.employee_id, []), actions=actions, missed=missed,
        )
        for s in scores
    ]


class SnapshotDigest:
    """SHA-256 of the canonical JSON of a snapshot's rows (printed on appraisals), fed
    a chunk of rows at a time: the same bytes as json.dumps of
    {"period", "rulebook_version", "rulebook_hash", "scores": rows} with sorted keys."""

    def __init__(self, month: str, rulebook: RuleBook) -> None:
        self._hash = hashlib.sha256()
        self._first = True
        head = {"period": month, "rulebook_hash": rulebook.content_hash,
                "rulebook_version": rulebook.version}
        self._hash.update(_canonical(head)[:-1].encode() + b',"scores":[')

    def update(self, rows: Iterable[dict[str, Any]]) -> None:
        self.update_canonical(_canonical(row) for row in rows)

    def update_canonical(self, texts: Iterable[str]) -> None:
        """Rows given as their canonical JSON already (`canonical`)."""
        for text in texts:
            self._hash.update((b"" if self._first else b",") + text.encode())
            self._first = False

    def hexdigest(self) -> str:
        done = self._hash.copy()
        done.update(b"]}")
        return done.hexdigest()


def _canonical(value: Any) -> str:
    """JSON with sorted keys, no spaces, text unescaped (json.dumps(sort_keys=True,
    ensure_ascii=False, separators=(",", ":")) writes the same; msgspec is faster)."""
    return msgspec.json.encode(value, order="sorted").decode()


canonical = _canonical


async def store_rows(snapshot: ScoreSnapshot, scores: list[EmployeeScore],
                     rows: list[dict[str, Any]], places: dict[int, int],
                     digest: SnapshotDigest) -> None:
    """A chunk of a snapshot's rows stored and hashed: each breakdown written to JSON
    once, for the row and for the hash, in one INSERT per 500 rows."""
    texts = [_canonical(row) for row in rows]
    digest.update_canonical(texts)
    fields = SnapshotScore._meta.fields_map
    conn = connections.get("default")
    records = [
        {"snapshot_id": snapshot.id, "employee_id": s.employee_id,
         "final_score": fields["final_score"].to_db_value(s.final_score, SnapshotScore),
         "grade": s.grade, "status": s.status, "veto": s.veto,
         "dimensions": _canonical(row["dimensions"]), "breakdown": text,
         "rank": places[s.employee_id], "team_id": row["team_id"]}
        for s, row, text in zip(scores, rows, texts, strict=True)
    ]
    if conn.capabilities.dialect == "postgres":
        # COPY: a tenth of the cost of INSERTs carrying 11 parameters a row.
        columns = list(records[0])
        async with conn.acquire_connection() as raw:
            await raw.copy_records_to_table(
                "snapshot_score", columns=columns,
                records=[tuple(r[c] for c in columns) for r in records])
        return
    for start in range(0, len(records), 500):
        params: list[Any] = []
        await conn.execute_query(insert_sql("snapshot_score", records[start:start + 500],
                                            placeholders(conn.capabilities.dialect), params),
                                 params)


def content_hash(month: str, rulebook: RuleBook, rows: list[dict[str, Any]]) -> str:
    digest = SnapshotDigest(month, rulebook)
    digest.update(rows)
    return digest.hexdigest()


def ranks(scores: Iterable[EmployeeScore], directory: dict[int, dict[str, Any]]
          ) -> dict[int, int]:
    """employee_id → place in the ranking: highest score first, ties by employee_no."""
    rows = [{"employee_id": s.employee_id, "employee_no": directory[s.employee_id][
        "employee_no"], "final_score": s.final_score} for s in scores]
    return {r["employee_id"]: n for n, r in enumerate(sorted(rows, key=_rank_key), 1)}


async def current_snapshot(period: Period) -> ScoreSnapshot | None:
    return await ScoreSnapshot.filter(period_id=period.id, superseded_at__isnull=True).order_by(
        "-sequence").first()


def _visible(actor: Actor, row_employee: dict[str, Any]) -> bool:
    if actor.is_hr:
        return True
    if actor.role == Role.supervisor:
        return row_employee["team_id"] in actor.team_ids
    return False


async def period_scores(
    period: Period, actor: Actor, *, status: str | None = None, team_id: int | None = None,
    limit: int | None = None, offset: int = 0,
) -> list[dict[str, Any]]:
    """Live scores while open; the current snapshot once closed. Scoped to the caller,
    ranked, optionally only one status or one team, and one page of them (`limit` rows
    from `offset`). Live scores are computed for the whole organisation all the same
    (its survey means belong to everyone's score); a snapshot's page is read by rank."""
    if period.status == PeriodStatus.open:
        _, scores = await compute(period)
        directory = await employee_directory((s.employee_id for s in scores), period.month)
        rows = [explain.summary(s, directory[s.employee_id]) for s in scores]
    else:
        snapshot = await current_snapshot(period)
        if snapshot is None:
            return []
        if await _ranked(snapshot.id):
            return [{k: r[k] for k in SUMMARY_KEYS} for r in await snapshot_summaries(
                snapshot.id, team_id, status=status, teams=None if actor.is_hr else (
                    actor.team_ids if actor.role == Role.supervisor else frozenset()),
                limit=limit, offset=offset, ranked=True)]
        rows = [{k: r[k] for k in SUMMARY_KEYS} for r in await snapshot_summaries(snapshot.id)]
    rows = [r for r in rows if _visible(actor, r)
            and (status is None or r["status"] == status)
            and (team_id is None or r["team_id"] == team_id)]
    ranked = sorted(rows, key=_rank_key)
    return ranked[offset:] if limit is None else ranked[offset:offset + limit]


async def _ranked(snapshot_id: int) -> bool:
    """Whether every row of the snapshot has its rank and team (those closed before
    they were kept have neither)."""
    return not await SnapshotScore.filter(snapshot_id=snapshot_id, rank__isnull=True).exists()


SUMMARY_KEYS = ("employee_id", "employee_no", "name", "team_id", "team", "final_score", "grade",
                "status", "veto", "inspections", "dimensions")


def _rank_key(row: dict[str, Any]) -> tuple[Any, ...]:
    score = Decimal(row["final_score"]) if row["final_score"] is not None else Decimal(-1)
    return (-score, row["employee_no"])


async def employee_score(period: Period, actor: Actor, employee_id: int) -> dict[str, Any]:
    """The full breakdown for one employee, with the caller's scope and publication rules."""
    await require_appraisal_access(actor, period, employee_id)
    if period.status == PeriodStatus.open:
        rulebook, scores = await compute(period, [employee_id])
        score = next((s for s in scores if s.employee_id == employee_id), None)
        if score is None:
            raise NotFound("employee %(employee_id)s has no score in %(month)s", code="no_score",
                           employee_id=employee_id, month=period.month)
        directory = await employee_directory([employee_id], period.month)
        return _with_places(explain.with_rules(
            (await breakdowns(period, rulebook, [score], directory))[0], rulebook))
    snapshot = await current_snapshot(period)
    row = await SnapshotScore.filter(
        snapshot_id=snapshot.id if snapshot else -1, employee_id=employee_id
    ).first()
    if row is None or snapshot is None:
        raise NotFound("employee %(employee_id)s has no score in %(month)s", code="no_score",
                       employee_id=employee_id, month=period.month)
    return _with_places({**explain.with_rules(row.breakdown, get_rulebook(
        snapshot.rulebook_version)), "snapshot": snapshot_info(snapshot)})


def _with_places(b: dict[str, Any]) -> dict[str, Any]:
    return {**b, "lost_by_touchpoint": explain.lost_by_touchpoint(b["lost_points"])}


def snapshot_info(snapshot: ScoreSnapshot) -> dict[str, Any]:
    return {
        "id": snapshot.id,
        "sequence": snapshot.sequence,
        "content_hash": snapshot.content_hash,
        "rulebook_version": snapshot.rulebook_version,
        "rulebook_hash": snapshot.rulebook_hash,
        "created_at": local(snapshot.created_at).isoformat(),
    }


def _json(column: str, key: str, dialect: str, as_int: bool = False) -> str:
    if dialect == "postgres":
        expr = f"({column}::jsonb ->> '{key}')"
        return f"{expr}::int" if as_int else expr
    return f"json_extract({column}, '$.{key}')"


async def snapshot_summaries(
    snapshot_id: int, team_id: int | None = None, *, status: str | None = None,
    teams: frozenset[int] | None = None, limit: int | None = None, offset: int = 0,
    ranked: bool = False,
) -> list[dict[str, Any]]:
    """The summary fields of every row of a snapshot, extracted in the database.

    Reports over thousands of employees need these few fields, not each
    breakdown's evidence lists, so memory stays small. `ranked` (snapshots that keep
    ranks and teams): in rank order, only those of `team_id`, `status` and `teams` (the
    teams a supervisor sees), `limit` rows from `offset`: filtered and paged by the
    database.
    """
    conn = connections.get("default")
    d = conn.capabilities.dialect
    arr = ("jsonb_array_length(breakdown::jsonb -> 'deductions')" if d == "postgres"
           else "json_array_length(breakdown, '$.deductions')")
    marks = placeholders(d)
    where, params = [f"snapshot_id = {next(marks)}"], [snapshot_id]
    if ranked:
        if team_id is not None:
            where.append(f"team_id = {next(marks)}")
            params.append(team_id)
        if status is not None:
            where.append(f"status = {next(marks)}")
            params.append(status)
        if teams is not None:
            where.append(f"team_id IN ({id_list(teams)})")
    sql = (
        "SELECT employee_id, final_score, grade, status, veto, dimensions, "
        f"{_json('breakdown', 'employee_no', d)} AS employee_no, "
        f"{_json('breakdown', 'name', d)} AS name, "
        f"{_json('breakdown', 'team_id', d, True)} AS team_id, "
        f"{_json('breakdown', 'team', d)} AS team, "
        f"{_json('breakdown', 'inspections', d, True)} AS inspections, "
        f"{arr} AS substantiated "
        "FROM snapshot_score WHERE "
    )
    if ranked and (limit is not None or offset):
        # The page's rows found by rank through the index first: only they are read
        # out of their breakdowns.
        sql += (f"id IN (SELECT id FROM snapshot_score WHERE {' AND '.join(where)} "
                f"ORDER BY rank LIMIT {next(marks)} OFFSET {next(marks)}) ORDER BY rank")
        params += [limit if limit is not None else 2**31 - 1, offset]
    else:
        sql += " AND ".join(where) + (" ORDER BY rank" if ranked else "")
    rows = await conn.execute_query_dict(sql, params)
    out = []
    for r in rows:
        if not ranked and team_id is not None and int(r["team_id"]) != team_id:
            continue
        dims = r["dimensions"]
        out.append({
            **r,
            "team_id": int(r["team_id"]),
            "inspections": int(r["inspections"]),
            "substantiated": int(r["substantiated"] or 0),
            "veto": bool(r["veto"]),
            "final_score": (figure(Decimal(str(r["final_score"])))
                            if r["final_score"] is not None else None),
            "dimensions": json.loads(dims) if isinstance(dims, str) else dims,
        })
    return out
