"""The rulebooks, for anyone logged in: the rules are open to everyone they judge."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import Parameter

from appraisal.errors import NotFound
from appraisal.guards import ANY_USER
from appraisal.rulebook import available_rulebooks, get_rulebook
from appraisal.standards.schemas import (
    RulebookListed,
    RulebookOut,
    rulebook_listed,
    rulebook_out,
)


class RulebookController(Controller):
    path = "/api/v1/rulebooks"
    tags = ["rulebooks"]
    guards = [ANY_USER]

    @get("/")
    async def list_rulebooks(self) -> list[RulebookListed]:
        """Every rulebook version, the newest in effect first."""
        books = [get_rulebook(v) for v in available_rulebooks()]
        books.sort(key=lambda b: (b.effective_from, b.version), reverse=True)
        return [rulebook_listed(b) for b in books]

    @get("/{version:str}")
    async def get_one(
        self, version: Annotated[str, Parameter(max_length=32)]
    ) -> RulebookOut:
        """One rulebook: its dimensions, items, touchpoints, survey, grades and every
        other section under the file's own keys."""
        if version not in available_rulebooks():
            raise NotFound("there is no rulebook version %(version)s", code="rulebook_not_found",
                           version=version)
        return rulebook_out(get_rulebook(version))
