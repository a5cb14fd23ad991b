"""Forges bundles as a dishonest vendor would, for the identity and time-accounting attacks.

Start from a copy of the reference round (or a test bundle), edit result.json and system.json,
recompute the statistics and throughput with the project's own `schemas.summarize`, keep the
log's median in step (a careful forger), rewrite MANIFEST.json, and re-sign closed bundles with
a fresh key registered as the submitter's.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attestation import generate_key_pair, load_private_key, sign_bundle
from schemas import ATTESTATION_NAME, LOG_NAME, summarize
from tests.validator.conftest import reseal

REFERENCE_ROUND = Path(__file__).resolve().parents[3] / "submissions" / "2026.1"
SUBMITTER = "kernelperf-ref"
CLOSED_GEMM = Path("closed", SUBMITTER, "results", "cpu-2c-epyc", "gemm", "gemm")
Json = Any
Edit = Callable[[Json], object]


def remeasure(result: Json, samples_ns: list[int]) -> None:
    """Gives a result new samples and everything derived from them, as the harness derives it."""
    stats = summarize(tuple(samples_ns))
    result["samples_ns"] = samples_ns
    result["stats"] = stats.model_dump(mode="json")
    result["tflops"] = result["flops"] / stats.median_ns / 1e3
    result["gbps"] = result["bytes_moved"] / stats.median_ns
    collective = result.get("collective")
    if collective:
        ranks = collective["ranks"]
        collective["algbw_gbps"] = collective["size_bytes"] / stats.median_ns
        collective["busbw_gbps"] = collective["algbw_gbps"] * 2 * (ranks - 1) / ranks


def _log_label(result: Json) -> str:
    return f"{result['problem']['id']} {result['direction']} {result['precision']['input']}"


def relog(bundle: Path, before: dict[str, float]) -> None:
    """Rewrites each case line's median to the one its result now reports."""
    results = json.loads((bundle / "result.json").read_text(encoding="utf-8"))["results"]
    now = {_log_label(r): r["stats"]["median_ns"] for r in results}
    lines = []
    for line in (bundle / LOG_NAME).read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        case = event.get("case")
        if event.get("event") == "case" and case in now and before.get(case) == event["median_ns"]:
            event["median_ns"] = now[case]
        lines.append(json.dumps(event, sort_keys=True))
    (bundle / LOG_NAME).write_text("\n".join(lines) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class ForgedRound:
    """A copy of the reference round whose closed bundles the forger can re-sign."""

    root: Path
    private_key_path: Path

    def bundle(self, relative: Path = CLOSED_GEMM) -> Path:
        """A bundle of the copy."""
        return self.root / relative

    def forge(
        self,
        relative: Path = CLOSED_GEMM,
        *,
        result: Edit | None = None,
        system: Edit | None = None,
        keep_log: bool = False,
    ) -> Path:
        """Edits a bundle, keeps its log in step unless `keep_log`, reseals and re-signs it."""
        bundle = self.bundle(relative)
        before = _medians(bundle)
        for name, edit in (("result.json", result), ("system.json", system)):
            if edit is not None:
                path = bundle / name
                document = json.loads(path.read_text(encoding="utf-8"))
                edit(document)
                path.write_text(json.dumps(document, indent=2), encoding="utf-8")
        if not keep_log:
            relog(bundle, before)
        envelope = bundle / ATTESTATION_NAME
        signed = envelope.exists()
        envelope.unlink(missing_ok=True)  # the manifest never lists it
        reseal(bundle)
        if signed:
            sign_bundle(bundle, load_private_key(self.private_key_path))
        return bundle


def _medians(bundle: Path) -> dict[str, float]:
    results = json.loads((bundle / "result.json").read_text(encoding="utf-8"))["results"]
    return {_log_label(r): r["stats"]["median_ns"] for r in results}


def forged_round(tmp_path: Path) -> ForgedRound:
    """A copy of the reference round with a fresh key registered as the submitter's."""
    root = tmp_path / "2026.1"
    shutil.copytree(REFERENCE_ROUND, root)
    key_dir = tmp_path / "forger-keys"
    keys = generate_key_pair(key_dir, SUBMITTER)
    shutil.copy(keys.public_path, root / "keys" / f"{SUBMITTER}.pub")
    for envelope in root.rglob("attestation.dsse.json"):
        sign_bundle(envelope.parent, load_private_key(keys.private_path))
    return ForgedRound(root, keys.private_path)
