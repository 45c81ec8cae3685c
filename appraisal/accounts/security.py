"""Passwords (argon2) and opaque login tokens.

Argon2 is slow on purpose (tens of milliseconds of CPU and 64 MiB per hash), so
hashing and verifying run in a worker thread: the event loop keeps serving every
other request meanwhile (argon2-cffi releases the GIL while it works).
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verified when the username is unknown (or the hash unreadable), with the same
# parameters as every real hash, so that the time taken does not reveal which
# usernames exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; `None` (no such user) costs the same and is never a match."""
    ok = await asyncio.to_thread(_verify, password_hash or _DUMMY_HASH, password)
    return ok and password_hash is not None


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()

