"""The OpenAPI document types every response, and the API answers as it says.

Every JSON body an operation answers with (2xx) is a schema with its fields,
never a bare `{"type": "object"}`; client errors are problem details
(application/problem+json). The answers about a month, open and published
(scores, breakdowns, calibration, incentives, appraisals, appeals, report
jobs), are checked against the document with Schemathesis' response checks.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import schemathesis
from httpx import AsyncClient
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from appraisal.app import create_app
from tests.conftest import Org

# Free-form on purpose: the audit trail keeps an entity's state as it was,
# whichever entity it is and whatever fields it had then.
FREE_FORM = {"AuditOut.before", "AuditOut.after"}
CHECKS = [response_schema_conformance, status_code_conformance, content_type_conformance]


@functools.cache
def document() -> dict[str, Any]:
    return create_app(manage_db=False).openapi_schema.to_schema()


def untyped(doc: dict[str, Any], node: Any, where: str,
            seen: frozenset[str] = frozenset()) -> Iterator[str]:
    """Where under `node` an object is left untyped: no properties and no typed
    additionalProperties (`dict[str, str]` is typed, `dict[str, Any]` is not)."""
    if not isinstance(node, dict):
        return
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from untyped(doc, doc["components"]["schemas"][name], name, seen | {name})
        return
    for key in ("oneOf", "anyOf", "allOf"):
        for sub in node.get(key, []):
            yield from untyped(doc, sub, where, seen)
    types = node.get("type")
    types = types if isinstance(types, list) else [types]
    extra = node.get("additionalProperties")
    if "object" in types or "properties" in node:
        if not node.get("properties") and extra in (None, True, {}) and where not in FREE_FORM:
            yield where
        for name, prop in node.get("properties", {}).items():
            yield from untyped(doc, prop, f"{where}.{name}", seen)
        if isinstance(extra, dict):
            yield from untyped(doc, extra, f"{where}{{}}", seen)
    if "items" in node:
        yield from untyped(doc, node["items"], f"{where}[]", seen)


def operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and "responses" in op:
                yield method.upper(), path, op


def test_the_check_tells_typed_from_untyped() -> None:
    doc: dict[str, Any] = {"components": {"schemas": {
        "Row": {"type": "object", "properties": {"scores": {
            "type": "object", "additionalProperties": {"type": "string"}}}},
        "Loose": {"type": "object", "properties": {"state": {
            "oneOf": [{"type": "object", "additionalProperties": {}}, {"type": "null"}]}}},
    }}}
    assert list(untyped(doc, {"type": "object"}, "op")) == ["op"]
    assert list(untyped(doc, {"type": "array", "items": {"type": "object"}}, "op")) == ["op[]"]
    assert list(untyped(doc, {"items": {"$ref": "#/components/schemas/Row"}}, "op")) == []
    assert list(untyped(doc, {"$ref": "#/components/schemas/Loose"}, "op")) == ["Loose.state"]


def test_every_json_response_is_typed() -> None:
    doc = document()
    bare, missing = [], []
    for method, path, op in operations(doc):
        for status, response in op["responses"].items():
            if not status.startswith("2"):
                continue
            for media_type, content in (response.get("content") or {}).items():
                if "json" not in media_type or status == "204":
                    continue
                if "schema" not in content:
                    missing.append(f"{method} {path} {status}")
                    continue
                bare += [f"{method} {path} {status}: {where}"
                         for where in untyped(doc, content["schema"], "body")]
    assert not missing, missing
    assert not bare, "\n".join(bare)


def test_every_api_operation_documents_its_client_errors_as_problems() -> None:
    doc = document()
    problem = {"$ref": "#/components/schemas/ProblemOut"}
    wrong = []
    for method, path, op in operations(doc):
        if not path.startswith("/api/"):
            continue
        for status in ("400", "4XX"):
            content = op["responses"].get(status, {}).get("content", {})
            if content != {"application/problem+json": {"schema": problem}}:
                wrong.append(f"{method} {path} {status}: {content}")
    assert not wrong, "\n".join(wrong)
    fields = doc["components"]["schemas"]["ProblemOut"]["properties"]
    assert {"type", "title", "status", "detail", "instance", "errors"} <= set(fields)


class Api:
    """Calls an operation and checks the answer against the document."""

    def __init__(self, client: AsyncClient, org: Org) -> None:
        self.client, self.org = client, org
        self.schema = schemathesis.openapi.from_dict(document())
        self.checked: set[tuple[str, str]] = set()

    async def __call__(self, method: str, template: str, who: str = "hr", *,
                       status: int = 200, json: Any = None, **path: Any) -> Any:
        case = self.schema[template][method].Case(path_parameters=path or None)
        r = await self.client.request(method, template.format(**path), json=json,
                                      headers=self.org.h(who))
        assert r.status_code == status, f"{method} {template}: {r.status_code} {r.text[:300]}"
        case.validate_response(r, checks=CHECKS)
        self.checked.add((method, template))
        return r.json()


MONTH = "/api/v1/periods/{month}"
# The operations answering with the shapes of scoring, incentives, appeals and
# reporting; submitting a batch job (its answer is a job's status, checked here)
# renders a whole month: test_reports.
TYPED = {("GET", f"{MONTH}/scores"), ("GET", f"{MONTH}/scores/{{employee_id}}"),
         ("GET", f"{MONTH}/calibration"), ("POST", f"{MONTH}/incentives"),
         ("GET", f"{MONTH}/incentives"), ("GET", "/api/v1/me/appraisals"),
         ("POST", "/api/v1/me/appraisals/{month}/acknowledge"),
         ("POST", "/api/v1/me/appraisals/{month}/appeal"), ("GET", "/api/v1/appeals"),
         ("GET", "/api/v1/appeals/{appeal_id}"), ("POST", "/api/v1/appeals/{appeal_id}/answer"),
         ("GET", "/api/v1/report-jobs/{job_id}")}


async def test_answers_about_a_month_match_the_document(
    client: AsyncClient, published: Org
) -> None:
    org = published
    api = Api(client, org)
    m = {"month": "2026-11"}

    # Published: the employee's appraisals, acknowledged or appealed; HR answers.
    [mine] = await api("GET", "/api/v1/me/appraisals", "emp_a1")
    assert mine["incentive"] is not None and mine["appeal"] is None
    await api("POST", "/api/v1/me/appraisals/{month}/acknowledge", "emp_a1", json={}, **m)
    appeal = await api("POST", "/api/v1/me/appraisals/{month}/appeal", "emp_b1", status=201,
                       json={"reason": "漏记一次表扬"}, **m)
    [listed] = await api("GET", "/api/v1/appeals")
    assert listed["id"] == appeal["id"] and listed["employee_no"] == "B001"
    await api("GET", "/api/v1/appeals/{appeal_id}", appeal_id=appeal["id"])
    answered = await api("POST", "/api/v1/appeals/{appeal_id}/answer", appeal_id=appeal["id"],
                         json={"decision": "rejected", "answer": "表扬在十二月"})
    assert answered["answered_at"] is not None
    [mine] = await api("GET", "/api/v1/me/appraisals", "emp_a1")
    assert mine["acknowledged_at"] is not None
    [theirs] = await api("GET", "/api/v1/me/appraisals", "emp_b1")
    assert theirs["appeal"]["status"] == "rejected"

    # Closed scores, the snapshot's breakdown, calibration, incentives.
    rows = await api("GET", f"{MONTH}/scores", **m)
    assert {r["status"] for r in rows} == {"graded"}
    breakdown = await api("GET", f"{MONTH}/scores/{{employee_id}}", employee_id=org.emp_b1, **m)
    assert breakdown["snapshot"]["sequence"] == 1 and breakdown["lost_points"]
    await api("GET", f"{MONTH}/calibration", **m)
    await api("GET", f"{MONTH}/incentives", **m)
    # Published: the pool changes only through a reopen (its 201 is checked below).
    refused = await api("POST", f"{MONTH}/incentives", status=409,
                        json={"pool": "1000.00", "team_id": org.team_a, "cap": "600.00"}, **m)
    assert refused["code"] == "period_published"

    # Report jobs as they go: queued, done (with its file), failed.
    from appraisal import clock
    from appraisal.periods.models import Period
    from appraisal.reporting.models import JobStatus, ReportJob

    period = await Period.get(month="2026-11")
    jobs = [await ReportJob.create(period=period, status=JobStatus.queued),
            await ReportJob.create(period=period, status=JobStatus.done, total=6, done=6,
                                   file_path="/nowhere.zip", file_size=1024,
                                   snapshot_hash="0" * 64, finished_at=clock.now()),
            await ReportJob.create(period=period, status=JobStatus.failed, total=6, done=2,
                                   error="a font is missing", finished_at=clock.now())]
    for job in jobs:
        out = await api("GET", "/api/v1/report-jobs/{job_id}", job_id=job.id)
        assert out["status"] == job.status.value

    # Reopened: live scores with deductions, open complaints, a bonus and surveys.
    await client.post("/api/v1/periods/2026-11/reopen", headers=org.h("hr"),
                      json={"reason": "补录投诉"})
    h = org.h("hr")
    for complaint in ({"status": "substantiated", "first_response_at": "2026-11-09T10:00:00+08:00"},
                      {"status": "pending"}):
        r = await client.post("/api/v1/complaints", headers=h, json={
            "employee_id": org.emp_a1, "received_at": "2026-11-07T10:00:00+08:00",
            "channel": "phone", "severity": "minor", "description": "等了很久", **complaint})
        assert r.status_code == 201, r.text
    r = await client.post("/api/v1/commendations", headers=h, json={
        "employee_id": org.emp_a1, "received_at": "2026-11-08T10:00:00+08:00",
        "source": "letter"})
    assert r.status_code == 201, r.text
    r = await client.post("/api/v1/surveys", headers=h, json={
        "employee_id": org.emp_a1, "received_at": "2026-11-08T11:00:00+08:00", "attitude": 4,
        "quality": 5, "efficiency": None, "environment": 3, "overall": 4, "comment": "",
        "external_id": "openapi-1"})
    assert r.status_code == 201, r.text
    await api("GET", f"{MONTH}/scores", **m)
    live = await api("GET", f"{MONTH}/scores/{{employee_id}}", employee_id=org.emp_a1, **m)
    assert "snapshot" not in live
    assert live["deductions"] and live["open_complaints"] and live["bonus"]["commendations"]
    assert any(d["survey"] for d in live["dimension_breakdown"])
    await api("GET", f"{MONTH}/calibration", **m)

    # Closed again: the pool is allocated (on a published month it was refused above).
    import time_machine

    from tests.factories import NOVEMBER_OVER

    with time_machine.travel(NOVEMBER_OVER, tick=True):
        await api("POST", f"{MONTH}/close", **m)
    team = await api("POST", f"{MONTH}/incentives", status=201,
                     json={"pool": "1000.00", "team_id": org.team_a, "cap": "600.00"}, **m)
    assert team["cap"] == "600.00" and team["team"] is not None

    await api("GET", "/api/v1/me/feedback", "emp_a1")
    assert TYPED <= api.checked, TYPED - api.checked
