"""Settings read from the environment, once per process."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    timezone: ZoneInfo
    organisation: str
    token_hours: int
    # Login throttling (appraisal.accounts.throttle): a username may fail this many
    # times, then waits 1 s, 2 s, 4 s … up to login_max_block_seconds before each
    # further try; a client address may fail login_ip_max_failures times. Failures
    # are forgotten after login_window_seconds without one (or without a block).
    login_max_failures: int
    login_window_seconds: int
    login_max_block_seconds: int
    login_ip_max_failures: int
    max_upload_bytes: int
    cookie_secure: bool
    # Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed
    # (appraisal.proxies); nobody's by default.
    trusted_proxies: tuple[IPv4Network | IPv6Network, ...] = ()
    # Where inspection photos are kept, named by content hash (SPEC §3.3).
    media_dir: Path = PROJECT_ROOT / "data" / "media"
    # The organisation's own days off (APPRAISAL_DAYS_OFF), besides the mainland
    # calendar: complaint deadlines in working days skip them.
    days_off: frozenset[date] = frozenset()


def _networks(variable: str) -> tuple[IPv4Network | IPv6Network, ...]:
    """Comma-separated addresses or networks ("10.0.0.5, 172.16.0.0/12, ::1")."""
    networks = []
    for part in os.environ.get(variable, "").split(","):
        if part.strip():
            try:
                networks.append(ip_network(part.strip(), strict=False))
            except ValueError:
                raise ValueError(f"{variable}: {part.strip()!r} is not an IP address or network") from None
    return tuple(networks)


def _days(variable: str) -> frozenset[date]:
    """Comma-separated dates ("2026-12-24,2026-12-31")."""
    days = set()
    for part in os.environ.get(variable, "").split(","):
        if part.strip():
            try:
                days.add(date.fromisoformat(part.strip()))
            except ValueError:
                raise ValueError(f"{variable}: {part.strip()!r} is not a date YYYY-MM-DD") from None
    return frozenset(days)


def _sqlite_default() -> str:
    return f"sqlite://{PROJECT_ROOT / 'data' / 'appraisal.sqlite3'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or _sqlite_default(),
        timezone=ZoneInfo(os.environ.get("APPRAISAL_TIMEZONE", "Asia/Shanghai")),
        organisation=os.environ.get("APPRAISAL_ORGANISATION", "示例物业服务有限公司"),
        token_hours=int(os.environ.get("APPRAISAL_TOKEN_HOURS", "12")),
        login_max_failures=int(os.environ.get("APPRAISAL_LOGIN_MAX_FAILURES", "5")),
        login_window_seconds=int(os.environ.get("APPRAISAL_LOGIN_WINDOW_SECONDS", "900")),
        login_max_block_seconds=int(os.environ.get("APPRAISAL_LOGIN_MAX_BLOCK_SECONDS", "900")),
        login_ip_max_failures=int(os.environ.get("APPRAISAL_LOGIN_IP_MAX_FAILURES", "100")),
        max_upload_bytes=int(os.environ.get("APPRAISAL_MAX_UPLOAD_BYTES", str(5 * 1024 * 1024))),
        cookie_secure=os.environ.get("APPRAISAL_COOKIE_SECURE", "0") == "1",
        trusted_proxies=_networks("APPRAISAL_TRUSTED_PROXIES"),
        media_dir=Path(os.environ.get("APPRAISAL_MEDIA_DIR") or PROJECT_ROOT / "data" / "media"),
        days_off=_days("APPRAISAL_DAYS_OFF"),
    )


def reports_dir() -> Path:
    """Where batch ZIPs and their parts are written (shared by every worker machine)."""
    return Path(os.environ.get("APPRAISAL_REPORTS_DIR", PROJECT_ROOT / "data" / "reports"))
