"""Forges the reference round as a dishonest vendor would, for every attack in this folder.

`forged_round(tmp_path)` copies `submissions/2026.1` and registers a fresh key as the
submitter's (the vendor holds its own key), so a forged bundle is re-signed and only the rule
under test, never the signature, can object. `ForgedRound.forge` edits result.json and
system.json, and a careful forger keeps everything around them in step: statistics from the
project's own `schemas.summarize`, rates from `schemas.throughput` (`rederive`), the log's case
lines (label, median, verdict) and their times, and the run's wall-clock window, so that the
time-accounting checks cannot catch a forgery as a side effect. Then it reseals MANIFEST.json
and re-signs. `forge_bundle` does the same to a loose, unsigned bundle, and `each_result`
turns an edit of one kernel result into an edit of them all. `Log` chooses a lazier forger for
the attacks on time accounting itself.
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from attestation import generate_key_pair, load_private_key, sign_bundle
from schemas import ATTESTATION_NAME, LOG_NAME, RESULT_NAME, Direction, KernelResult, summarize
from schemas.accuracy import region_offsets
from schemas.throughput import bandwidths_gbps, gbps, tflops
from tests.validator.conftest import edit_json, reseal
from tests.validator.leaderboard.conftest import board_of
from validator import Report, validate
from validator.checks.time_accounting import accounted_ns
from validator.leaderboard import Leaderboard

REFERENCE_ROUND = Path(__file__).resolve().parents[3] / "submissions" / "2026.1"
SUBMITTER = "kernelperf-ref"
SYSTEM_OF = {"closed": "cpu-2c-epyc", "open": "cpu-2c-epyc-native"}
STEADY = (0.99, 1.0, 1.0, 1.01, 1.02)  # factors of the median: a CV near 0.01
Json = Any
Edit = Callable[[Json], object]


class Log(Enum):
    """How much of logs/ and the run's window the forger rewrites after an edit."""

    KEPT = "kept"  # nothing: the log says what was really measured
    MEDIANS = "medians"  # case lines follow the results; their times and the run window do not
    IN_STEP = "in step"  # case lines and their times follow the results, the run window fits


def reference_bundle(
    root: Path, suite: str = "gemm", division: str = "closed", submitter: str = SUBMITTER
) -> Path:
    """The bundle of one suite in a copy of the reference round (it holds one per suite)."""
    return root / division / submitter / "results" / SYSTEM_OF[division] / suite / suite


def rederive(result: Json, samples_ns: list[int]) -> None:
    """Puts `samples_ns` in a result and recomputes its statistics and rates as the harness does."""
    stats = summarize(tuple(samples_ns))
    result["samples_ns"] = samples_ns
    result["stats"] = stats.model_dump(mode="json")
    result["tflops"] = tflops(result["flops"], stats.median_ns)
    result["gbps"] = gbps(result["bytes_moved"], stats.median_ns)
    collective = result.get("collective")
    if collective:
        algbw, busbw = bandwidths_gbps(
            collective["size_bytes"], collective["ranks"], stats.median_ns
        )
        collective |= {"algbw_gbps": algbw, "busbw_gbps": busbw}


def redraw_region(result: Json) -> None:
    """Moves the checked region to where the seed draws it for the (edited) problem, as a
    careful forger who changed the problem's parameters would."""
    region = result["correctness"].get("region")
    if region is None:
        return
    params = result["problem"]["params"]
    extents = [params[dim] for dim in region["dims"]]
    sizes = [min(size, extent) for size, extent in zip(region["sizes"], extents, strict=True)]
    direction = Direction(result["direction"])
    offsets = region_offsets(result["seed"], result["problem"]["id"], direction, extents, sizes)
    region |= {"sizes": sizes, "offsets": list(offsets)}


def steady(result: Json) -> None:
    """The result's samples replaced by as many steady ones around its median.

    The count and the median stay, so only the spread changes; the forger's log keeps the
    measured time in step.
    """
    median = result["stats"]["median_ns"]
    count = len(result["samples_ns"])
    rederive(result, [round(median * STEADY[i % len(STEADY)]) for i in range(count)])


def _label(result: Json) -> str:
    """The case name the harness logs a compute result under."""
    return f"{result['problem']['id']} {result['direction']} {result['precision']['input']}"


def _logged_spans(run: Json, events: list[Json]) -> dict[str, deque[timedelta]]:
    """How long each logged case lasted, by case name, in log order."""
    spans: dict[str, deque[timedelta]] = defaultdict(deque)
    previous_end = datetime.fromisoformat(run["started_utc"])
    for event in events:
        if event.get("event") == "case" and "t_utc" in event:
            ended = datetime.fromisoformat(event["t_utc"])
            started = (
                datetime.fromisoformat(event["started_utc"])
                if "started_utc" in event
                else previous_end
            )
            spans[event["case"]].append(ended - started)
            previous_end = ended
    return spans


