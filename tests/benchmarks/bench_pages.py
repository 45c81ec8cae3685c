"""The supervisor's pages on a phone: what they weigh and when they answer a tap.

`appraisal serve` as a user starts it (SQLite, the demo organisation, last month
closed and published, at the suite's frozen moment), Debian's chromium through
Playwright, logged in as the demo supervisor on a phone-sized page.

Weight: bytes as the browser received them (CDP `Network.loadingFinished`
`encodedDataLength`: headers and the body as sent, gzip when the server sends it),
by resource type; a cold load (cache emptied) and a warm one (the same page again,
its CSS and JS cached). Time to interactive: cold loads under a "Regular 3G"-like
profile (100 ms latency, 750 kbit/s down, 250 kbit/s up, CPU slowed 4×); the
baseline, under the same throttling in the same run, is GET /healthz and the
stylesheet alone (their Navigation Timing responseEnd).

Chromium fetches a page's icon after it, past its own cache: the icon shows as
"other" in every load, warm ones too.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
FROZEN_CLI = "tests.browser.frozen_cli"
SUPERVISOR = ("sup.front", "sup-demo-1")
PAGES = ["/team", "/inspect", "/inspect?employee_id={employee}&touchpoint=front_desk",
         "/complaints", "/surveys", "/commendations", "/actions", "/standards"]
THROTTLE = {"offline": False, "latency": 100, "downloadThroughput": 750_000 / 8,
            "uploadThroughput": 250_000 / 8}
CPU_SLOWDOWN = 4
# The complaints board holds every unfinished complaint, in pages: measured again with
# this many more, received over the month so far (a busy site), its first page and the
# second one.
BUSY_BOARD = 300
BUSY_PAGES = ["/complaints", "/complaints?state=open&page=2"]
RUNS = 3  # throttled cold loads a page; the median is reported
QUIET_MS = 500  # no long task for this long after the last one: the main thread is quiet
TYPES = {"Document": "document", "Stylesheet": "stylesheet", "Script": "script",
         "Image": "image", "Font": "font"}
TTI_DEFINITION = (
    "Milliseconds from navigation start (Navigation Timing startTime) to the latest of: "
    "domContentLoadedEventEnd; responseEnd of every stylesheet and script the page loads; "
    "HTMX ready (its first htmx:load event); the end of the last long task (>50 ms, "
    "PerformanceObserver 'longtask') before the main thread was quiet for "
    f"{QUIET_MS} ms. Cold load (cache emptied), median of {RUNS}.")

# Runs before the page's own scripts (CDP, outside the page's CSP): notes long tasks
# and when HTMX has processed the page.
PROBE = """
window.__bench = {longTaskEnd: 0, htmxReady: null};
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    window.__bench.longTaskEnd = Math.max(window.__bench.longTaskEnd, e.startTime + e.duration);
  }
}).observe({type: 'longtask', buffered: true});
document.addEventListener('htmx:load', () => {
  if (window.__bench.htmxReady === null) window.__bench.htmxReady = performance.now();
}, {capture: true});
"""
MEASURE = """
() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const blocking = performance.getEntriesByType('resource')
    .filter((r) => r.initiatorType === 'script' || r.initiatorType === 'link'
                   || /\\.(css|js)(\\?|$)/.test(r.name));
  const b = window.__bench || {longTaskEnd: 0, htmxReady: null};
  const parts = {
    dom_content_loaded: nav.domContentLoadedEventEnd,
    blocking_css_js_end: Math.max(0, ...blocking.map((r) => r.responseEnd)),
    htmx_ready: b.htmxReady === null ? 0 : b.htmxReady,
    last_long_task_end: b.longTaskEnd,
  };
  return {parts, dom_interactive: nav.domInteractive, load_event_end: nav.loadEventEnd,
          response_end: nav.responseEnd, htmx: b.htmxReady !== null,
          tti: Math.max(...Object.values(parts)) - nav.startTime};
}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite://{folder / 'app.sqlite3'}",
           "APPRAISAL_REPORTS_DIR": str(folder / "reports"),
           "APPRAISAL_MEDIA_DIR": str(folder / "media")}
    for args in (["migrate"], ["demo"], ["close"], ["publish"]):
        subprocess.run([sys.executable, "-m", FROZEN_CLI, *args], env=env, cwd=ROOT,
                       check=True, capture_output=True, timeout=600)
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", FROZEN_CLI, "serve", "--port", str(port)],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("`appraisal serve` never answered /healthz")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.1)


