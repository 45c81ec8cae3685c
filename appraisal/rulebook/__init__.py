"""Versioned rulebooks: the service standards as data.

model: the validated values; toml_reader: TOML with line locations;
sections: one validator per section of the file; store: files and versions.
"""

from appraisal.rulebook.model import (
    DEFAULT_VERSION,
    Dimension,
    ItemRule,
    RuleBook,
    RulebookError,
    SurveyQuestion,
)
from appraisal.rulebook.store import (
    CRITERIA_DIR,
    available_rulebooks,
    check_file,
    get_rulebook,
    load_rulebook,
    loads_rulebook,
    touchpoint_names,
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
    "touchpoint_names",
]
