"""Login throttling, kept in the database (table login_throttle): every worker and
every restart sees the same counts.

Each attempt is counted under two keys:

* ``user:<name>`` — after `login_max_failures` failures the name waits 1 s before
  its next try, then 2 s, 4 s … up to `login_max_block_seconds`; a success clears
  the count. Guessing one password stays slow, and a mistyping owner waits seconds.
* ``ip:<address>`` — only a high ceiling (`login_ip_max_failures`), so that a few
  unknown or mistyped names from an office behind one NAT address never lock the
  office out, while a spray of names from one address is still stopped (for one
  window). The address is `appraisal.proxies.client_address`.

A count is forgotten after `login_window_seconds` without a failure or a block.

An attempt is charged as a failure *before* its password is checked, in one
transaction that locks both rows: a burst of concurrent guesses cannot all pass
the check before the first of them is counted. A success takes the charge back.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from appraisal import clock
from appraisal.accounts.models import LoginThrottle
from appraisal.config import Settings, get_settings
from appraisal.errors import TooManyRequests

USERNAME_CHARS = 64  # as long as a username can be (the key column holds 200)


def user_key(username: str) -> str:
    return f"user:{username.lower()[:USERNAME_CHARS]}"


def ip_key(address: str) -> str:
    return f"ip:{address}"


def _forgotten(row: LoginThrottle, now: datetime, settings: Settings) -> bool:
    """A whole window has passed since the row's last failure and since its block ended."""
    if row.last_failure_at is None:
        return True
    latest = max(row.last_failure_at, row.blocked_until or row.last_failure_at)
    return now - latest >= timedelta(seconds=settings.login_window_seconds)


def _wait(row: LoginThrottle, now: datetime) -> int:
    """Whole seconds until the key may try again; 0 when it may now."""
    if row.blocked_until is None or row.blocked_until <= now:
        return 0
    return max(1, math.ceil((row.blocked_until - now).total_seconds()))


def _charge_user(row: LoginThrottle, now: datetime, settings: Settings) -> None:
    row.failures = (0 if _forgotten(row, now, settings) else row.failures) + 1
    row.last_failure_at = now
    beyond = row.failures - settings.login_max_failures
    if beyond >= 0:
        block = min(2 ** min(beyond, 32), settings.login_max_block_seconds)
        row.blocked_until = now + timedelta(seconds=block)
    else:
        row.blocked_until = None


def _charge_ip(row: LoginThrottle, now: datetime, settings: Settings) -> None:
    # A block served starts the count afresh: at most the ceiling per window.
    fresh = _forgotten(row, now, settings) or row.blocked_until is not None
    row.failures = (0 if fresh else row.failures) + 1
    row.last_failure_at = now
    row.blocked_until = (now + timedelta(seconds=settings.login_window_seconds)
                         if row.failures >= settings.login_ip_max_failures else None)


async def charge(username: str, address: str) -> None:
    """Count an attempt as failed before its password is checked; a 429 with
    Retry-After while the username or the address must wait (nothing is counted)."""
    settings, now = get_settings(), clock.now()
    keys = sorted({user_key(username), ip_key(address)})  # one locking order for all
    async with in_transaction():
        # The insert takes SQLite's write lock at once; PostgreSQL locks the rows below.
        await LoginThrottle.bulk_create([LoginThrottle(key=k) for k in keys], ignore_conflicts=True)
        rows = {row.key: row for row in
                await LoginThrottle.filter(key__in=keys).order_by("key").select_for_update()}
        wait = max(_wait(row, now) for row in rows.values())
        if wait:
            raise TooManyRequests(
                "Too many failed logins; try again in %(seconds)s seconds.",
                code="too_many_logins", seconds=wait, headers={"Retry-After": str(wait)},
            )
        _charge_user(rows[user_key(username)], now, settings)
        _charge_ip(rows[ip_key(address)], now, settings)
        for row in rows.values():
            await row.save(update_fields=["failures", "last_failure_at", "blocked_until"])


async def succeeded(username: str, address: str) -> None:
    """The password was right: the username starts afresh, the address gets its charge back."""
    settings, now = get_settings(), clock.now()
    address_row = LoginThrottle.filter(key=ip_key(address))
    async with in_transaction():
        # Writes only, the address's row first as in `charge` ("ip:" < "user:"): PostgreSQL
        # never sees the two wait for each other, and SQLite takes its write lock at once
        # (a read first could meet another worker's write and fail).
        await address_row.filter(failures__gt=0).update(failures=F("failures") - 1)
        await address_row.filter(failures__lt=settings.login_ip_max_failures).update(
            blocked_until=None)
        await LoginThrottle.filter(key=user_key(username)).delete()
    # Counts nobody will look at again are swept on login, as expired sessions are.
    stale = now - timedelta(seconds=settings.login_window_seconds)
    await LoginThrottle.filter(
        Q(last_failure_at__lt=stale) | Q(last_failure_at=None),
        Q(blocked_until=None) | Q(blocked_until__lt=stale),
    ).delete()
