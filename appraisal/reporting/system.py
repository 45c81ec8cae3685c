"""Start-up checks for the system pieces PDF reports rely on."""

from __future__ import annotations

import ctypes.util
import shutil
import subprocess

from rich.console import Console

# What reports/print.css draws every page in. Without it, fontconfig falls back to a
# font without Chinese, and the PDFs print a box for every Chinese character.
REPORT_FONT = "Noto Sans CJK SC"


def font_installed(family: str = REPORT_FONT) -> bool | None:
    """Whether fontconfig has `family`; None when it cannot be asked (no fc-list)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        listed = subprocess.run([fc_list, f":family={family}", "family"], capture_output=True,
                                text=True, timeout=60, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    return any(family in line.split(",") for line in listed.splitlines())


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
    elif font_installed() is False:
        missing.append(f"fonts-noto-cjk (without {REPORT_FONT} the PDFs print a box for "
                       "every Chinese character)")
    return missing


def warn_missing_system_pieces(console: Console) -> None:
    for piece in missing_system_pieces():
        console.print(f"[yellow]warning: missing system package {piece}[/yellow]")
