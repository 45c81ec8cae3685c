"""Versioned rulebooks: the service standards as data."""

from appraisal.rulebook.loader import (
    CRITERIA_DIR,
    DEFAULT_VERSION,
    Dimension,
    ItemRule,
    RuleBook,
    RulebookError,
    SurveyQuestion,
    available_rulebooks,
    check_file,
    get_rulebook,
    load_rulebook,
    loads_rulebook,
)

__all__ = [
    "CRITERIA_DIR",
    "DEFAULT_VERSION",
    "Dimension",
    "ItemRule",
    "RuleBook",
    "RulebookError",
    "SurveyQuestion",
    "available_rulebooks",
    "check_file",
    "get_rulebook",
    "load_rulebook",
    "loads_rulebook",
]
