"""`make screenshot`: builds the site of the reference round and screenshots its index page.

    python -m tests.tools.screenshot [ROUND_DIR] [--out docs/leaderboard.png]

It goes the way the browser test goes (validate, build, write the site, headless Chromium), so
the picture in the README is what the test checked.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tests.tools.chromium import ChromiumError, screenshot
from validator import validate
from validator.leaderboard import build, write_site

ROOT = Path(__file__).resolve().parents[2]
REFERENCE_ROUND = ROOT / "submissions" / "2026.1"
DEFAULT_PNG = ROOT / "docs" / "leaderboard.png"


def main(argv: list[str]) -> int:
    """Writes the PNG; 1 with a message when the round or Chromium is missing."""
    parser = argparse.ArgumentParser(prog="python -m tests.tools.screenshot")
    parser.add_argument("round", nargs="?", type=Path, default=REFERENCE_ROUND)
    parser.add_argument("--out", type=Path, default=DEFAULT_PNG)
    parser.add_argument("--height", type=int, default=1500, help="pixels of the page to keep")
    args = parser.parse_args(argv)
    if not args.round.is_dir():
        print(f"error: no round at {args.round}", file=sys.stderr)
        return 1
    leaderboard = build(validate(args.round, jobs=1, cache_dir=None))
    with tempfile.TemporaryDirectory(prefix="kp-site-") as folder:
        site = Path(folder) / "site"
        write_site(leaderboard, site)
        try:
            screenshot(site / "index.html", args.out, height=args.height)
        except ChromiumError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
