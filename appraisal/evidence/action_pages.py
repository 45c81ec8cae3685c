"""Corrective actions on the pages (整改, SPEC §3.5): everyone sees the actions in
their reach, overdue first; the assignee (or their supervisor) marks one done with
a note, someone else checks it; a supervisor opens one by hand on a failed item.

The same service as the API does the work, with the same checks and audit.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile

from appraisal.actor import Actor
from appraisal.clock import local_now
from appraisal.evidence import actions, photos
from appraisal.evidence.models import Inspection
from appraisal.evidence.pages import _moment
from appraisal.evidence.records import one_inspection
from appraisal.evidence.schemas import ActionCheck, ActionIn, ActionPatch
from appraisal.evidence.service import get_in_scope
from appraisal.guards import ANY_USER, STAFF
from appraisal.idempotency import Idempotency
from appraisal.web import attempt, page, see_other


class ActionPages(Controller):
    path = "/actions"
    guards = [ANY_USER]
    include_in_schema = False
    middleware = [Idempotency()]

    async def _list(self, request: Request[Actor, str, Any], *, status_code: int = 200,
                    error: str | None = None) -> Response[str]:
        listed = await actions.list_actions(request.user)
        live = [a for a in listed if a.state in ("open", "done")]
        return page(request, "actions.html", status_code=status_code, error=error,
                    live=live, closed=[a for a in listed if a.state == "verified"][-20:],
                    done=request.query_params.get("done"), now=local_now())

    @get("/")
    async def board(self, request: Request[Actor, str, Any]) -> Response[str]:
        """Every action in reach: overdue, open and done-to-check first; the last verified."""
        return await self._list(request)

    @post("/{action_id:int}/done", status_code=303,
          request_max_body_size=photos.UPLOAD_BODY_BYTES)
    async def mark_done(self, request: Request[Actor, str, Any], action_id: int) -> Response[Any]:
        form = await request.form()
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        upload = next((f for k, f in form.multi_items()
                       if k == "photo" and isinstance(f, UploadFile) and f.filename), None)
        shot = await upload.read() if upload is not None else b""

        async def done() -> None:
            action = await actions.get_action(request.user, action_id)
            # The photo is checked before anything is written: a bad file writes nothing.
            encoded = await photos.encode_upload(shot) if shot else None
            await actions.update_action(request.user, action, ActionPatch(
                state="done", note=values.get("note", "").strip()))
            if encoded is not None:
                await photos.attach_fix_photo(request.user, action, shot, encoded)

        result = await attempt(done, partial(self._list, request))
        return result if isinstance(result, Response) else see_other(
            f"{_back(values)}?done={action_id}")

    @post("/{action_id:int}/verify", status_code=303, guards=[STAFF])
    async def check(self, request: Request[Actor, str, Any], action_id: int) -> Response[Any]:
        values = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}

        async def verify() -> None:
            action = await actions.get_action(request.user, action_id)
            await actions.verify_action(request.user, action, ActionCheck(
                passed=values.get("passed") == "yes", note=values.get("note", "").strip()))

        result = await attempt(verify, partial(self._list, request))
        return result if isinstance(result, Response) else see_other(
            f"{_back(values)}?done={action_id}")

    async def _new(self, request: Request[Actor, str, Any], *, status_code: int = 200,
                   error: str | None = None, values: dict[str, str] | None = None
                   ) -> Response[str]:
        values = values or {k: v for k, v in request.query_params.items()}
        insp_id = values.get("inspection_id", "")
        inspection = None
        if insp_id.isdigit():
            await get_in_scope(Inspection, request.user, int(insp_id))
            inspection = await one_inspection(int(insp_id))
        due = values.get("due_at") or (local_now() + timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M")
        return page(request, "action_new.html", status_code=status_code, error=error,
                    inspection=inspection, values={**values, "due_at": due})

    @get("/new", guards=[STAFF])
    async def new_form(self, request: Request[Actor, str, Any]) -> Response[str]:
        """Open an action by hand on a failed item of an inspection."""
        return await self._new(request)

    @post("/", status_code=303, guards=[STAFF])
    async def open_action(self, request: Request[Actor, str, Any]) -> Response[Any]:
        values = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        body: dict[str, Any] = {
            "inspection_id": int(values["inspection_id"]) if values.get(
                "inspection_id", "").isdigit() else 0,
            "item_code": values.get("item_code", ""),
            "assignee_id": int(values["assignee_id"]) if values.get(
                "assignee_id", "").isdigit() else 0,
            "due_at": _moment(values.get("due_at", "")),
            "description": values.get("description", "").strip(),
        }
        action = await attempt(
            lambda: actions.create_action(request.user, msgspec.convert(body, ActionIn)),
            partial(self._new, request, values=values))
        return action if isinstance(action, Response) else see_other(f"/actions?done={action.id}")


def _back(values: dict[str, str]) -> str:
    """Back to the page the form was on (the board, or the employee's own page)."""
    return "/me" if values.get("back") == "me" else "/actions"
