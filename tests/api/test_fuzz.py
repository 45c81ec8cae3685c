"""Property-based fuzzing of the whole API from its own OpenAPI document: no input,
valid or not, gets a 5xx, and every answer is what the document says it is.

Schemathesis derives requests for every operation from the schema the app
publishes: conforming ones (positive) and ones that break it (negative:
wrong types, missing fields, out-of-range numbers, odd path segments).
Hypothesis generates them (derandomized, so a failure repeats); they are
sent in the test's own event loop, where the database connections live.
Each response is checked against the document by Schemathesis: its status
and media type are documented, and its body matches the schema declared
for them (typed JSON, problem details for client errors).
"""

from __future__ import annotations

from typing import Any

import schemathesis
from httpx import AsyncClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from appraisal.app import create_app
from tests.factories import Org, closed_month

EXAMPLES = 12  # per operation and mode
# Logging out would end the session the other requests use; a report job
# renders a whole month in worker processes (the batch has its own tests).
SKIPPED = {("POST", "/api/v1/auth/logout"), ("POST", "/api/v1/periods/{month}/report-jobs")}
# The body is checked against the schema of the status and media type; the other
# two make sure no response escapes that by an undocumented status or media type.
RESPONSE_CHECKS = [response_schema_conformance, status_code_conformance, content_type_conformance]


def generated_cases() -> list[Any]:
    schema = schemathesis.openapi.from_dict(create_app(manage_db=False).openapi_schema.to_schema())
    cases: list[Any] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        for mode in GenerationMode:

            @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                      suppress_health_check=list(HealthCheck))
            @given(operation.as_strategy(generation_mode=mode))
            def collect(case: Any) -> None:
                cases.append(case)

            try:
                collect()
            except Unsatisfiable:
                # Nothing to make wrong: no parameters, no body, no token (GET /healthz).
                if mode is not GenerationMode.NEGATIVE or operation.path != "/healthz":
                    raise
    return cases


def request_of(case: Any) -> dict[str, Any]:
    body = case.body
    request: dict[str, Any] = {"params": case.query or None}
    if isinstance(body, schemathesis.core.NotSet) or (body is None and not case.media_type):
        return request
    if case.media_type == "multipart/form-data":
        fields = body if isinstance(body, dict) else {"data": body}
        request["files"] = {k: ("upload.csv", v if isinstance(v, bytes) else str(v).encode())
                            for k, v in fields.items()}
    elif isinstance(body, bytes):
        request["content"] = body
    else:
        request["json"] = body
    return request


async def test_generated_requests_get_documented_answers_never_a_5xx(
    client: AsyncClient, org: Org
) -> None:
    await closed_month(client, org)  # a closed month, scores and evidence to reach
    cases = generated_cases()
    assert len(cases) > 500
    failures = []
    statuses: list[int] = []
    for case in cases:
        # Employees' own routes with an employee's token, everything else as admin.
        who = "emp_a1" if case.path.startswith("/api/v1/me/") else "admin"
        try:
            r = await client.request(case.method, case.formatted_path,
                                     headers={"Authorization": f"Bearer {org.tokens[who]}"},
                                     **request_of(case))
        except Exception as exc:  # a crash is what is looked for
            failures.append(f"{case.method} {case.formatted_path}: {exc!r:.200}")
            continue
        statuses.append(r.status_code)
        # The same generated path asked with the methods no operation documents.
        for method in ("OPTIONS", "HEAD"):
            other = await client.request(method, case.formatted_path, params=case.query or None,
                                         headers={"Authorization": f"Bearer {org.tokens[who]}"})
            if other.status_code >= 500:
                failures.append(f"{method} {case.formatted_path}: {other.status_code}")
        if r.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path} {request_of(case)!r:.300}: "
                            f"{r.status_code} {r.text[:200]}")
            continue
        r.request.read()  # a multipart body is a stream; the failure report reads it again
        try:
            case.validate_response(r, checks=RESPONSE_CHECKS)
        except FailureGroup as group:
            found = "; ".join(f"{f.title}: {f.message[:300]}" for f in group.exceptions)
            failures.append(f"{case.method} {case.formatted_path}: {r.status_code} "
                            f"{r.text[:200]}\n  {found}")
    # Not only refusals: many generated requests get through to the services.
    assert sum(200 <= s < 300 for s in statuses) > 100
    assert not failures, f"{len(failures)} of {len(cases)}:\n" + "\n".join(failures[:20])
