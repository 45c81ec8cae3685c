"""HR's view of the audit trail: who changed what, when, before and after."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get

from appraisal.actor import Actor
from appraisal.audit.models import AuditEntry
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
        rows = AuditEntry.all()
        if entity:
            rows = rows.filter(entity=entity)
        if actor:
            rows = rows.filter(actor_username=actor)
        if before.isdigit() and len(before) < 10:
            rows = rows.filter(id__lt=int(before))  # older page: ids only grow
        entries = await rows.order_by("-id").limit(PAGE_SIZE)
        return page(request, "audit.html", entries=entries, entity=entity, actor=actor,
                    older=entries[-1].id if len(entries) == PAGE_SIZE else None)
