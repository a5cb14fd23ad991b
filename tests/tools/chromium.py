"""Drives Debian's headless Chromium through its command-line flags: no driver, no network.

`self_test` injects a script at the end of a copy of a page and reads back what it wrote into
the page (`--dump-dom`); `screenshot` writes a PNG (`--screenshot`). Both load `file://` pages
only, with networking features switched off and a throw-away profile folder. Pages fill some
sections from data files after they load: the DOM is read under a virtual-time budget, so
that Chromium waits for that work (and for the script's timers) before it dumps.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

NAMES = ("chromium", "chromium-browser")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
)
TIMEOUT_S = 120
VIRTUAL_TIME_BUDGET_MS = 30_000
INSTALL_HINT = "install Debian's chromium: apt-get install -y chromium (make test does it)"
_RESULT = re.compile(r'<pre id="selftest">(.*?)</pre>', re.DOTALL)


class ChromiumError(RuntimeError):
    """Chromium is missing, failed, or the page did not report back."""


def find_chromium() -> str | None:
    """The path of a Chromium binary, if one is installed."""
    return next((path for path in map(shutil.which, NAMES) if path), None)


def _run(arguments: list[str]) -> str:
    binary = find_chromium()
    if binary is None:
        raise ChromiumError(f"no Chromium found; {INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="kp-chromium-") as profile:
        command = [binary, *FLAGS, f"--user-data-dir={profile}", *arguments]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
        )
    if done.returncode != 0:
        raise ChromiumError(f"chromium exited {done.returncode}: {done.stderr[-2000:]}")
    return done.stdout


def dump_dom(page: Path, fragment: str = "") -> str:
    """The page's DOM after its scripts ran; `fragment` is a permalink's id to open it at."""
    uri = page.resolve().as_uri() + (f"#{fragment}" if fragment else "")
    return _run([f"--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}", "--dump-dom", uri])


def self_test(page: Path, script: str, fragment: str = "") -> dict[str, Any]:
    """Runs `script` at the end of a copy of `page` (beside it, so links resolve), opened at
    `fragment` if given, and returns the JSON it put into `<pre id="selftest">`."""
    text = page.read_text(encoding="utf-8")
    if "</body>" not in text:
        raise ChromiumError(f"{page} has no </body> to put the self-test before")
    probe = page.with_name(f".selftest-{page.name}")
    probe.write_text(text.replace("</body>", f"<script>{script}</script></body>", 1), "utf-8")
    try:
        found = _RESULT.findall(dump_dom(probe, fragment))
    finally:
        probe.unlink(missing_ok=True)
    if not found:
        raise ChromiumError(f"the self-test wrote no result into {page.name}")
    result: dict[str, Any] = json.loads(html.unescape(found[-1]))
    return result


def screenshot(page: Path, png: Path, width: int = 1280, height: int = 1600) -> Path:
    """A PNG of the page's first `height` pixels at `width`."""
    png.parent.mkdir(parents=True, exist_ok=True)
    _run(
        [
            f"--screenshot={png.resolve()}",
            f"--window-size={width},{height}",
            "--run-all-compositor-stages-before-draw",
            page.resolve().as_uri(),
        ]
    )
    if not png.is_file() or png.read_bytes()[:8] != b"\x89PNG\r\n\x1a\n":
        raise ChromiumError(f"chromium wrote no PNG at {png}")
    return png
