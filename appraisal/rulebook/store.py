"""The rulebook files: loading one, and the versions in the criteria directory.

A rulebook is data, not code: HR can add a version without a deploy. So a
file is validated completely on load, and a bad one is reported with the
file, the line, the dotted key and the reason, in words HR can act on.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

from appraisal.rulebook.model import DEFAULT_VERSION, RuleBook, RulebookError
from appraisal.rulebook.sections import parse_rulebook
from appraisal.rulebook.toml_reader import Reader, decode_utf8, parse_toml

CRITERIA_ENV = "APPRAISAL_CRITERIA_DIR"
_PACKAGE_CRITERIA = Path(__file__).resolve().parents[2] / "criteria"
# Where rulebooks live; the environment variable wins (deployments, tests).
CRITERIA_DIR: Path = Path(os.environ[CRITERIA_ENV]) if os.environ.get(CRITERIA_ENV) \
    else _PACKAGE_CRITERIA


# --- one file ----------------------------------------------------------------


def _from_bytes(raw: bytes, source: str) -> RuleBook:
    # the hash is of the exact bytes: it is what a closed period records
    return parse_rulebook(decode_utf8(raw, source), source, hashlib.sha256(raw).hexdigest())


def loads_rulebook(text: str, source: str = "<string>") -> RuleBook:
    """Parse and validate a rulebook given as text (hash: sha256 of its UTF-8 bytes)."""
    return parse_rulebook(text, source, hashlib.sha256(text.encode("utf-8")).hexdigest())


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
            f"{len(book.items)} items, {len(book.touchpoints)} touchpoints, sha256 {book.content_hash[:12]}…")


# --- the rulebooks in criteria/ ------------------------------------------


def _criteria_dir() -> Path:
    # read at call time so deployments and tests can point elsewhere
    env = os.environ.get(CRITERIA_ENV)
    return Path(env) if env else CRITERIA_DIR


_lock = threading.Lock()
_versions_cache: dict[tuple[str, int], dict[str, Path]] = {}
_book_cache: dict[tuple[str, str, str], RuleBook] = {}


def _listing(directory: Path) -> dict[str, Path]:
    """Version → file of `directory`, read again only when the directory changed.

    Every evidence write looks its rulebook up: one stat of the directory (whose
    modification time moves when a file is added, removed or renamed) instead of
    listing it each time. A file edited in place is caught by `get_rulebook`.
    """
    name = str(directory)
    try:
        key = (name, os.stat(name).st_mtime_ns)
    except FileNotFoundError:
        return {}
    with _lock:
        found = _versions_cache.get(key)
    if found is not None:
        return found
    found = {}
    paths = sorted(directory / e.name for e in os.scandir(name)
                   if e.name.endswith(".toml") and e.is_file())
    for path in paths:
        # only the version is read here; the full check happens on load
        text = decode_utf8(_read(path), str(path))
        version = parse_toml(text, str(path)).get("version")
        reader = Reader(str(path), text)
        if not isinstance(version, str) or not version.strip():
            reader.fail("version", "is required but missing")
        version = version.strip()
        if version in found:
            reader.fail("version", f"version {version} is also defined in {found[version]}")
        found[version] = path
    with _lock:
        _versions_cache.clear()  # only the current state of a directory is worth keeping
        _versions_cache[key] = found
    return found


def available_rulebooks(directory: str | os.PathLike[str] | None = None) -> dict[str, Path]:
    """Version → file for every *.toml in `directory` (default: the criteria dir)."""
    return dict(_listing(Path(directory) if directory is not None else _criteria_dir()))


def get_rulebook(version: str | None = None) -> RuleBook:
    """The validated rulebook of `version` (None: DEFAULT_VERSION), cached per content hash.

    KeyError when no file in the criteria dir has that version.
    """
    version = DEFAULT_VERSION if version is None else version
    books = _listing(_criteria_dir())
    if version not in books:
        raise KeyError(f"no rulebook with version {version!r} in {_criteria_dir()} "
                       f"(available: {', '.join(sorted(books)) or 'none'})")
    path = books[version]
    # Cached by the file's size and modification time: every request looks its
    # rulebook up, and a changed file is read (and validated) again.
    st = os.stat(path)
    key = (version, f"{st.st_mtime_ns}:{st.st_size}", str(path))
    with _lock:
        book = _book_cache.get(key)
    if book is None:
        book = _from_bytes(_read(path), str(path))
        if book.version != version:  # the file was edited in place since it was listed
            with _lock:
                if _versions_cache:
                    _versions_cache.clear()  # list the directory again, once
                    retry = True
                else:
                    retry = False
            if retry:
                return get_rulebook(version)
            raise RulebookError(str(path), "version",
                                f"expected version {version}, the file now says {book.version}")
        with _lock:
            _book_cache[key] = book
    return book


def touchpoint_names() -> dict[str, tuple[str, str]]:
    """(中文, English) of every touchpoint of every rulebook in the criteria dir, by its
    code and by its Chinese name (2026.2 groups a touchpoint's own checks under it):
    pages show an inspection's stored touchpoint in the reader's language."""
    names: dict[str, tuple[str, str]] = {}
    for version in sorted(available_rulebooks()):
        try:
            book = get_rulebook(version)
        except (RulebookError, KeyError):
            continue  # a broken file is reported where it is used, not on every page
        for tp in book.touchpoints:
            names.setdefault(tp.code, (tp.name_zh, tp.name_en))
            names.setdefault(tp.name_zh, (tp.name_zh, tp.name_en))
    return names
