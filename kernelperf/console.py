"""The consoles and theme of the CLI: results to stdout, progress and diagnostics to stderr."""

from __future__ import annotations

from rich.console import Console
from rich.theme import Theme

THEME = Theme(
    {
        "kp.ok": "green",
        "kp.fail": "bold red",
        "kp.warn": "yellow",
        "kp.note": "dim",
        "kp.key": "bold cyan",
    }
)

stdout = Console(theme=THEME)
stderr = Console(theme=THEME, stderr=True)
