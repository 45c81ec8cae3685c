"""HR's view of the audit trail: who changed what, when, before and after."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, get

from appraisal.accounts.models import User
from appraisal.actor import Actor
from appraisal.audit.models import AuditEntry
from appraisal.audit.service import entries
from appraisal.guards import HR
from appraisal.labels import label, table, value_kind
from appraisal.periods.models import Period
from appraisal.staff.models import Employee
from appraisal.web import language, local_value, page, translations

PAGE_SIZE = 100
# Columns naming another row by its id: shown by the employee's name, the month, the
# username (one query each for the page), "#id" when the row is gone.
REFERENCES = {"employee_id": "employee", "period_id": "period", "recorded_by_id": "user",
              "inspector_id": "user", "handler_id": "user", "voided_by_id": "user",
              "answered_by_id": "user"}
# The entry's own id and time already say these.
UNSHOWN = frozenset({"id", "created_at", "updated_at"})
Names = dict[str, dict[int, str]]


@dataclass(frozen=True)
class Change:
    field: str  # the field's label
    before: str | None  # None: the entry has no "before" (a record created)
    after: str


def _instant(value: Any) -> Any:
    """A timestamp as the instant it names (two spellings of one time are no change)."""
    if isinstance(value, str) and len(value) >= 16 and value[4:5] == "-" and "T" in value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


async def _names(rows: Iterable[AuditEntry]) -> Names:
    wanted: dict[str, set[int]] = {"employee": set(), "period": set(), "user": set()}
    for e in rows:
        for state in (e.before or {}, e.after or {}):
            for column, kind in REFERENCES.items():
                if isinstance(state.get(column), int):
                    wanted[kind].add(state[column])
    names: Names = {kind: {} for kind in wanted}
    if wanted["employee"]:
        names["employee"] = dict(await Employee.filter(id__in=wanted["employee"]).values_list("id", "name"))
    if wanted["period"]:
        names["period"] = dict(await Period.filter(id__in=wanted["period"]).values_list("id", "month"))
    if wanted["user"]:
        names["user"] = dict(await User.filter(id__in=wanted["user"]).values_list("id", "username"))
    return names  # type: ignore[return-value]


def _item(item: dict[str, Any], lang: str) -> str:
    """A checklist item's result: its label, or the points given where it is scored."""
    if item.get("result") == "points":
        return str(item.get("points"))
    return label("item_result", item.get("result"), lang)


def _shown(entity: str, column: str, value: Any, names: Names, lang: str,
           _: Callable[[str], str]) -> str:
    """A stored value as people read it: words, labels, names, local times."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if column in REFERENCES and isinstance(value, int):
        return names[REFERENCES[column]].get(value, f"#{value}")
    if isinstance(value, list):
        if all(isinstance(v, dict) and "code" in v for v in value):  # checklist items
            return ", ".join(f"{v['code']} {_item(v, lang)}" for v in value)
        return ", ".join(_shown(entity, column, v, names, lang, _) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{label('field', k, lang)} {_shown(entity, k, v, names, lang, _)}"
                         for k, v in value.items())
    kind = value_kind(entity, column)
    if kind and isinstance(value, str):
        return label(kind, value, lang)
    return str(local_value(value))


def changes(e: AuditEntry, names: Names, lang: str, _: Callable[[str], str]) -> list[Change]:
    """What an entry changed, field by field: a created record's values, an update's
    fields whose value differs (as an instant, for times)."""
    before, after = e.before, e.after or {}
    out = []
    for column in [*after, *(k for k in (before or {}) if k not in after)]:
        if column in UNSHOWN:
            continue
        new = after.get(column)
        if before is None:
            if new is None or new == "" or new == []:
                continue
            out.append(Change(label("field", column, lang), None,
                              _shown(e.entity, column, new, names, lang, _)))
            continue
        old = before.get(column)
        if _instant(old) == _instant(new):
            continue
        if _checklists(old, new):  # a corrected checklist: only the items that changed
            was = {v["code"]: v for v in old}
            now = {v["code"]: v for v in new}
            codes = [c for c in [*now, *(c for c in was if c not in now)] if was.get(c) != now.get(c)]
            old = [was[c] for c in codes if c in was]
            new = [now[c] for c in codes if c in now]
        out.append(Change(label("field", column, lang), _shown(e.entity, column, old, names, lang, _),
                          _shown(e.entity, column, new, names, lang, _)))
    return out


def _checklists(*values: Any) -> bool:
    return all(isinstance(v, list) and all(isinstance(i, dict) and "code" in i for i in v)
               for v in values)


def reason(e: AuditEntry, _: Callable[[str], str]) -> str:
    """Why, unless a changed field already says it (a void's 作废原因)."""
    if not e.reason or e.reason in (e.after or {}).values():
        return ""
    return _(e.reason) if e.action == "auto_open" else e.reason


class AuditPage(Controller):
    path = "/audit"
    guards = [HR]
    include_in_schema = False

    @get("/")
    async def audit(self, request: Request[Actor, str, Any]) -> Response[str]:
        entity = request.query_params.get("entity", "")[:32]
        actor = request.query_params.get("actor", "")[:64]
        before = request.query_params.get("before", "")
        older_than = int(before) if before.isdigit() and len(before) < 10 else None
        rows = await entries(entity=entity, actor=actor, before_id=older_than, limit=PAGE_SIZE)
        names = await _names(rows)
        lang = language(request)
        _ = translations(lang).gettext
        shown = [(e, reason(e, _), changes(e, names, lang, _)) for e in rows]
        return page(request, "audit.html", entries=shown, entity=entity, actor=actor,
                    entities=table("audit_entity", lang),
                    older=rows[-1].id if len(rows) == PAGE_SIZE else None)
