"""Loading and validating rulebooks (criteria/*.toml).

A rulebook is data, not code: HR can add a version without a deploy. So a
file is validated completely on load, and a bad one is reported with the
file, the line, the dotted key and the reason, in words HR can act on.

All numbers are Decimal: TOML integers and strings are converted exactly, and
TOML floats are parsed straight into Decimal (never through binary float).
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn

DEFAULT_VERSION = "2026.1"
CRITERIA_ENV = "APPRAISAL_CRITERIA_DIR"
_PACKAGE_CRITERIA = Path(__file__).resolve().parents[2] / "criteria"
# Where rulebooks live; the environment variable wins (deployments, tests).
CRITERIA_DIR: Path = Path(os.environ[CRITERIA_ENV]) if os.environ.get(CRITERIA_ENV) \
    else _PACKAGE_CRITERIA

# Grade codes are part of the product contract (API, incentives, reports),
# so a rulebook may change thresholds and coefficients but not the codes.
GRADES = ("excellent", "good", "pass", "needs_improvement")
LOWEST_GRADE = GRADES[-1]
SEVERITIES = ("minor", "major", "critical")
SOURCES = ("inspection", "survey")

_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")  # fits period.rulebook_version
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class RulebookError(ValueError):
    """A rulebook file that cannot be used, located as precisely as possible.

    `key` is a dotted path such as ``items[3].points`` ("" for the whole
    file), `line` the 1-based line in the file when it could be found.
    """

    def __init__(
        self, file: str, key: str, reason: str, line: int | None = None, code: str | None = None
    ) -> None:
        self.file = file
        self.key = key
        self.reason = reason
        self.line = line
        self.code = code
        where = f"{file}:{line}" if line else file
        label = f'{key} (code "{code}")' if key and code else key
        super().__init__(f"{where}: {label}: {reason}" if label else f"{where}: {reason}")

    def __reduce__(self) -> tuple[Any, ...]:
        # keep the exception picklable (multiprocessing, pytest-xdist)
        return (type(self), (self.file, self.key, self.reason, self.line, self.code))


@dataclass(frozen=True, slots=True)
class Dimension:
    code: str
    name_zh: str
    name_en: str
    weight: Decimal


@dataclass(frozen=True, slots=True)
class ItemRule:
    code: str
    group: str
    standard_zh: str
    standard_en: str
    dimension: str
    points: Decimal
    coaching_zh: str
    coaching_en: str


@dataclass(frozen=True, slots=True)
class SurveyQuestion:
    code: str
    dimension: str | None  # None: stored and shown, feeds no dimension (e.g. "overall")


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True, slots=True)
class RuleBook:
    """One validated, immutable rulebook version.

    Mapping fields are read-only proxies and left out of the hash (a proxy is
    not hashable); everything they hold is covered by `content_hash`.
    """

    version: str
    name: str
    name_zh: str
    effective_from: str
    dimensions: tuple[Dimension, ...]
    items: tuple[ItemRule, ...]
    survey_questions: tuple[SurveyQuestion, ...]
    survey_scale: tuple[int, int]
    source_weights: Mapping[str, Decimal] = field(hash=False)
    survey_prior_weight: Decimal
    min_inspections: int
    complaint_deductions: Mapping[str, Decimal] = field(hash=False)
    late_response_hours: int
    late_response_points: Decimal
    veto_severities: frozenset[str]
    commendation_points: Decimal
    commendation_max: int
    grade_thresholds: tuple[tuple[str, Decimal], ...]  # highest first, lowest grade absent
    incentive_coefficients: Mapping[str, Decimal] = field(hash=False)
    grade_names: Mapping[str, str] = field(hash=False)  # grade code → 中文 name
    content_hash: str
    source: str
    lowest_grade: str = LOWEST_GRADE

    def item(self, code: str) -> ItemRule:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(f"no item {code!r} in rulebook {self.version}")

    def dimension(self, code: str) -> Dimension:
        for dim in self.dimensions:
            if dim.code == code:
                return dim
        raise KeyError(f"no dimension {code!r} in rulebook {self.version}")

    @property
    def item_codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.items)

    @property
    def dimension_codes(self) -> tuple[str, ...]:
        return tuple(d.code for d in self.dimensions)

    def grade_for(self, score: Decimal) -> str:
        """Grade of a score; callers pass the published (rounded) final score."""
        for grade, threshold in self.grade_thresholds:
            if score >= threshold:
                return grade
        return self.lowest_grade


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


# --- typed, located access to the parsed TOML ----------------------------


class _Reader:
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
    code = row.get("code")
    return code.strip() or None if isinstance(code, str) else None


# --- parsing ---------------------------------------------------------------

_TOP_KEYS = ("version", "name", "name_zh", "effective_from", "dimensions", "items", "survey",
             "scoring", "complaints", "commendations", "grades")
_DIMENSION_KEYS = ("code", "name_zh", "name_en", "weight")
_ITEM_KEYS = ("code", "group", "standard_zh", "standard_en", "dimension", "points",
              "coaching_zh", "coaching_en")


def _toml(text: str, source: str) -> dict[str, Any]:
    try:
        # floats straight to Decimal: `0.6` means exactly 0.6
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise RulebookError(source, "", f"not valid TOML: {exc}",
                            int(m.group(1)) if m else None) from None


def _decode(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RulebookError(source, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})") \
            from None


def _parse(text: str, source: str, content_hash: str) -> RuleBook:
    data = _toml(text, source)
    r = _Reader(source, text)
    r.known_keys(data, "", _TOP_KEYS)

    version = r.text(data, "version", "version")
    if not _VERSION.match(version):
        r.fail("version", f"'{version}' must be at most 32 letters, digits, '.', '_' or '-'")
    name = r.text(data, "name", "name")
    name_zh = r.text(data, "name_zh", "name_zh")
    effective_from = r.text(data, "effective_from", "effective_from")
    if not _MONTH.match(effective_from):
        r.fail("effective_from", f"'{effective_from}' must be a month, YYYY-MM")

    # 五比: dimensions, weights > 0 and summing to exactly 100
    dimensions: list[Dimension] = []
    rows = r.array_of_tables(data, "dimensions", "dimensions", _DIMENSION_KEYS)
    if not rows:
        r.fail("dimensions", "at least one dimension is required")
    for i, row in enumerate(rows):
        p = f"dimensions[{i}]"
        code = r.code(row, "code", f"{p}.code")
        if code in {d.code for d in dimensions}:
            r.fail(f"{p}.code", f"duplicate dimension code '{code}'", code)
        weight = r.decimal(row, "weight", f"{p}.weight", code)
        if weight <= 0:
            r.fail(f"{p}.weight", f"weight must be > 0, got {weight}", code)
        dimensions.append(Dimension(
            code=code,
            name_zh=r.text(row, "name_zh", f"{p}.name_zh", code),
            name_en=r.text(row, "name_en", f"{p}.name_en", code),
            weight=weight,
        ))
    total = sum((d.weight for d in dimensions), Decimal(0))
    if total != 100:
        r.fail("dimensions", f"dimension weights must sum to 100, they sum to {total}")
    dim_codes = tuple(d.code for d in dimensions)

    # the inspection checklist
    items: list[ItemRule] = []
    rows = r.array_of_tables(data, "items", "items", _ITEM_KEYS)
    if not rows:
        r.fail("items", "at least one inspection item is required")
    for i, row in enumerate(rows):
        p = f"items[{i}]"
        code = r.code(row, "code", f"{p}.code")
        if code in {x.code for x in items}:
            r.fail(f"{p}.code", f"duplicate item code '{code}'", code)
        dim = r.text(row, "dimension", f"{p}.dimension", code)
        if dim not in dim_codes:
            r.fail(f"{p}.dimension",
                   f"unknown dimension '{dim}' (known: {', '.join(dim_codes)})", code)
        points = r.decimal(row, "points", f"{p}.points", code)
        if points <= 0:
            r.fail(f"{p}.points", f"points must be > 0, got {points}", code)
        items.append(ItemRule(
            code=code,
            group=r.text(row, "group", f"{p}.group", code),
            standard_zh=r.text(row, "standard_zh", f"{p}.standard_zh", code),
            standard_en=r.text(row, "standard_en", f"{p}.standard_en", code),
            dimension=dim,
            points=points,
            coaching_zh=r.text(row, "coaching_zh", f"{p}.coaching_zh", code),
            coaching_en=r.text(row, "coaching_en", f"{p}.coaching_en", code),
        ))

    # customer surveys
    survey = r.table(data, "survey", "survey", ("scale_min", "scale_max", "questions"))
    lo = r.integer(survey, "scale_min", "survey.scale_min", 0)
    hi = r.integer(survey, "scale_max", "survey.scale_max", 0)
    if hi <= lo:
        r.fail("survey.scale_max", f"must be above scale_min ({lo}), got {hi}")
    questions: list[SurveyQuestion] = []
    rows = r.array_of_tables(survey, "questions", "survey.questions", ("code", "dimension"))
    for i, row in enumerate(rows):
        p = f"survey.questions[{i}]"
        code = r.code(row, "code", f"{p}.code")
        if code in {q.code for q in questions}:
            r.fail(f"{p}.code", f"duplicate survey question '{code}'", code)
        dim = r.text(row, "dimension", f"{p}.dimension", code) if "dimension" in row else None
        if dim is not None and dim not in dim_codes:
            r.fail(f"{p}.dimension",
                   f"unknown dimension '{dim}' (known: {', '.join(dim_codes)})", code)
        questions.append(SurveyQuestion(code=code, dimension=dim))

    # scoring parameters
    scoring = r.table(data, "scoring", "scoring",
                      ("source_weights", "survey_prior_weight", "min_inspections"))
    sw = r.table(scoring, "source_weights", "scoring.source_weights", SOURCES)
    source_weights = {s: r.decimal(sw, s, f"scoring.source_weights.{s}") for s in SOURCES}
    for s, w in source_weights.items():
        if w < 0:
            r.fail(f"scoring.source_weights.{s}", f"must be ≥ 0, got {w}")
    if (sw_total := sum(source_weights.values(), Decimal(0))) != 1:
        r.fail("scoring.source_weights", f"source weights must sum to 1, they sum to {sw_total}")
    prior = r.decimal(scoring, "survey_prior_weight", "scoring.survey_prior_weight")
    if prior < 0:
        r.fail("scoring.survey_prior_weight", f"must be ≥ 0, got {prior}")
    min_inspections = r.integer(scoring, "min_inspections", "scoring.min_inspections", 0)

    # complaints
    complaints = r.table(data, "complaints", "complaints",
                         ("deductions", "late_response_hours", "late_response_points",
                          "veto_severities"))
    ded = r.table(complaints, "deductions", "complaints.deductions", SEVERITIES)
    deductions = {s: r.decimal(ded, s, f"complaints.deductions.{s}") for s in SEVERITIES}
    for s, v in deductions.items():
        if v < 0:
            r.fail(f"complaints.deductions.{s}", f"must be ≥ 0, got {v}")
    late_hours = r.integer(complaints, "late_response_hours",
                           "complaints.late_response_hours", 1)
    late_points = r.decimal(complaints, "late_response_points",
                            "complaints.late_response_points")
    if late_points < 0:
        r.fail("complaints.late_response_points", f"must be ≥ 0, got {late_points}")
    veto = r.raw(complaints, "veto_severities", "complaints.veto_severities", list)
    for s in veto:
        if s not in SEVERITIES:
            r.fail("complaints.veto_severities",
                   f"unknown severity {s!r} (known: {', '.join(SEVERITIES)})")

    # commendations
    comm = r.table(data, "commendations", "commendations", ("points", "max_per_period"))
    comm_points = r.decimal(comm, "points", "commendations.points")
    if comm_points < 0:
        r.fail("commendations.points", f"must be ≥ 0, got {comm_points}")
    comm_max = r.integer(comm, "max_per_period", "commendations.max_per_period", 0)

    # grades: all four, thresholds strictly descending within 0..100;
    # the lowest grade has no threshold (it is everything below `pass`).
    coefficients: dict[str, Decimal] = {}
    names: dict[str, str] = {}
    minimums: dict[str, tuple[Decimal, int]] = {}
    rows = r.array_of_tables(data, "grades", "grades",
                             ("code", "name_zh", "min_score", "coefficient"))
    for i, row in enumerate(rows):
        p = f"grades[{i}]"
        code = r.text(row, "code", f"{p}.code")
        if code not in GRADES:
            r.fail(f"{p}.code", f"unknown grade '{code}' (known: {', '.join(GRADES)})")
        if code in coefficients:
            r.fail(f"{p}.code", f"duplicate grade '{code}'", code)
        coefficients[code] = r.decimal(row, "coefficient", f"{p}.coefficient", code)
        if coefficients[code] < 0:
            r.fail(f"{p}.coefficient", f"must be ≥ 0, got {coefficients[code]}", code)
        names[code] = r.text(row, "name_zh", f"{p}.name_zh", code)
        if code == LOWEST_GRADE:
            if "min_score" in row:
                r.fail(f"{p}.min_score",
                       f"{LOWEST_GRADE} takes no min_score: it is every score below pass", code)
            continue
        minimum = r.decimal(row, "min_score", f"{p}.min_score", code)
        if not 0 <= minimum <= 100:
            r.fail(f"{p}.min_score", f"must be within 0..100, got {minimum}", code)
        minimums[code] = (minimum, i)
    missing = [g for g in GRADES if g not in coefficients]
    if missing:
        r.fail("grades", f"missing grade(s): {', '.join(missing)}")
    thresholds = tuple((g, minimums[g][0]) for g in GRADES if g != LOWEST_GRADE)
    for (higher, hi_min), (lower, lo_min) in pairwise(thresholds):
        if lo_min >= hi_min:
            r.fail(f"grades[{minimums[lower][1]}].min_score",
                   f"thresholds must descend: {lower} ({lo_min}) must be below "
                   f"{higher} ({hi_min})", lower)

    return RuleBook(
        version=version,
        name=name,
        name_zh=name_zh,
        effective_from=effective_from,
        dimensions=tuple(dimensions),
        items=tuple(items),
        survey_questions=tuple(questions),
        survey_scale=(lo, hi),
        source_weights=_frozen(source_weights),
        survey_prior_weight=prior,
        min_inspections=min_inspections,
        complaint_deductions=_frozen(deductions),
        late_response_hours=late_hours,
        late_response_points=late_points,
        veto_severities=frozenset(veto),
        commendation_points=comm_points,
        commendation_max=comm_max,
        grade_thresholds=thresholds,
        incentive_coefficients=_frozen({g: coefficients[g] for g in GRADES}),
        grade_names=_frozen({g: names[g] for g in GRADES}),
        content_hash=content_hash,
        source=source,
    )


def _from_bytes(raw: bytes, source: str) -> RuleBook:
    # the hash is of the exact bytes: it is what a closed period records
    return _parse(_decode(raw, source), source, hashlib.sha256(raw).hexdigest())


def loads_rulebook(text: str, source: str = "<string>") -> RuleBook:
    """Parse and validate a rulebook given as text (hash: sha256 of its UTF-8 bytes)."""
    return _parse(text, source, hashlib.sha256(text.encode("utf-8")).hexdigest())


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise RulebookError(str(path), "", f"cannot read: {exc.strerror or exc}") from None


def load_rulebook(path: str | os.PathLike[str]) -> RuleBook:
    """Parse and validate a rulebook file; RulebookError names file, line, key and reason."""
    path = Path(path)
    return _from_bytes(_read(path), str(path))


def check_file(path: str | os.PathLike[str]) -> str:
    """One-line summary of a valid rulebook file (`appraisal rules check`)."""
    book = load_rulebook(path)
    return (f"OK {path}: version {book.version}, {len(book.dimensions)} dimensions, "
            f"{len(book.items)} items, sha256 {book.content_hash[:12]}…")


# --- the rulebooks in criteria/ ------------------------------------------


def _criteria_dir() -> Path:
    # read at call time so deployments and tests can point elsewhere
    env = os.environ.get(CRITERIA_ENV)
    return Path(env) if env else CRITERIA_DIR


_lock = threading.Lock()
_versions_cache: dict[tuple[Any, ...], dict[str, Path]] = {}
_book_cache: dict[tuple[str, str, str], RuleBook] = {}


def available_rulebooks(directory: str | os.PathLike[str] | None = None) -> dict[str, Path]:
    """Version → file for every *.toml in `directory` (default: the criteria dir)."""
    directory = Path(directory) if directory is not None else _criteria_dir()
    paths = sorted(directory.glob("*.toml"))
    # re-read the files only when one was added, removed or changed
    stamp: list[tuple[str, int, int]] = []
    for p in paths:
        st = p.stat()
        stamp.append((str(p), st.st_mtime_ns, st.st_size))
    key = (str(directory), tuple(stamp))
    with _lock:
        if key in _versions_cache:
            return dict(_versions_cache[key])
    found: dict[str, Path] = {}
    for path in paths:
        # only the version is read here; the full check happens on load
        text = _decode(_read(path), str(path))
        version = _toml(text, str(path)).get("version")
        reader = _Reader(str(path), text)
        if not isinstance(version, str) or not version.strip():
            reader.fail("version", "is required but missing")
        version = version.strip()
        if version in found:
            reader.fail("version", f"version {version} is also defined in {found[version]}")
        found[version] = path
    with _lock:
        _versions_cache.clear()  # only the current state of a directory is worth keeping
        _versions_cache[key] = found
    return dict(found)


def get_rulebook(version: str | None = None) -> RuleBook:
    """The validated rulebook of `version` (None: DEFAULT_VERSION), cached per content hash.

    KeyError when no file in the criteria dir has that version.
    """
    version = DEFAULT_VERSION if version is None else version
    books = available_rulebooks()
    if version not in books:
        raise KeyError(f"no rulebook with version {version!r} in {_criteria_dir()} "
                       f"(available: {', '.join(sorted(books)) or 'none'})")
    path = books[version]
    raw = _read(path)
    key = (version, hashlib.sha256(raw).hexdigest(), str(path))
    with _lock:
        book = _book_cache.get(key)
    if book is None:
        book = _from_bytes(raw, str(path))
        if book.version != version:  # the file was edited since it was listed
            raise RulebookError(str(path), "version",
                                f"expected version {version}, the file now says {book.version}")
        with _lock:
            _book_cache[key] = book
    return book
