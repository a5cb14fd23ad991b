"""The harness's own bundles pass the validator: every suite, every direction, fp32 and bf16.

This is the contract between the two halves that never import each other: a tolerance, a FLOP
count or a statistic computed one way by the harness must be accepted by the validator.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kernelperf.cli import main

# The smallest problem of each suite whose set times every direction, plus an inference one.
PROBLEMS = {
    "gemm": "gemm/inference_device/00[0-1]",
    "conv": "conv/train/012",
    "rnn": "rnn/train/050",
    "sparse_gemm": "sparse_gemm/inference_device/000",
}


@pytest.mark.parametrize("dtype", ["fp32", "bf16"])
@pytest.mark.parametrize("suite", sorted(PROBLEMS))
def test_harness_bundle_validates_without_errors(
    suite: str, dtype: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_args = ["run", "--suite", suite, "--dtype", dtype, "--filter", PROBLEMS[suite]]
    assert main([*run_args, "--profile", "full", "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    main(["validate", str(tmp_path / suite), "--json"])
    report = json.loads(capsys.readouterr().out)
    findings = json.dumps(report)
    assert '"severity": "error"' not in findings, findings
    result = json.loads((tmp_path / suite / "result.json").read_text())
    directions = {r["direction"] for r in result["results"]} | {
        e["direction"] for e in result["errors"]
    }
    assert len(directions) == (3 if "/train/" in PROBLEMS[suite] else 1)
