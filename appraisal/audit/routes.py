"""Reading the audit trail (HR and admin)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, get
from litestar.params import Parameter

from appraisal.audit.service import entries
from appraisal.clock import local
from appraisal.guards import HR


class AuditOut(msgspec.Struct):
    id: int
    at: datetime
    actor_id: int | None
    actor: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str


class AuditController(Controller):
    path = "/api/v1/audit"
    tags = ["audit"]
    guards = [HR]

    @get("/")
    async def list_entries(
        self,
        entity: Annotated[str | None, Parameter(max_length=32)] = None,
        entity_id: Annotated[str | None, Parameter(max_length=64)] = None,
        actor: Annotated[str | None, Parameter(max_length=64)] = None,
        limit: Annotated[int, Parameter(ge=1, le=1000)] = 200,
        offset: Annotated[int, Parameter(ge=0, le=10_000_000)] = 0,
    ) -> list[AuditOut]:
        rows = await entries(entity=entity or "", entity_id=entity_id or "", actor=actor or "",
                             limit=limit, offset=offset)
        return [
            AuditOut(
                id=r.id, at=local(r.at), actor_id=r.actor_id, actor=r.actor_username,
                action=r.action, entity=r.entity, entity_id=r.entity_id, before=r.before,
                after=r.after, reason=r.reason,
            )
            for r in rows
        ]
