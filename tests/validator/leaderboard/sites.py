"""Reads a written site back as whole pages: each lazy section filled with its data file's HTML,
as assets/site.js fills it in a browser, so that tests can follow every link and permalink."""

from __future__ import annotations

import base64
import gzip
import json
import re

LAZY = re.compile(
    r'<section class="lazy[^"]*" id="([^"]+)"[^>]*data-src="([^"]+)"[^>]*>.*?</section>'
)
FRAGMENT = re.compile(r"^KP\.fragment\((\"[^\"]*\"),(\"[^\"]*\")\);\n$")


def fragment_html(data_file: str) -> tuple[str, str]:
    """(src, html) of a data file written by `validator.leaderboard._site.lazy`."""
    found = FRAGMENT.match(data_file)
    assert found, "not a fragment data file"
    src, packed = (json.loads(part) for part in found.groups())
    return src, gzip.decompress(base64.b64decode(packed)).decode("utf-8")


def expanded_pages(files: dict[str, str | bytes]) -> dict[str, str]:
    """The site's HTML pages with every lazy section filled in, by file name."""
    fragments = dict(
        fragment_html(text)
        for name, text in files.items()
        if name.startswith("data/") and isinstance(text, str)
    )

    def fill(match: re.Match[str]) -> str:
        section_id, src = match.groups()
        return f'<section id="{section_id}">{fragments[src]}</section>'

    return {
        name: LAZY.sub(fill, text)
        for name, text in files.items()
        if name.endswith(".html") and isinstance(text, str)
    }
