"""Forges correctness records as a dishonest vendor would, on a copy of the reference round.

`forged_round(tmp_path)` copies `submissions/2026.1`, registers a new key as the submitter's
(`keys/kernelperf-ref.pub`) and re-signs every bundle with it, so the copy validates as the
original does. `ForgedRound.forge(bundle, edit)` edits that bundle's result.json, recomputes
each result's statistics and throughput with the project's own `schemas.summarize`, rewrites
MANIFEST.json and signs again: only the correctness checks are left to catch it.
`forge_bundle` does the same to a loose (unsigned, open) bundle.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from attestation import generate_key_pair, load_private_key, sign_bundle
from schemas import ATTESTATION_NAME, RESULT_NAME, summarize
from tests.validator.conftest import edit_json

REFERENCE_ROUND = Path(__file__).resolve().parents[3] / "submissions" / "2026.1"
SUBMITTER = "kernelperf-ref"
ResultEdit = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class ForgedRound:
    """The copied round and the key its closed bundles are now signed with."""

    root: Path
    key: Ed25519PrivateKey

    def bundle(self, division: str, suite: str) -> Path:
        """The one bundle of `suite` in `division`."""
        (found,) = (self.root / division / SUBMITTER / "results").glob(f"*/{suite}/*")
        return found

    def forge(self, bundle: Path, edit: ResultEdit) -> None:
        """`forge_bundle`, then signs the bundle again with the registered key."""
        (bundle / ATTESTATION_NAME).unlink()  # the manifest lists the run's files, not this one
        forge_bundle(bundle, edit)
        sign_bundle(bundle, self.key)


def forge_bundle(bundle: Path, edit: ResultEdit) -> None:
    """Applies `edit` to each kernel result, then restates it and rewrites MANIFEST.json."""

    def each(document: Any) -> None:
        for result in document["results"]:
            edit(result)
            restate(result)

    edit_json(bundle, RESULT_NAME, each)


def restate(result: dict[str, Any]) -> None:
    """Statistics and throughput recomputed from the (possibly edited) samples."""
    stats = summarize(result["samples_ns"])
    result["stats"] = stats.model_dump(mode="json")
    result["tflops"] = result["flops"] / stats.median_ns / 1e3
    result["gbps"] = result["bytes_moved"] / stats.median_ns


def forged_round(tmp_path: Path) -> ForgedRound:
    """A copy of the reference round whose closed bundles carry the forger's registered key."""
    root = tmp_path / "2026.1"
    shutil.copytree(REFERENCE_ROUND, root)
    keys = generate_key_pair(tmp_path / "private-keys", SUBMITTER)
    shutil.copy(keys.public_path, root / "keys" / f"{SUBMITTER}.pub")
    key = load_private_key(keys.private_path)
    for bundle in root.glob(f"*/{SUBMITTER}/results/*/*/*"):
        sign_bundle(bundle, key)
    return ForgedRound(root, key)
