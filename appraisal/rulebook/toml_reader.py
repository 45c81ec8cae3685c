"""Reading a rulebook's TOML with line locations, so every error can name a line.

tomllib keeps no positions, so the line of a dotted key is recovered from the
text itself: table headers split the file into blocks, and a key is looked
up in the block of its longest table prefix. It is best effort; an error
without a line still names the file and the key.

Numbers come out as Decimal: TOML floats are parsed straight into Decimal
(never through binary float), integers and strings are converted exactly.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn

from appraisal.rulebook.model import RulebookError

_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

# --- locating keys in the file text ---------------------------------------

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(?:#.*)?$")
_SEGMENT = re.compile(r"^([^\[\]]+)(?:\[(\d+)\])?$")


@dataclass(slots=True)
class _Block:
    table: str  # "" for the root table
    index: int | None  # position in an array of tables ([[x]]), else None
    first: int  # line of the header (1 for the root)
    last: int


def _blocks(lines: list[str]) -> list[_Block]:
    blocks = [_Block("", None, 1, len(lines))]
    counts: dict[str, int] = {}
    for n, line in enumerate(lines, 1):
        m = _HEADER.match(line)
        if not m:
            continue
        name = ".".join(p.strip().strip("\"'") for p in m.group(2).split("."))
        index = None
        if m.group(1) == "[[":
            index = counts.get(name, 0)
            counts[name] = index + 1
        blocks[-1].last = n - 1
        blocks.append(_Block(name, index, n, len(lines)))
    return blocks


def _locate(lines: list[str], blocks: list[_Block], key: str) -> int | None:
    """Best-effort line of a dotted key such as ``survey.questions[2].dimension``."""
    segments: list[tuple[str, int | None]] = []
    for part in key.split("."):
        m = _SEGMENT.match(part)
        if not m:
            return None
        segments.append((m.group(1), int(m.group(2)) if m.group(2) else None))

    def find_key(block: _Block, name: str) -> int | None:
        pat = re.compile(rf"^\s*[\"']?{re.escape(name)}[\"']?\s*[=.]")
        for n in range(block.first, block.last + 1):
            if pat.match(lines[n - 1]):
                return n
        return None

    # the longest prefix of the key that is a [table] or [[array]] header
    for k in range(len(segments), 0, -1):
        table = ".".join(name for name, _ in segments[:k])
        index = segments[k - 1][1]
        for block in blocks:
            if block.table == table and (index is None or block.index == index):
                rest = segments[k:]
                if rest:
                    return find_key(block, rest[0][0]) or block.first
                return block.first
    return find_key(blocks[0], segments[0][0])


# --- bytes and text to TOML data -------------------------------------------


def decode_utf8(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RulebookError(source, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})") \
            from None


def parse_toml(text: str, source: str) -> dict[str, Any]:
    try:
        # floats straight to Decimal: `0.6` means exactly 0.6
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise RulebookError(source, "", f"not valid TOML: {exc}",
                            int(m.group(1)) if m else None) from None


# --- typed, located access to the parsed TOML ----------------------------


class Reader:
    """Typed accessors over parsed TOML; each failure raises a located RulebookError.

    `path` is always the dotted key of the value being read, so the error
    (and its line) names exactly what HR has to fix.
    """

    def __init__(self, source: str, text: str) -> None:
        self.source = source
        self.lines = text.splitlines()
        self.blocks = _blocks(self.lines)

    def fail(self, key: str, reason: str, code: str | None = None) -> NoReturn:
        raise RulebookError(self.source, key, reason, _locate(self.lines, self.blocks, key), code)

    def table(self, parent: Mapping[str, Any], key: str, path: str,
              allowed: Iterable[str], code: str | None = None) -> dict[str, Any]:
        value = self.raw(parent, key, path, dict, code)
        self.known_keys(value, path, allowed, code)
        return value

    def known_keys(self, table: Mapping[str, Any], path: str, allowed: Iterable[str],
                   code: str | None = None) -> None:
        # a misspelt key would otherwise be silently ignored
        allowed = tuple(allowed)
        for key in table:
            if key not in allowed:
                self.fail(f"{path}.{key}" if path else key,
                          f"unknown key (expected one of: {', '.join(allowed)})", code)

    def raw(self, table: Mapping[str, Any], key: str, path: str, kind: type,
            code: str | None = None) -> Any:
        if key not in table:
            self.fail(path, "is required but missing", code)
        value = table[key]
        # bool is an int subclass: `points = true` must not pass as 1
        if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
            self.fail(path, f"must be {_KIND[kind]}, got {_describe(value)}", code)
        return value

    def array_of_tables(self, table: Mapping[str, Any], key: str, path: str,
                        allowed: Iterable[str]) -> list[dict[str, Any]]:
        rows = self.raw(table, key, path, list)
        allowed = tuple(allowed)
        for i, row in enumerate(rows):
            if not isinstance(row, dict):
                self.fail(f"{path}[{i}]", f"must be a table, got {_describe(row)}")
            self.known_keys(row, f"{path}[{i}]", allowed, _code_of(row))
        return rows

    def text(self, table: Mapping[str, Any], key: str, path: str,
             code: str | None = None) -> str:
        value = self.raw(table, key, path, str, code).strip()
        if not value:
            self.fail(path, "must not be empty", code)
        return value

    def code(self, table: Mapping[str, Any], key: str, path: str) -> str:
        value = self.text(table, key, path)
        if not _CODE.match(value):
            self.fail(path, f"'{value}' is not a valid code (a letter, then letters, "
                            "digits or _)")
        return value

    def boolean(self, table: Mapping[str, Any], key: str, path: str,
                code: str | None = None) -> bool:
        return bool(self.raw(table, key, path, bool, code))

    def integer(self, table: Mapping[str, Any], key: str, path: str,
                minimum: int) -> int:
        value = self.raw(table, key, path, int)
        if value < minimum:
            self.fail(path, f"must be ≥ {minimum}, got {value}")
        return int(value)

    def decimal(self, table: Mapping[str, Any], key: str, path: str,
                code: str | None = None) -> Decimal:
        if key not in table:
            self.fail(path, "is required but missing", code)
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
            self.fail(path, f"must be a number, got {_describe(value)}", code)
        try:
            result = Decimal(value.strip() if isinstance(value, str) else value)
        except InvalidOperation:
            self.fail(path, f"'{value}' is not a number", code)
        if not result.is_finite():
            self.fail(path, f"must be a finite number, got {value}", code)
        return result


_KIND: dict[type, str] = {int: "an integer", str: "a string", list: "a list",
                          dict: "a table", bool: "true or false"}


def _describe(value: Any) -> str:
    names = {bool: "true/false", int: "an integer", str: "a string", list: "a list",
             dict: "a table", Decimal: "a number"}
    return names.get(type(value), type(value).__name__)


def _code_of(row: Mapping[str, Any]) -> str | None:
    # a row's code labels its errors, so HR can find the row by the code it shows
    code = row.get("code")
    return code.strip() or None if isinstance(code, str) else None
