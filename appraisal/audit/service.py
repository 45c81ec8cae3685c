"""Writing and reading the audit trail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Any

from tortoise.models import Model

from appraisal.actor import Actor
from appraisal.audit.models import AuditEntry

_AS_IS = frozenset({str, int, float, bool, type(None)})


def plain(value: Any) -> Any:
    """JSON-safe copy of a value: Decimal → str, datetimes → ISO 8601."""
    kind = type(value)
    if kind in _AS_IS:  # most values, first: every write's trail passes through here
        return value
    if kind is dict:
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return value


def model_state(obj: Model, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """The stored columns of a model row, JSON-safe (secrets excluded by caller)."""
    state: dict[str, Any] = {}
    for field, column in obj._meta.fields_db_projection.items():
        if field in exclude or column in exclude:
            continue
        state[column] = plain(getattr(obj, field))
    return state


def entry(
    actor: Actor | None,
    action: str,
    entity: str,
    entity_id: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    """An audit entry, not yet saved: `record` saves it, a hot path inserts it with its write."""
    return AuditEntry(
        actor_id=actor.id if actor else None,
        actor_username=actor.username if actor else "system",
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        before=plain(before) if before is not None else None,
        after=plain(after) if after is not None else None,
        reason=reason,
    )


async def record(
    actor: Actor | None,
    action: str,
    entity: str,
    entity_id: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    written = entry(actor, action, entity, entity_id, before, after, reason)
    await written.save(force_create=True)
    return written


async def entries(
    *, entity: str = "", entity_id: str = "", actor: str = "", before_id: int | None = None,
    limit: int = 200, offset: int = 0,
) -> list[AuditEntry]:
    """The trail, newest first, narrowed by what was changed and who changed it; the
    API pages by offset, the audit page by the oldest id it shows (ids only grow)."""
    rows = AuditEntry.all()
    if entity:
        rows = rows.filter(entity=entity)
    if entity_id:
        rows = rows.filter(entity_id=entity_id)
    if actor:
        rows = rows.filter(actor_username=actor)
    if before_id is not None:
        rows = rows.filter(id__lt=before_id)
    return await rows.order_by("-id").offset(offset).limit(limit)
