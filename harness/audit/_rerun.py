"""Re-measures one drawn result with `kernelperf run` in another process: the locked image's way.

A closed bundle is re-run in the image it names, by the harness inside that image, so the audit
uses the same harness version even when the auditor's is newer. The command below selects the
one problem and precision (and the same profile, device, threads and seed); the result with the
drawn direction is then read back from the bundle it writes.
"""

from __future__ import annotations

from pathlib import Path

from harness.audit._target import Submitted, key_of
from schemas import RESULT_NAME, ResultKey, RunResult


def rerun_args(bundle: Submitted, key: ResultKey, out: Path) -> list[str]:
    """`kernelperf` arguments that re-run `key` as `bundle` ran it, writing under `out`."""
    request = bundle.request
    args = [
        "run",
        "--suite",
        str(key.suite),
        "--profile",
        request.profile.value,
        "--device",
        request.device,
        "--dtype",
        key.dtype,
        "--seed",
        str(request.seed),
        "--filter",
        key.problem_id,
        "--out",
        str(out),
        "--submitter",
        bundle.system.submitter,
        "--system-id",
        bundle.system.system_id,
    ]
    if request.threads is not None:
        args += ["--threads", str(request.threads)]
    return args


def samples_from(out: Path, key: ResultKey) -> tuple[int, ...]:
    """The samples of `key` in the bundle a re-run wrote; RuntimeError when it has none."""
    path = out / str(key.suite) / RESULT_NAME
    try:
        run = RunResult.model_validate_json(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise RuntimeError(f"the re-run wrote no readable bundle: {exc}") from exc
    for result in run.results:
        if key_of(run, result) == key:
            return result.samples_ns
    failed = [e.message for e in run.errors if e.problem_id == key.problem_id]
    raise RuntimeError(failed[0] if failed else f"the re-run has no result for {key.label}")