class Wire:
    """Bytes received per resource type, from the page's CDP Network events."""

    def __init__(self, cdp: Any) -> None:
        self.kind: dict[str, str] = {}
        self.encoding: dict[str, str] = {}
        self.bytes: dict[str, int] = {}
        self.cached: set[str] = set()
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", lambda e: self.bytes.setdefault(e["requestId"], 0))
        cdp.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))

    async def settled(self) -> None:
        """Until every response seen has finished arriving (CDP events come late), at most 5 s."""
        for _ in range(50):
            if all(rid in self.bytes for rid in self.kind):
                return
            await asyncio.sleep(0.1)

    def reset(self) -> None:
        self.kind.clear()
        self.encoding.clear()
        self.bytes.clear()
        self.cached.clear()

    def _response(self, e: dict[str, Any]) -> None:
        if e["response"]["url"].startswith("data:"):
            return
        self.kind[e["requestId"]] = TYPES.get(e["type"], "other")
        headers = {k.lower(): v for k, v in e["response"].get("headers", {}).items()}
        name = e["response"]["url"].split("?")[0].rsplit("/", 1)[-1] or "/"
        self.encoding[e["requestId"]] = (
            f"{e['type']} {name} {e['response']['status']} "
            f"{headers.get('content-encoding', 'identity')}"
            f"{' (cache)' if e['response'].get('fromDiskCache') else ''}")
        if e["response"].get("fromDiskCache") or e["response"].get("fromMemoryCache"):
            self.cached.add(e["requestId"])

    def _finished(self, e: dict[str, Any]) -> None:
        self.bytes[e["requestId"]] = int(e["encodedDataLength"])

    def summary(self) -> dict[str, Any]:
        by_type: dict[str, int] = defaultdict(int)
        for rid, n in self.bytes.items():
            if rid in self.kind and rid not in self.cached:
                by_type[self.kind[rid]] += n
        total = sum(by_type.values())
        return {"bytes_by_type": {t: by_type.get(t, 0) for t in (*TYPES.values(), "other")},
                "bytes_total": total, "kb_total": round(total / 1024, 1),
                "responses": sorted(self.encoding[r] for r in self.kind)}


async def _settle(page: Any) -> None:
    """Until no long task has ended for QUIET_MS (wall time), at most 10 s."""
    for _ in range(100):
        quiet = await page.evaluate(
            "() => performance.now() - Math.max(window.__bench ? window.__bench.longTaskEnd : 0,"
            " (performance.getEntriesByType('navigation')[0] || {}).loadEventEnd || 0)")
        if quiet >= QUIET_MS:
            return
        await asyncio.sleep(0.1)


async def _throttle(cdp: Any, on: bool) -> None:
    if on:
        await cdp.send("Network.emulateNetworkConditions", THROTTLE)
        await cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    else:
        await cdp.send("Network.emulateNetworkConditions",
                       {"offline": False, "latency": 0, "downloadThroughput": -1,
                        "uploadThroughput": -1})
        await cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})


async def _cold_timed(page: Any, cdp: Any, url: str) -> dict[str, Any]:
    await cdp.send("Network.clearBrowserCache")
    await _throttle(cdp, True)
    try:
        await page.goto(url, wait_until="load", timeout=120_000)
        await page.wait_for_function("() => !window.htmx || window.__bench.htmxReady !== null",
                                     timeout=60_000)
        await _settle(page)
        return await page.evaluate(MEASURE)  # type: ignore[no-any-return]
    finally:
        await _throttle(cdp, False)


async def _complain(base: str, employee: int, n: int) -> None:
    """`n` more complaints against one of the supervisor's team, through the API."""
    from datetime import timedelta

    from tests.conftest import FROZEN_AT

    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        login = await client.post("/api/v1/auth/login", json=dict(zip(
            ("username", "password"), SUPERVISOR, strict=True)))
        h = {"Authorization": f"Bearer {login.json()['token']}"}
        for i in range(n):
            # Every 90 minutes back from the frozen moment: all within its open month.
            at = (FROZEN_AT - timedelta(minutes=90 * i + 60)).isoformat()
            r = await client.post("/api/v1/complaints", headers=h, json={
                "employee_id": employee, "received_at": at, "channel": "电话",
                "severity": ("minor", "major")[i % 2],
                "description": f"第{i + 1}位客人：维修三天没人来，电话也没人接，要求尽快上门处理。"})
            r.raise_for_status()


