"""Evidence writes under load: POST /api/v1/inspections (15 items) against GET /healthz.

One run, PostgreSQL, `appraisal serve` as a user starts it (one process, then
two with --workers 2), 32 concurrent connections from wrk (C, light on the
CPU the server needs). The write's throughput is reported as a share of the
healthz throughput measured in the same run, with the write's p99 latency.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

CONNECTIONS = 32
SECONDS = 10
EMPLOYEES = 60
ITEMS = ("H1", "H2", "H3", "H4", "V1", "V2", "V3", "S1", "S2", "M1", "E1", "E2", "N1", "N2", "N3")
LUA = """
counter = 0
request = function()
  counter = counter + 1
  local emp = (counter %% %(employees)d) + 1
  local body = string.format('{"employee_id": %%d, "occurred_at": "%(at)s", ' ..
    '"touchpoint": "front_desk", "method": "onsite", "items": [%(items)s]}', emp)
  return wrk.format("POST", "/api/v1/inspections",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer %(token)s"}, body)
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _admin(pg_url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(pg_url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _organisation(url: str) -> str:
    """A team of EMPLOYEES and its supervisor; returns the supervisor's token."""
    from tortoise import Tortoise

    from appraisal.accounts.models import ApiToken, User
    from appraisal.accounts.security import hash_password, new_token, token_digest
    from appraisal.actor import Role
    from appraisal.db import init_db, migrate
    from appraisal.staff.models import Employee, Team

    await migrate(url)
    await init_db(url)
    try:
        team = await Team.create(name="前台组")
        await Employee.bulk_create([Employee(employee_no=f"W{i:04d}", name=f"员工{i}", team=team,
                                             position="前台接待") for i in range(1, EMPLOYEES + 1)])
        user = await User.create(username="bench.sup", password_hash=await hash_password("x" * 12),
                                 role=Role.supervisor)
        await user.supervised_teams.add(team)
        token = new_token()
        await ApiToken.create(token_hash=token_digest(token), user=user,
                              expires_at=datetime(2100, 1, 1, tzinfo=UTC))
        return token
    finally:
        await Tortoise.close_connections()


def _wrk(url: str, script: Path | None = None) -> dict[str, float]:
    cmd = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", "--timeout", "10s"]
    if script is not None:
        cmd += ["-s", str(script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"requests_per_second": rps,
            "p99_ms": round(float(p99.group(1)) * scale[p99.group(2)], 2) if p99 else -1.0,
            "non_2xx": int(errors.group(1)) if errors else 0}


def _serve(url: str, workers: int, reports: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "APPRAISAL_REPORTS_DIR": reports}
    proc = subprocess.Popen([sys.executable, "-m", "appraisal.cli", "serve", "--port", str(port),
                             "--workers", str(workers)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return proc, base


def run(pg_url: str) -> dict[str, Any]:
    schema = f"bench_w_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(pg_url, f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in pg_url else "?"
    url = f"{pg_url}{sep}schema={schema}"
    out: dict[str, Any] = {"connections": CONNECTIONS, "seconds_each": SECONDS,
                           "items_per_inspection": len(ITEMS)}
    try:
        token = asyncio.run(_organisation(url))
        at = datetime.now(UTC).replace(microsecond=0).isoformat()
        items = ", ".join(f'{{"code": "{c}", "result": "{"fail" if c == "V1" else "pass"}"}}'
                          for c in ITEMS)
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "post.lua"
            script.write_text(LUA % {"employees": EMPLOYEES, "at": at, "token": token,
                                     "items": items.replace('"', '\\"')}, encoding="utf-8")
            for workers in (1, 2):
                proc, base = _serve(url, workers, tmp)
                try:
                    _wrk(f"{base}/healthz")  # warm up both paths
                    _wrk(f"{base}/", script)
                    health = _wrk(f"{base}/healthz")
                    writes = _wrk(f"{base}/", script)
                finally:
                    proc.terminate()
                    proc.wait(timeout=30)
                out[f"workers_{workers}"] = {
                    "healthz": health, "inspections": writes,
                    "share_of_healthz": round(writes["requests_per_second"]
                                              / health["requests_per_second"], 3)}
    finally:
        asyncio.run(_admin(pg_url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    return out
