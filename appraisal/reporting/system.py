"""Start-up checks for the system pieces PDF reports rely on."""

from __future__ import annotations

import ctypes.util
import shutil

from rich.console import Console


def missing_system_pieces() -> list[str]:
    missing: list[str] = []
    if ctypes.util.find_library("harfbuzz-subset") is None:
        missing.append(
            "libharfbuzz-subset0 (without it PDF font subsetting falls back to fontTools, "
            "several times slower)"
        )
    if shutil.which("pdftoppm") is None:
        missing.append("poppler-utils")
    if not any(shutil.which(x) for x in ("fc-list",)):
        missing.append("fontconfig")
    return missing


def warn_missing_system_pieces(console: Console) -> None:
    for piece in missing_system_pieces():
        console.print(f"[yellow]warning: missing system package {piece}[/yellow]")