def _case_lines(run: Json, events: list[Json], stretch: bool) -> tuple[list[Json], datetime]:
    """One case line per result, in order, each lasting as long as it was logged to, or (with
    `stretch`) as long as its samples and warm-ups need; and when the last one ends."""
    spans = _logged_spans(run, events)
    cursor = datetime.fromisoformat(run["started_utc"])
    lines = []
    for result in run["results"]:
        label = _label(result)
        logged = spans[label].popleft() if spans[label] else timedelta(0)
        needed = timedelta(microseconds=accounted_ns(KernelResult.model_validate(result)) / 1e3)
        ended = cursor + (max(logged, needed) if stretch else logged)
        lines.append(
            {
                "event": "case",
                "case": label,
                "median_ns": result["stats"]["median_ns"],
                "passed": result["correctness"]["passed"],
                "started_utc": cursor,
                "t_utc": ended,
            }
        )
        cursor = ended
    return lines, cursor


def relog(bundle: Path, log: Log) -> None:
    """Rewrites the case lines of logs/ from result.json, and the run window where `log` says."""
    if log is Log.KEPT:
        return
    run_path, log_path = bundle / "result.json", bundle / LOG_NAME
    run = json.loads(run_path.read_text(encoding="utf-8"))
    events = [json.loads(line) for line in log_path.read_text(encoding="utf-8").splitlines()]
    cases, last_end = _case_lines(run, events, stretch=log is Log.IN_STEP)
    others = [e for e in events if e.get("event") != "case"]
    first_case = next((i for i, e in enumerate(events) if e.get("event") == "case"), len(events))
    before = sum(1 for e in events[:first_case] if e.get("event") != "case")
    lines = others[:before] + cases + others[before:]
    log_path.write_text(
        "".join(json.dumps(e, sort_keys=True, default=str) + "\n" for e in lines), encoding="utf-8"
    )
    if log is Log.IN_STEP and last_end > datetime.fromisoformat(run["finished_utc"]):
        run["finished_utc"] = last_end.isoformat().replace("+00:00", "Z")
        run_path.write_text(json.dumps(run, indent=2), encoding="utf-8")


def each_result(edit: Edit) -> Edit:
    """A result.json edit that applies `edit` to every kernel result in it."""

    def apply(run: Json) -> None:
        for result in run["results"]:
            edit(result)

    return apply


def forge_bundle(
    bundle: Path, *, result: Edit | None = None, system: Edit | None = None, log: Log = Log.IN_STEP
) -> Path:
    """Edits a bundle's documents, keeps its log in step as `log` says and reseals it: all a
    loose (unsigned) bundle needs to pass for honest."""
    for name, edit in (("result.json", result), ("system.json", system)):
        if edit is not None:
            edit_json(bundle, name, edit, reseal_manifest=False)  # sealed once, below
    relog(bundle, log)
    reseal(bundle)
    return bundle


@dataclass(frozen=True)
class ForgedRound:
    """A copy of the reference round and the keys its submitters sign with."""

    root: Path
    keys: Path

    def bundle(self, suite: str = "gemm", division: str = "closed") -> Path:
        """The reference submitter's bundle of one suite."""
        return reference_bundle(self.root, suite, division)

    def signer(self, submitter: str) -> Ed25519PrivateKey:
        """A new key registered as `submitter`'s in keys/ (made on first use)."""
        private = self.keys / f"{submitter}.key"
        if not private.exists():
            pair = generate_key_pair(self.keys, submitter)
            shutil.copy(pair.public_path, self.root / "keys" / f"{submitter}.pub")
        return load_private_key(private)

    def forge(
        self,
        bundle: Path,
        *,
        result: Edit | None = None,
        system: Edit | None = None,
        submitter: str = SUBMITTER,
        log: Log = Log.IN_STEP,
    ) -> Path:
        """`forge_bundle`, then re-signs with `submitter`'s registered key."""
        (bundle / ATTESTATION_NAME).unlink(missing_ok=True)  # the manifest never lists it
        forge_bundle(bundle, result=result, system=system, log=log)
        sign_bundle(bundle, self.signer(submitter))
        return bundle

    def quiet(self, bundle: Path, submitter: str = SUBMITTER) -> None:
        """Every result of the bundle made steady: the closed CV limit no longer applies."""
        self.forge(bundle, result=each_result(steady), submitter=submitter)

    def validate(self) -> Report:
        """The round's validation report (no cache, one process)."""
        return validate(self.root, jobs=1, cache_dir=None)

    def leaderboard(self) -> Leaderboard:
        """The round's leaderboard."""
        return board_of(self.root)


def forged_round(tmp_path: Path) -> ForgedRound:
    """A copy of the reference round whose submitter signs with a key this test holds."""
    root = tmp_path / REFERENCE_ROUND.name
    shutil.copytree(REFERENCE_ROUND, root)
    keys = tmp_path / "private-keys"
    keys.mkdir()
    forged = ForgedRound(root, keys)
    signer = forged.signer(SUBMITTER)
    for envelope in root.rglob(ATTESTATION_NAME):
        if (envelope.parent / RESULT_NAME).is_file():  # a bundle; an audit keeps its auditor's
            sign_bundle(envelope.parent, signer)
    return forged
