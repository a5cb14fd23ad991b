"""Forging helpers for the scoring attacks: the reference round, changed as a dishonest vendor
would.

`forged_round(tmp_path)` copies `submissions/2026.1` and registers a new key as the submitter's
own (the vendor holds its key), so every change below is re-signed and only the rules, never the
signature, can object. `edit_results` changes result.json, recomputes every derived figure with
the project's own `schemas.summarize`, rewrites MANIFEST.json and re-signs. `quiet` makes the
samples of a bundle steady (CV far under the closed limit), so that the honest baseline ranks
and an attack has something to take away.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from attestation import generate_key_pair, load_private_key, sign_bundle
from schemas import ATTESTATION_NAME, summarize
from tests.validator.conftest import edit_json
from tests.validator.leaderboard.conftest import board_of
from validator import Report, validate
from validator.leaderboard import Leaderboard

REFERENCE = Path(__file__).resolve().parents[3] / "submissions" / "2026.1"
SUBMITTER = "kernelperf-ref"
CLOSED_SYSTEM = "cpu-2c-epyc"
OPEN_SYSTEM = "cpu-2c-epyc-native"
STEADY = (0.99, 1.0, 1.0, 1.01, 1.02)  # factors of the median: a CV near 0.01
Json = Any


@dataclass(frozen=True)
class ForgedRound:
    """A copy of the reference round and the keys its submitters sign with."""

    root: Path
    keys: Path

    def bundle(self, suite: str, division: str = "closed", submitter: str = SUBMITTER) -> Path:
        """The bundle of one suite (the reference round holds one per suite)."""
        system = CLOSED_SYSTEM if division == "closed" else OPEN_SYSTEM
        return self.root / division / submitter / "results" / system / suite / suite

    def signer(self, submitter: str) -> Ed25519PrivateKey:
        """A new key registered as `submitter`'s in keys/ (made on first use)."""
        private = self.keys / f"{submitter}.key"
        if not private.exists():
            pair = generate_key_pair(self.keys, submitter)
            shutil.copy(pair.public_path, self.root / "keys" / f"{submitter}.pub")
        return load_private_key(private)

    def reseal(self, bundle: Path, submitter: str = SUBMITTER) -> None:
        """Rewrites the manifest and signs again with the submitter's registered key."""
        edit_results(self, bundle, lambda _: None, submitter)

    def validate(self) -> Report:
        """The round's validation report (no cache, one process)."""
        return validate(self.root, jobs=1, cache_dir=None)

    def leaderboard(self) -> Leaderboard:
        """The round's leaderboard."""
        return board_of(self.root)


def forged_round(tmp_path: Path) -> ForgedRound:
    """A copy of the reference round whose submitter signs with a key this test holds."""
    root = tmp_path / REFERENCE.name
    shutil.copytree(REFERENCE, root)
    keys = tmp_path / "private-keys"
    keys.mkdir()
    forged = ForgedRound(root, keys)
    forged.signer(SUBMITTER)
    for bundle in (forged.bundle(s) for s in ("gemm", "conv", "rnn")):
        forged.reseal(bundle)
    forged.reseal(forged.bundle("gemm", "open"))
    return forged


def rederive(result: Json, samples_ns: list[int]) -> None:
    """Puts `samples_ns` in a result and recomputes its statistics and throughput from them."""
    stats = summarize(tuple(samples_ns))
    result["samples_ns"] = samples_ns
    result["stats"] = stats.model_dump(mode="json")
    result["tflops"] = result["flops"] / stats.median_ns / 1e3
    result["gbps"] = result["bytes_moved"] / stats.median_ns


def steady(result: Json) -> None:
    """The result's samples replaced by as many steady ones around its median.

    The count and the median stay, so the total measured time and the log's median still agree
    with the time-accounting checks: only the spread changes.
    """
    median = result["stats"]["median_ns"]
    count = len(result["samples_ns"])
    rederive(result, [round(median * STEADY[i % len(STEADY)]) for i in range(count)])


def edit_results(
    forged: ForgedRound,
    bundle: Path,
    edit: Callable[[Json], object],
    submitter: str = SUBMITTER,
) -> None:
    """Applies `edit` to result.json, then reseals and re-signs as the submitter."""
    (bundle / ATTESTATION_NAME).unlink(missing_ok=True)  # the manifest lists what was signed
    edit_json(bundle, "result.json", edit)
    sign_bundle(bundle, forged.signer(submitter))


def quiet(forged: ForgedRound, bundle: Path, submitter: str = SUBMITTER) -> None:
    """Every result of the bundle made steady: the closed CV limit no longer applies."""

    def all_steady(document: Json) -> None:
        for result in document["results"]:
            steady(result)

    edit_results(forged, bundle, all_steady, submitter)
