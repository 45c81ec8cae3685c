"""HR's view of the audit trail: who changed what, when, before and after."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get

from appraisal.actor import Actor
from appraisal.audit.service import entries
from appraisal.guards import HR
from appraisal.web import page

PAGE_SIZE = 100


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
        return page(request, "audit.html", entries=rows, entity=entity, actor=actor,
                    older=rows[-1].id if len(rows) == PAGE_SIZE else None)
