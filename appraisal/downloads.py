"""Names of files people download, made from data (employee_no, team names).

Data never reaches a header or a ZIP entry as it is: a name is cut down to
harmless characters for the ASCII `filename`, and given whole, percent-encoded,
in `filename*` (RFC 6266 and 5987), so a Chinese team name still arrives.
"""

from __future__ import annotations

import re
from urllib.parse import quote

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_UNSAFE_IN_PATH = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def ascii_name(name: str, fallback: str = "file") -> str:
    """Letters, digits, '.', '-' and '_' only; never empty, never a dot-name like '..'."""
    cleaned = _UNSAFE.sub("_", name).strip("._-") or fallback
    return cleaned[:120]


def path_part(name: str, fallback: str = "_") -> str:
    """One folder or file name inside a ZIP: no separators, control characters or '..';
    other characters (Chinese names) kept."""
    cleaned = _UNSAFE_IN_PATH.sub("_", name).strip(" .") or fallback
    return cleaned[:120]


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """The Content-Disposition header for `filename`, safe whatever the name holds."""
    kind = "inline" if inline else "attachment"
    fallback = ascii_name(filename)
    encoded = quote(path_part(filename), safe="")
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
