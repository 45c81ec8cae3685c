"""What a validated rulebook is: immutable values, the fixed codes, and its error."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

DEFAULT_VERSION = "2026.1"

# Grade codes are part of the product contract (API, incentives, reports),
# so a rulebook may change thresholds and coefficients but not the codes.
GRADES = ("excellent", "good", "pass", "needs_improvement")
LOWEST_GRADE = GRADES[-1]
SEVERITIES = ("minor", "major", "critical")
SOURCES = ("inspection", "survey")
# How an inspection records an item (evidence.models.ItemResult holds the same codes).
RESULT_PASS, RESULT_FAIL, RESULT_NA, RESULT_POINTS = "pass", "fail", "na", "points"


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
    # A failure a fix can make good (a broken light, litter): failing it opens a
    # corrective action (SPEC §3.5). Only rulebooks with [rectification] use it.
    rectify: bool = False

    def earned(self, result: str, points: Decimal | None = None) -> Decimal | None:
        """The points a recorded result earns; None when the item did not apply.

        The one rule for every reader (scoring, breakdown, pages, PDF, coaching):
        a pass earns the maximum, a fail nothing, a result in points what was given.
        """
        if result == RESULT_NA:
            return None
        if result == RESULT_PASS:
            return self.points
        if result == RESULT_FAIL:
            return Decimal(0)
        return points if points is not None else Decimal(0)

    def lost(self, result: str, points: Decimal | None = None) -> Decimal:
        """The points a recorded result lost: above zero means coaching is due."""
        earned = self.earned(result, points)
        return Decimal(0) if earned is None else self.points - earned


@dataclass(frozen=True, slots=True)
class SurveyQuestion:
    code: str
    dimension: str | None  # None: stored and shown, feeds no dimension (e.g. "overall")


@dataclass(frozen=True, slots=True)
class Touchpoint:
    """A place where the standards are checked (触点), with the items checked there.

    `posts` are the positions usually inspected there (安全员, 前台接待): the
    inspection form offers an employee's likely touchpoints first.
    """

    code: str
    name_zh: str
    name_en: str
    items: tuple[str, ...]
    posts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rectification:
    """[rectification]: corrective actions (整改) opened by failed `rectify` items."""

    due_hours: int
    overdue_points: Decimal  # deducted from the assignee when not verified by due_at


@dataclass(frozen=True, slots=True)
class ComplaintDeadlines:
    """The follow-up deadlines of [complaints] (SPEC §3.4), rulebooks from 2026.2 on."""

    first_response_hours: int
    resolve_working_days: int
    update_every_hours: int
    return_visit_days: int
    missed_deadline_points: Decimal


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
    commendation_points: Decimal  # bonus points per commendation
    commendation_max_points: Decimal  # the most all of a period's commendations add
    grade_thresholds: tuple[tuple[str, Decimal], ...]  # highest first, lowest grade absent
    incentive_coefficients: Mapping[str, Decimal] = field(hash=False)
    grade_names: Mapping[str, str] = field(hash=False)  # grade code → 中文 name
    content_hash: str
    source: str
    lowest_grade: str = LOWEST_GRADE
    # Rulebooks from 2026.2 on: checklists per touchpoint, corrective actions and
    # complaint deadlines. Empty / None in 2026.1 (free-text touchpoint, any item).
    touchpoints: tuple[Touchpoint, ...] = ()
    rectification: Rectification | None = None
    complaint_deadlines: ComplaintDeadlines | None = None
    # Items by code, and their codes in file order, worked out once: every item of every
    # inspection written or shown is looked up here (a scan of the rulebook's items, and
    # a tuple of their codes built for each `in`, before).
    _items_by_code: Mapping[str, ItemRule] = field(init=False, repr=False, compare=False,
                                                   hash=False)
    item_codes: tuple[str, ...] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_items_by_code",
                           MappingProxyType({item.code: item for item in self.items}))
        object.__setattr__(self, "item_codes", tuple(item.code for item in self.items))

    def touchpoint(self, code: str) -> Touchpoint:
        for tp in self.touchpoints:
            if tp.code == code:
                return tp
        raise KeyError(f"no touchpoint {code!r} in rulebook {self.version}")

    def usual_touchpoints(self, position: str | None) -> tuple[Touchpoint, ...]:
        """The touchpoints whose `posts` name `position` (file order)."""
        return tuple(tp for tp in self.touchpoints if position and position in tp.posts)

    def touchpoints_for_post(self, position: str | None) -> tuple[Touchpoint, ...]:
        """Every touchpoint, the post's usual ones first (file order kept)."""
        mine = self.usual_touchpoints(position)
        return mine + tuple(tp for tp in self.touchpoints if tp not in mine)

    def item(self, code: str) -> ItemRule:
        try:
            return self._items_by_code[code]
        except KeyError:
            raise KeyError(f"no item {code!r} in rulebook {self.version}") from None

    def has_item(self, code: str) -> bool:
        return code in self._items_by_code

    def dimension(self, code: str) -> Dimension:
        for dim in self.dimensions:
            if dim.code == code:
                return dim
        raise KeyError(f"no dimension {code!r} in rulebook {self.version}")

    @property
    def dimension_codes(self) -> tuple[str, ...]:
        return tuple(d.code for d in self.dimensions)

    def grade_for(self, score: Decimal) -> str:
        """Grade of a score; callers pass the published (rounded) final score."""
        for grade, threshold in self.grade_thresholds:
            if score >= threshold:
                return grade
        return self.lowest_grade
