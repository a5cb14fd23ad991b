"""The submission layout: where a bundle sits says its round, division, submitter, system and suite.

<round>/<division>/<submitter>/systems/<system_id>.json
<round>/<division>/<submitter>/results/<system_id>/<suite>/<bundle>[.tar.gz]
<round>/<division>/<submitter>/code/
<round>/keys/<submitter>.pub
<round>/audits/<submitter>/<system_id>/   an audit bundle (audit.json)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from schemas import Division
from validator._archive import ARCHIVE_SUFFIX

RESULTS_DIR = "results"
SYSTEMS_DIR = "systems"
CODE_DIR = "code"
KEYS_DIR = "keys"
# <round>/audits/<submitter>/<system_id>/: reproduction audits (validator/_audits.py).
AUDITS_DIR = "audits"
DIVISIONS = tuple(division.value for division in Division)


@dataclass(frozen=True)
class Location:
    """Where one bundle sits in a round; the names come from the path, not from the bundle."""

    round_root: Path
    round: str
    division: str
    submitter: str
    system_id: str
    suite: str
    bundle: str

    @property
    def submitter_root(self) -> Path:
        """The folder of this submitter in this division."""
        return self.round_root / self.division / self.submitter

    @property
    def system_file(self) -> Path:
        """The declared system description this bundle's system must match."""
        return self.submitter_root / SYSTEMS_DIR / f"{self.system_id}.json"


def bundle_name(path: Path) -> str:
    """The bundle's name without the archive suffix."""
    return path.name.removesuffix(ARCHIVE_SUFFIX)


def locate(bundle: Path) -> Location | None:
    """The bundle's place in a submission layout, or None when it lies outside one."""
    # absolute(), not resolve(): a link is not followed to somewhere outside the layout.
    parts = bundle.absolute().parts
    if len(parts) < 8 or parts[-4] != RESULTS_DIR or parts[-6] not in DIVISIONS:
        return None
    return Location(
        round_root=Path(*parts[:-6]),
        round=parts[-7],
        division=parts[-6],
        submitter=parts[-5],
        system_id=parts[-3],
        suite=parts[-2],
        bundle=bundle_name(bundle),
    )
