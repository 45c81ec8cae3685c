"""The tests' own layout: test data and helpers come from tests/factories.py (pictures
from tests/drawing.py), never from another test module, so each test module can be
read, moved or deleted on its own."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
# What any test module may import from the tests package.
SHARED = {"tests.factories", "tests.drawing", "tests.conftest"}
BENCHMARKS = "tests.benchmarks"  # the benchmarks share among themselves, outside pytest's run


def module_name(path: Path) -> str:
    parts = path.relative_to(TESTS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(source: str, importer: str) -> list[tuple[int, str]]:
    """(line, module) for every module of the tests package that `source` imports,
    at the top or inside a function; `from tests.api import x` counts as tests.api.x."""
    package = importer.rsplit(".", 1)[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the importer's own package upwards
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            if (TESTS.parent / module.replace(".", "/")).is_dir():  # a package: its modules
                found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, module))
    return sorted((line, m) for line, m in found if m == "tests" or m.startswith("tests."))


def allowed(importer: str, module: str) -> bool:
    if module in SHARED:
        return True
    return importer.startswith(BENCHMARKS) and module.startswith(BENCHMARKS)


def offences(source: str, importer: str) -> list[str]:
    return [f"{importer}:{line} imports {module}"
            for line, module in imported(source, importer) if not allowed(importer, module)]


def test_no_test_module_imports_another() -> None:
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        found += offences(path.read_text("utf-8"), module_name(path))
    assert not found, (
        "test modules import from one another; move what they share to tests/factories.py "
        "(or tests/drawing.py):\n" + "\n".join(found))


def test_the_check_sees_every_kind_of_import() -> None:
    t = "tests"  # spelt apart, so that grepping the tests for such imports finds none here
    source = "\n".join([
        f"from {t}.api.test_incentives import closed_month",
        f"import {t}.unit.test_svg_text",
        f"from {t}.api import test_pages",
        "from .test_scores import ALL",
        "from . import conftest",
        "def later():",
        f"    from {t}.db.test_demo import x",
        "from tests.factories import Org",
        "from tests.drawing import draw",
        "from tests.conftest import BACKEND",
        "from tests import factories",
        "from tests.benchmarks.bench_scoring import build_month",
    ])
    assert offences(source, "tests.api.test_reports") == [
        "tests.api.test_reports:1 imports tests.api.test_incentives",
        "tests.api.test_reports:2 imports tests.unit.test_svg_text",
        "tests.api.test_reports:3 imports tests.api.test_pages",
        "tests.api.test_reports:4 imports tests.api.test_scores",
        "tests.api.test_reports:5 imports tests.api.conftest",
        "tests.api.test_reports:7 imports tests.db.test_demo",
        "tests.api.test_reports:12 imports tests.benchmarks.bench_scoring",
    ]
    assert offences("from tests.benchmarks.bench_scoring import build_month\n"
                    "from tests.benchmarks import bench_reports\n",
                    "tests.benchmarks.bench_reports") == []
