"""What a password must be, and the one-time passwords HR hands out.

At least MIN_LENGTH characters, not the username (whatever the case), and not
one of the 10,000 most common passwords (common_passwords.txt, shipped with
the package). A refused password is a 422 naming the field and why.
"""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path

from appraisal.errors import Unprocessable

MIN_LENGTH = 10
COMMON_FILE = Path(__file__).resolve().parent / "common_passwords.txt"
# One-time passwords: no letters or digits people mix up (0/O, 1/l/I).
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_FILE.read_text("utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines
                     if line.strip() and not line.startswith("#"))


def check_password(password: str, username: str, field: str = "password") -> str:
    """`password` if it may be used by `username`, else a 422 naming `field`."""
    if len(password) < MIN_LENGTH:
        raise Unprocessable.field(field, "at least %(min)s characters (%(given)s given)",
                                  code="password_too_short", min=MIN_LENGTH, given=len(password))
    if username and password.strip().lower() == username.strip().lower():
        raise Unprocessable.field(field, "must not be the username", code="password_is_username")
    if password.lower() in common_passwords() or password.strip().lower() in common_passwords():
        raise Unprocessable.field(field, "is one of the most common passwords; choose another",
                                  code="password_too_common")
    return password


def one_time_password() -> str:
    """A password for HR to hand over once: 12 characters, four groups of three."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return "-".join(chars[i:i + 3] for i in range(0, 12, 3))
