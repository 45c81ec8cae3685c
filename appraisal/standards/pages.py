"""/standards: the rules in plain words for everyone they judge — this month's
rulebook (or another version), by touchpoint where the rulebook has them, else by
item group."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, Response, get

from appraisal.actor import Actor
from appraisal.clock import current_month
from appraisal.guards import ANY_USER
from appraisal.periods.service import rulebook_for_month
from appraisal.rulebook import ItemRule, RuleBook, available_rulebooks, get_rulebook
from appraisal.rulebook.model import Touchpoint
from appraisal.web import page


@dataclass(frozen=True)
class Place:
    """A touchpoint as the page shows it: its own checks in full, the shared ones by name."""

    touchpoint: Touchpoint
    own: list[ItemRule]
    shared: list[ItemRule]


@dataclass(frozen=True)
class Group:
    name: str
    items: list[ItemRule]


def _groups(items: list[ItemRule]) -> list[Group]:
    groups: dict[str, list[ItemRule]] = {}
    for item in items:
        groups.setdefault(item.group, []).append(item)
    return [Group(name, members) for name, members in groups.items()]


def layout(book: RuleBook) -> dict[str, Any]:
    """Places (one per touchpoint) and the shared items, grouped; without touchpoints,
    every item by its group. An item listed by several touchpoints (the behaviour items)
    is shared: shown once in full, named at each place."""
    if not book.touchpoints:
        return {"places": [], "shared": [], "groups": _groups(list(book.items))}
    listed = Counter(code for t in book.touchpoints for code in t.items)
    places = [Place(t, [book.item(c) for c in t.items if listed[c] == 1],
                    [book.item(c) for c in t.items if listed[c] > 1]) for t in book.touchpoints]
    shared = [i for i in book.items if listed[i.code] > 1]
    return {"places": places, "shared": _groups(shared), "groups": []}


class StandardsPage(Controller):
    path = "/standards"
    guards = [ANY_USER]
    include_in_schema = False

    @get("/")
    async def standards(self, request: Request[Actor, str, Any]) -> Response[str]:
        versions = available_rulebooks()
        asked = request.query_params.get("version", "")
        current = await rulebook_for_month(current_month())
        book = get_rulebook(asked) if asked in versions else current
        books = sorted((get_rulebook(v) for v in versions),
                       key=lambda b: (b.effective_from, b.version), reverse=True)
        return page(request, "standards.html", book=book, books=books, current=current,
                    month=current_month(), unknown=asked if asked and asked not in versions else "",
                    thresholds=dict(book.grade_thresholds), **layout(book))
