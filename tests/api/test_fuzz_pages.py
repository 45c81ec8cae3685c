"""Property-based fuzzing of the pages, which the OpenAPI document leaves out: every
page route and method, logged in as each role, with generated path segments, query
strings and form fields (the names the templates use, values valid and hostile).
Whatever arrives, a page answers below 500."""

from __future__ import annotations

import re
from typing import Any

from httpx import AsyncClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appraisal.app import create_app
from tests.factories import GARBAGE, HOSTILE, Org, closed_month, log_in

EXAMPLES = 15  # per route and method, sent as each role
FIELDS = ("actor", "answer", "cap", "channel", "comment", "customer_satisfied", "decision",
          "description", "employee_id", "entity", "first_response_at", "method", "next",
          "notes", "pool", "reason", "received_at", "resolved_at", "return_visit_at",
          "severity", "status", "touchpoint", "attitude", "quality", "efficiency",
          "environment", "overall", "item-V1", "item-H1", "item-ZZ", "before", "done", "saved",
          "lang")
SKIPPED = {("POST", "/logout")}  # would end the session the other requests use
VALUES = st.one_of(
    st.sampled_from([*HOSTILE, *GARBAGE, "", "1", "0", "-1", "2147483648", "fail", "na", "pass",
                     "yes", "no", "upheld", "rejected", "minor", "critical", "substantiated",
                     "2026-11-05T10:00", "2026-11", "10000.00", "1E-999999999", "\x00"]),
    st.text(max_size=40),
)
SEGMENTS = {"int": st.one_of(st.integers(-5, 2**33).map(str), st.sampled_from(["1", "2", "3"])),
            "str": st.one_of(st.sampled_from(["2026-11", "2026-10", "2026-13", "x", "close",
                                              "publish", "reopen", "incentives", "reports"]),
                             st.text(alphabet="0123456789-abcz", min_size=1, max_size=10))}


def page_routes() -> list[tuple[str, str]]:
    app = create_app(manage_db=False)
    out = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if route.path.startswith(("/api/", "/schema", "/static", "/healthz")):
                continue  # the API is fuzzed from its OpenAPI document
            for method in sorted(handler.http_methods):
                if method != "OPTIONS" and (method, route.path) not in SKIPPED:
                    out.append((method, route.path))
    return sorted(set(out))


def _fill(path: str, draw: Any) -> str:
    return re.sub(r"\{[^:}]+:([a-z]+)\}", lambda m: draw(SEGMENTS.get(m.group(1), SEGMENTS["str"])),
                  path)


def _collect(method: str, path: str, cases: list[tuple[str, str, dict[str, str], dict[str, str]]]
             ) -> None:
    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def collect(data: st.DataObject) -> None:
        filled = _fill(path, data.draw)
        query = data.draw(st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=3))
        form = data.draw(st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=6))
        cases.append((method, filled, query, form))

    collect()


async def test_generated_page_requests_never_get_a_5xx(client: AsyncClient, org: Org) -> None:
    await closed_month(client, org)
    routes = page_routes()
    assert len(routes) >= 20
    cases: list[tuple[str, str, dict[str, str], dict[str, str]]] = []
    for method, path in routes:
        _collect(method, path, cases)
    failures = []
    # Failed logins among the cases would throttle the roles' own logins: those go last.
    logins = [c for c in cases if c[:2] == ("POST", "/login")]
    rest = [c for c in cases if c[:2] != ("POST", "/login")]
    # HR's turn may reset or deactivate other logins (the logins pages): it comes after
    # the roles it could lock out.
    for who in ("emp_a1", "sup_a", "hr", None):
        client.cookies.clear()
        csrf = await log_in(client, who) if who else (await client.get("/login")).cookies.get(
            "csrftoken", "")
        for method, path, query, form in rest if who else rest + logins:
            body = {**form, "csrf": csrf} if method == "POST" else None
            r = await client.request(method, path, params=query, data=body)
            if r.status_code >= 500:
                failures.append(f"{who} {method} {path} {query} {form}: {r.status_code}")
    assert not failures, f"{len(failures)} of {4 * len(cases)}:\n" + "\n".join(failures[:20])
