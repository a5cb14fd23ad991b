"""System keys: one key per (submitter, system id), unique in a round, never shared by two pairs.

The leaderboard keys rows, pages and permalinks by these, so two pairs with one key would merge
into one row under one name (the "kernelperf_ref" attack on "kernelperf-ref"). A key is the
system id's slug when no other pair's system id has that slug, else `<submitter>--<system>`
(slugs never hold "--", so the two forms never meet). Pairs that still share a key differ only
in case or punctuation: the round check reports them (KP-SYSTEM-KEY-COLLISION), and each gets
a numbered key (`--1`, `--2`) so that neither takes the contested one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from validator._report import BundleReport

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
SEPARATOR = "--"
SystemPair = tuple[str, str]  # (submitter, system_id)


def slug(text: str) -> str:
    """Lowercase letters and digits joined by single dashes: safe in ids and file names."""
    return _NOT_SLUG.sub("-", text.lower()).strip("-")


def identity(report: BundleReport) -> SystemPair | None:
    """The (submitter, system id) of a parsed bundle: from its place in the submission layout,
    else from its own system.json."""
    if report.system is None:
        return None
    return (
        report.submitter or report.system.submitter,
        report.system_id or report.system.system_id,
    )


@dataclass(frozen=True)
class SystemKeys:
    """The key of every pair, and the pairs that collided with others."""

    keys: dict[SystemPair, str]
    collisions: dict[SystemPair, tuple[SystemPair, ...]]


def system_keys(pairs: Iterable[SystemPair]) -> SystemKeys:
    """Unique keys for `pairs`; colliding pairs are listed with the pairs they collide with."""
    unique = sorted(set(pairs))
    by_system: dict[str, list[SystemPair]] = defaultdict(list)
    for pair in unique:
        by_system[slug(pair[1])].append(pair)
    wanted: dict[str, list[SystemPair]] = defaultdict(list)
    for system, members in by_system.items():
        for pair in members:
            key = system if len(members) == 1 else f"{slug(pair[0])}{SEPARATOR}{system}"
            wanted[key].append(pair)
    keys: dict[SystemPair, str] = {}
    collisions: dict[SystemPair, tuple[SystemPair, ...]] = {}
    for key, members in wanted.items():
        if len(members) == 1:
            keys[members[0]] = key
            continue
        for number, pair in enumerate(members, start=1):
            keys[pair] = f"{key}{SEPARATOR}{number}"
            collisions[pair] = tuple(p for p in members if p != pair)
    return SystemKeys(keys=keys, collisions=collisions)
