"""Validating a rulebook's TOML section by section into a RuleBook.

One function per section of the file. They run in file order and stop at
the first problem, so the error HR sees is always the earliest one; later
sections may rely on earlier ones (items and survey questions name
dimensions).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from types import MappingProxyType
from typing import Any

from appraisal.rulebook.model import (
    GRADES,
    LOWEST_GRADE,
    SEVERITIES,
    SOURCES,
    ComplaintDeadlines,
    Dimension,
    ItemRule,
    Rectification,
    RuleBook,
    SurveyQuestion,
    Touchpoint,
)
from appraisal.rulebook.toml_reader import Reader, parse_toml

_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")  # fits period.rulebook_version
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

_TOP_KEYS = ("version", "name", "name_zh", "effective_from", "dimensions", "items", "survey",
             "scoring", "complaints", "commendations", "grades", "touchpoints", "rectification")
_DIMENSION_KEYS = ("code", "name_zh", "name_en", "weight")
_ITEM_KEYS = ("code", "group", "standard_zh", "standard_en", "dimension", "points",
              "coaching_zh", "coaching_en", "rectify")
_TOUCHPOINT_KEYS = ("code", "name_zh", "name_en", "items", "posts")
# [complaints] follow-up deadlines (SPEC §3.4): all of them or none. With them, the
# single late-response point of 2026.1 is not used.
_DEADLINE_HOURS = ("first_response_hours", "resolve_working_days", "update_every_hours",
                   "return_visit_days")
_DEADLINE_KEYS = (*_DEADLINE_HOURS, "missed_deadline_points")

# Data is a parsed TOML table, as tomllib returns it.
Data = Mapping[str, Any]


# What the sections with several values yield, before they become a RuleBook.

@dataclass(frozen=True, slots=True)
class _Header:
    version: str
    name: str
    name_zh: str
    effective_from: str


@dataclass(frozen=True, slots=True)
class _Survey:
    scale: tuple[int, int]
    questions: tuple[SurveyQuestion, ...]


@dataclass(frozen=True, slots=True)
class _Scoring:
    source_weights: dict[str, Decimal]
    survey_prior_weight: Decimal
    min_inspections: int


@dataclass(frozen=True, slots=True)
class _Complaints:
    deductions: dict[str, Decimal]
    late_response_hours: int
    late_response_points: Decimal
    veto_severities: frozenset[str]
    deadlines: ComplaintDeadlines | None


@dataclass(frozen=True, slots=True)
class _Grades:
    thresholds: tuple[tuple[str, Decimal], ...]
    coefficients: dict[str, Decimal]  # in GRADES order
    names: dict[str, str]  # in GRADES order


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


def parse_rulebook(text: str, source: str, content_hash: str) -> RuleBook:
    """Validate a whole rulebook; the first problem raises a located RulebookError."""
    # 1. the TOML itself, and no unknown top-level keys
    data = parse_toml(text, source)
    r = Reader(source, text)
    r.known_keys(data, "", _TOP_KEYS)
    # 2. version, names, effective month
    header = _header(r, data)
    # 3. 五比 dimensions, then the checklist and survey questions that name them
    dimensions = _dimensions(r, data)
    dim_codes = tuple(d.code for d in dimensions)
    items = _items(r, data, dim_codes)
    touchpoints = _touchpoints(r, data, items)
    survey = _survey(r, data, dim_codes)
    # 4. the numbers: scoring, complaints, commendations, grades
    scoring = _scoring(r, data)
    complaints = _complaints(r, data)
    comm_points, comm_max_points = _commendations(r, data)
    grades = _grades(r, data)
    # 5. corrective actions, which `rectify` items need
    rectification = _rectification(r, data, items)
    return RuleBook(
        version=header.version,
        name=header.name,
        name_zh=header.name_zh,
        effective_from=header.effective_from,
        dimensions=dimensions,
        items=items,
        survey_questions=survey.questions,
        survey_scale=survey.scale,
        source_weights=_frozen(scoring.source_weights),
        survey_prior_weight=scoring.survey_prior_weight,
        min_inspections=scoring.min_inspections,
        complaint_deductions=_frozen(complaints.deductions),
        late_response_hours=complaints.late_response_hours,
        late_response_points=complaints.late_response_points,
        veto_severities=complaints.veto_severities,
        commendation_points=comm_points,
        commendation_max_points=comm_max_points,
        grade_thresholds=grades.thresholds,
        incentive_coefficients=_frozen(grades.coefficients),
        grade_names=_frozen(grades.names),
        content_hash=content_hash,
        source=source,
        touchpoints=touchpoints,
        rectification=rectification,
        complaint_deadlines=complaints.deadlines,
    )


def _header(r: Reader, data: Data) -> _Header:
    version = r.text(data, "version", "version")
    if not _VERSION.match(version):
        r.fail("version", f"'{version}' must be at most 32 letters, digits, '.', '_' or '-'")
    name = r.text(data, "name", "name")
    name_zh = r.text(data, "name_zh", "name_zh")
    effective_from = r.text(data, "effective_from", "effective_from")
    if not _MONTH.match(effective_from):
        r.fail("effective_from", f"'{effective_from}' must be a month, YYYY-MM")
    return _Header(version, name, name_zh, effective_from)


def _dimensions(r: Reader, data: Data) -> tuple[Dimension, ...]:
    # 五比: weights > 0 and summing to exactly 100
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
    return tuple(dimensions)


def _items(r: Reader, data: Data, dim_codes: tuple[str, ...]) -> tuple[ItemRule, ...]:
    # the inspection checklist; each item scores into one known dimension
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
            rectify=r.boolean(row, "rectify", f"{p}.rectify", code) if "rectify" in row else False,
        ))
    return tuple(items)


def _touchpoints(r: Reader, data: Data, items: tuple[ItemRule, ...]) -> tuple[Touchpoint, ...]:
    # Checklists per place (触点): each lists known items, once; once a file has
    # touchpoints, every item is checked somewhere (an item in none could never be
    # recorded).
    if "touchpoints" not in data:
        return ()
    item_codes = {i.code for i in items}
    touchpoints: list[Touchpoint] = []
    rows = r.array_of_tables(data, "touchpoints", "touchpoints", _TOUCHPOINT_KEYS)
    if not rows:
        r.fail("touchpoints", "at least one touchpoint is required when the section is given")
    for i, row in enumerate(rows):
        p = f"touchpoints[{i}]"
        code = r.code(row, "code", f"{p}.code")
        if code in {t.code for t in touchpoints}:
            r.fail(f"{p}.code", f"duplicate touchpoint code '{code}'", code)
        name_zh = r.text(row, "name_zh", f"{p}.name_zh", code)
        name_en = r.text(row, "name_en", f"{p}.name_en", code)
        listed = r.raw(row, "items", f"{p}.items", list, code)
        if not listed:
            r.fail(f"{p}.items", "a touchpoint needs at least one item", code)
        codes: list[str] = []
        for j, item in enumerate(listed):
            where = f"{p}.items[{j}]"
            if not isinstance(item, str) or not item.strip():
                r.fail(where, f"must be an item code, got {_described(item)}", code)
            item = item.strip()
            if item not in item_codes:
                r.fail(where, f"unknown item '{item}' (not among the [[items]])", code)
            if item in codes:
                r.fail(where, f"item '{item}' is listed twice", code)
            codes.append(item)
        posts: list[str] = []
        if "posts" in row:
            for j, post in enumerate(r.raw(row, "posts", f"{p}.posts", list, code)):
                if not isinstance(post, str) or not post.strip():
                    r.fail(f"{p}.posts[{j}]", f"must be a position name, got {_described(post)}",
                           code)
                posts.append(post.strip())
        touchpoints.append(Touchpoint(code=code, name_zh=name_zh, name_en=name_en,
                                      items=tuple(codes), posts=tuple(posts)))
    reached = {c for t in touchpoints for c in t.items}
    for i, item in enumerate(items):
        if item.code not in reached:
            r.fail(f"items[{i}].code", f"item '{item.code}' is in no touchpoint: list it in "
                   "the [[touchpoints]] where it is checked", item.code)
    return tuple(touchpoints)


def _described(value: Any) -> str:
    if isinstance(value, str):
        return "an empty string"
    return {bool: "true/false", int: "an integer", list: "a list", dict: "a table",
            Decimal: "a number"}.get(type(value), type(value).__name__)


def _survey(r: Reader, data: Data, dim_codes: tuple[str, ...]) -> _Survey:
    # customer surveys; a question without a dimension is kept but feeds no score
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
    return _Survey(scale=(lo, hi), questions=tuple(questions))


def _scoring(r: Reader, data: Data) -> _Scoring:
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
    return _Scoring(source_weights, prior, min_inspections)


def _complaints(r: Reader, data: Data) -> _Complaints:
    complaints = r.table(data, "complaints", "complaints",
                         ("deductions", "late_response_hours", "late_response_points",
                          "veto_severities", *_DEADLINE_KEYS))
    ded = r.table(complaints, "deductions", "complaints.deductions", SEVERITIES)
    deductions = {s: r.decimal(ded, s, f"complaints.deductions.{s}") for s in SEVERITIES}
    for s, v in deductions.items():
        if v < 0:
            r.fail(f"complaints.deductions.{s}", f"must be ≥ 0, got {v}")
    deadlines = _deadlines(r, complaints)
    if deadlines is not None and "late_response_hours" not in complaints:
        # not used with deadlines: no late-response point (the deadlines replace it)
        late_hours, late_points = deadlines.first_response_hours, Decimal(0)
    else:
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
    return _Complaints(deductions, late_hours, late_points, frozenset(veto), deadlines)


def _deadlines(r: Reader, complaints: Data) -> ComplaintDeadlines | None:
    given = [k for k in _DEADLINE_KEYS if k in complaints]
    if not given:
        return None
    for key in _DEADLINE_KEYS:
        if key not in complaints:
            r.fail(f"complaints.{key}", "is required with the other deadline keys "
                   f"(give all of {', '.join(_DEADLINE_KEYS)}, or none)")
    hours = {k: r.integer(complaints, k, f"complaints.{k}", 1) for k in _DEADLINE_HOURS}
    points = r.decimal(complaints, "missed_deadline_points", "complaints.missed_deadline_points")
    if points < 0:
        r.fail("complaints.missed_deadline_points", f"must be ≥ 0, got {points}")
    return ComplaintDeadlines(missed_deadline_points=points, **hours)


def _rectification(r: Reader, data: Data, items: tuple[ItemRule, ...]) -> Rectification | None:
    # corrective actions (整改): how long a fix may take, and what a late one costs
    if "rectification" not in data:
        for i, item in enumerate(items):
            if item.rectify:
                r.fail(f"items[{i}].rectify", "rectify = true needs a [rectification] section "
                       "(due_hours, overdue_points)", item.code)
        return None
    section = r.table(data, "rectification", "rectification", ("due_hours", "overdue_points"))
    due_hours = r.integer(section, "due_hours", "rectification.due_hours", 1)
    overdue = r.decimal(section, "overdue_points", "rectification.overdue_points")
    if overdue < 0:
        r.fail("rectification.overdue_points", f"must be ≥ 0, got {overdue}")
    return Rectification(due_hours=due_hours, overdue_points=overdue)


def _commendations(r: Reader, data: Data) -> tuple[Decimal, Decimal]:
    """Points per commendation, and the most points commendations add in one period
    (`max_points`). Files written before SPEC §2.1 was clarified capped a number of
    commendations (`max_per_period`); that still reads, as that many times the points,
    which is what such a file meant."""
    comm = r.table(data, "commendations", "commendations",
                   ("points", "max_points", "max_per_period"))
    comm_points = r.decimal(comm, "points", "commendations.points")
    if comm_points < 0:
        r.fail("commendations.points", f"must be ≥ 0, got {comm_points}")
    if "max_per_period" in comm:
        if "max_points" in comm:
            r.fail("commendations.max_per_period",
                   "give max_points only (max_per_period is its older, counted form)")
        count = r.integer(comm, "max_per_period", "commendations.max_per_period", 0)
        return comm_points, comm_points * count
    max_points = r.decimal(comm, "max_points", "commendations.max_points")
    if max_points < 0:
        r.fail("commendations.max_points", f"must be ≥ 0, got {max_points}")
    return comm_points, max_points


def _grades(r: Reader, data: Data) -> _Grades:
    # all four grades, thresholds strictly descending within 0..100;
    # the lowest grade has no threshold (it is everything below `pass`).
    coefficients: dict[str, Decimal] = {}
    names: dict[str, str] = {}
    minimums: dict[str, tuple[Decimal, int]] = {}  # grade → (min_score, row index)
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
    return _Grades(thresholds,
                   {g: coefficients[g] for g in GRADES},
                   {g: names[g] for g in GRADES})
