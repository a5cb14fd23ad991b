"""Large page sections moved out of the page into compressed data files, loaded when needed.

A round of 200 systems x 250 results made a 129 MiB site when every table row and plot mark was
written into the pages: the same HTML, gzip-compressed, is about a tenth of that. So a section
larger than INLINE_LIMIT_BYTES goes to `data/<page>-<n>.js` as base64 of its gzip, and the page
keeps an empty `<section class="lazy">` that assets/site.js fills (see its header). Sections of a
group are pages of one list: the first is loaded with the page, the others when their pager link
or a permalink into them is followed, through the page's anchor index (`#kp-anchors`).

Small sections stay in the page, so a small round's site is plain HTML that reads without script.
Compression uses mtime 0: the same leaderboard gives the same bytes.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from validator.leaderboard._site.html import esc

INLINE_LIMIT_BYTES = 48_000
# Level 1 packs these tables about as well as the default level 6 (within a fifth) in a third
# of the time: building the site of a large round is bound by compression otherwise.
COMPRESSION_LEVEL = 1
DATA_FOLDER = "data"
_IDS = re.compile(r' id="([^"]+)"')


def gzipped(text: str) -> bytes:
    """`text` as UTF-8, gzip-compressed, the same bytes every time (mtime 0)."""
    return gzip.compress(text.encode("utf-8"), COMPRESSION_LEVEL, mtime=0)


def data_script(src: str, html: str) -> str:
    """The data file that hands `html` to the page (`KP.fragment(src, base64-of-gzip)`)."""
    packed = base64.b64encode(gzipped(html))
    return f"KP.fragment({json.dumps(src)},{json.dumps(packed.decode('ascii'))});\n"


@dataclass
class LazySections:
    """The sections of one page that live in data files, and the files themselves."""

    page: str  # the page's file name without .html: data files are named after it
    files: dict[str, str] = field(default_factory=dict)
    later: dict[str, str] = field(default_factory=dict)  # id inside a later page -> its section

    def group(self, name: str, bodies: Sequence[str], labels: Sequence[str] = ()) -> str:
        """`bodies` as one group of pages: inline when small, else one data file per page with
        a pager (labelled by `labels`, else by number) when there are several."""
        if sum(len(body) for body in bodies) <= INLINE_LIMIT_BYTES:
            return "".join(bodies)
        sections = []
        for number, body in enumerate(bodies, start=1):
            section_id = f"{name}-{number}"
            src = f"{DATA_FOLDER}/{self.page}-{section_id}.js"
            self.files[src] = data_script(src, body)
            if number > 1:
                self.later.update(dict.fromkeys(_IDS.findall(body), section_id))
            hidden = " hidden" if number > 1 else ""
            sections.append(
                f'<section class="lazy loading" id="{esc(section_id)}" data-group="{esc(name)}" '
                f'data-src="{esc(src)}"{hidden}><p class="meta">loading…</p></section>'
            )
        return _pager(name, len(bodies), labels) + "".join(sections)

    def anchor_index(self) -> str:
        """The page's map from ids in later pages to the page holding them (empty if none)."""
        if not self.later:
            return ""
        text = json.dumps(self.later, separators=(",", ":")).replace("</", "<\\/")
        return f'<script type="application/json" id="kp-anchors">{text}</script>'


def _pager(name: str, count: int, labels: Sequence[str]) -> str:
    if count < 2:
        return ""
    current = ' class="current"'
    links = "".join(
        f'<a href="#{esc(name)}-{n}"{current if n == 1 else ""}>'
        f"{esc(labels[n - 1] if labels else str(n))}</a>"
        for n in range(1, count + 1)
    )
    return f'<nav class="pager" data-group="{esc(name)}">{links}</nav>'
