"""Every problem the code base raises has a stable code, an English template with its
values apart (never an f-string), and that template's Chinese in appraisal/locale/zh.po."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from appraisal.errors import Message, Unprocessable, field_message
from appraisal.web import say, translations

PACKAGE = Path(__file__).resolve().parents[2] / "appraisal"
PROBLEMS = {"Problem", "NotFound", "NotAuthorized", "Forbidden", "Conflict", "Unprocessable",
            "TooManyRequests", "PayloadTooLarge", "UnsupportedFile"}
# Where each call takes its template, and whether the call names its code by keyword.
TEMPLATE_AT = {"Message": 1, "field": 1, "field_message": 1, "_file_problem": 0,
               **{name: 0 for name in PROBLEMS}}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def templates() -> list[tuple[str, str, bool]]:
    """(where, template, has a code) of every message written in the package."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in TEMPLATE_AT or (name == "field" and getattr(
                    getattr(func, "value", None), "id", None) != "Unprocessable"):
                continue
            at = TEMPLATE_AT[name]
            if len(node.args) <= at:
                continue
            where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
            arg = node.args[at]
            if isinstance(arg, ast.JoinedStr):
                found.append((where, "<f-string>", False))
            elif isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                coded = name in ("Message", "_file_problem") or any(
                    k.arg == "code" for k in node.keywords)
                found.append((where, arg.value, coded))
    return found


def test_every_message_has_a_code_and_no_f_string() -> None:
    found = templates()
    assert len(found) > 100
    assert [w for w, t, _ in found if t == "<f-string>"] == []
    assert [f"{w}: {t}" for w, t, coded in found if not coded] == []


def test_every_message_is_translated_with_its_values() -> None:
    zh = translations("zh")
    wrong = []
    for where, template, _ in templates():
        chinese = zh.gettext(template)
        if chinese == template:
            wrong.append(f"{where}: untranslated: {template}")
        elif not set(PLACEHOLDER.findall(chinese)) <= set(PLACEHOLDER.findall(template)):
            wrong.append(f"{where}: values the English does not have: {chinese}")
    assert wrong == []


def test_a_message_reads_as_its_english_and_renders_in_chinese() -> None:
    problem = Unprocessable.field("reason", "must not be empty", code="empty")
    assert problem.detail == "reason: must not be empty"
    assert problem.errors == [{"field": "reason", "message": "must not be empty"}]
    assert problem.message.code == "empty"
    assert say(problem.message, "zh") == "原因：不能为空"
    assert say(problem.message, "en") == "Reason: must not be empty"  # the form's label
    closed = Message("period_not_open", "period %(month)s is %(period_status)s",
                     month="2026-10", period_status="closed")
    assert say(closed, "zh") == "2026-10 的状态为“已结账，未发布”"
    assert say(closed, "en") == "period 2026-10 is closed"
    nested = field_message("file", Message("file_empty", "the file is empty"))
    assert nested.wire_params() == {"field": "file", "message": "the file is empty"}
    assert say(nested, "zh") == "文件：文件是空的"
    # A literal percent sign in a text without values is kept; a plain str passes through.
    assert Message("x", "100% of the pool") == "100% of the pool"
    assert say("plain words", "zh") == "plain words"