async def _cards(page: Any, url: str) -> dict[str, int]:
    """How many complaint cards a board page shows, of how many, and its elements."""
    await page.goto(url)
    return await page.evaluate(  # type: ignore[no-any-return]
        "() => ({cards: document.querySelectorAll('div.card[id^=c]').length,"
        " elements: document.getElementsByTagName('*').length,"
        " html_bytes: document.documentElement.outerHTML.length})")


async def _measure(base: str) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    from tests.factories import log_in_browser

    out: dict[str, Any] = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=shutil.which("chromium"), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = await log_in_browser(browser, base, *SUPERVISOR)
            await page.context.add_init_script(PROBE)
            await page.goto(f"{base}/inspect")
            # The first employee the supervisor may choose, as a supervisor would.
            out["inspected_employee_id"] = int(await page.eval_on_selector(
                "select[name=employee_id]",
                "(s) => [...s.options].map((o) => o.value).find((v) => /^\\d+$/.test(v))"))
            cdp = await page.context.new_cdp_session(page)
            await cdp.send("Network.enable")
            wire = Wire(cdp)

            # The baseline: the smallest answer and the stylesheet alone, same throttling.
            css = await page.evaluate("() => document.querySelector('link[rel=stylesheet]').href")
            baseline: dict[str, Any] = {}
            for name, url in (("healthz", f"{base}/healthz"), ("app_css", css)):
                wire.reset()
                await cdp.send("Network.clearBrowserCache")
                await page.goto(url, wait_until="networkidle")
                await wire.settled()
                weight = wire.summary()
                runs = []
                for _ in range(RUNS):
                    timed = await _cold_timed(page, cdp, url)
                    runs.append(timed["response_end"])
                baseline[name] = {"url": url.replace(base, ""),
                                  "kb": round(weight["bytes_by_type"]["document"] / 1024, 1),
                                  "bytes_by_type": weight["bytes_by_type"],
                                  "responses": weight["responses"],
                                  "response_end_ms_runs": [round(r) for r in runs],
                                  "response_end_ms": round(statistics.median(runs))}
            out["baseline"] = baseline

            pages: dict[str, Any] = {}

            async def measure(path: str, url: str) -> None:
                wire.reset()
                await cdp.send("Network.clearBrowserCache")
                await page.goto(url, wait_until="networkidle")  # the icon too
                await wire.settled()
                cold = wire.summary()
                wire.reset()
                await page.goto(url, wait_until="networkidle")  # the icon too
                await wire.settled()
                warm = wire.summary()
                timed = [await _cold_timed(page, cdp, url) for _ in range(RUNS)]
                assert all(t["htmx"] for t in timed), f"HTMX never readied {path}"
                ttis = [t["tti"] for t in timed]
                pages[path] = {"cold": cold, "warm": warm, "kb_cold": cold["kb_total"],
                               "kb_warm": warm["kb_total"],
                               "tti_ms_runs": [round(t) for t in ttis],
                               "tti_ms": round(statistics.median(ttis)),
                               "tti_parts_ms_last_run": {k: round(v) for k, v in
                                                         timed[-1]["parts"].items()},
                               "tti_ratio_to_healthz_baseline": round(
                                   statistics.median(ttis)
                                   / max(1, baseline["healthz"]["response_end_ms"]), 2),
                               "tti_ratio_to_css_baseline": round(
                                   statistics.median(ttis)
                                   / max(1, baseline["app_css"]["response_end_ms"]), 2)}

            for template in PAGES:
                path = template.format(employee=out["inspected_employee_id"])
                await measure(path, base + path)
            await _complain(base, out["inspected_employee_id"], BUSY_BOARD)
            for path in BUSY_PAGES:
                await measure(f"{path} (+{BUSY_BOARD} complaints)", base + path)
            out["busy_board_cards"] = {path: await _cards(page, base + path)
                                       for path in BUSY_PAGES}
            out["pages"] = pages
        finally:
            await browser.close()
    return out


def run() -> dict[str, Any]:
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        proc, base = _serve(Path(tmp))
        try:
            measured = asyncio.run(_measure(base))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return {"throttling": {**THROTTLE, "cpu_slowdown": CPU_SLOWDOWN,
                           "profile": "Regular 3G-like, CDP Network.emulateNetworkConditions"},
            "tti_definition": TTI_DEFINITION,
            "bytes_definition": "CDP Network.loadingFinished encodedDataLength (headers and "
                                "body as received; gzip when sent so), unthrottled; warm = the "
                                "same page loaded again with its cache kept; responses served "
                                "from the browser's cache count 0",
            "targets": {"kb_per_page": 60, "tti_ms": 2000},
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            **measured}


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
