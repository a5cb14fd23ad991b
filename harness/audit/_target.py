"""What an audit re-measures: the submitted bundles of one system, read with the request of each.

A target is one bundle, or any folder of bundles of one system (its `results/<system_id>/`
folder, or a submitter's folder with one system). The request a bundle's log opens with
(`schemas.RunRequest`) is the settings the audit re-uses: profile, device, threads and seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.checkpoint import PriorRun, read_prior, request_of
from schemas import (
    LOG_NAME,
    RESULT_NAME,
    BundleError,
    Division,
    DType,
    KernelResult,
    ResultKey,
    RunRequest,
    RunResult,
    SystemDescription,
    UsageError,
    sha256_of,
)

# <round>/<division>/<submitter>/results/<system_id>/<suite>/<bundle>: the round is 6 up.
ROUND_DEPTH = 6
DIVISIONS = {d.value for d in Division}


@dataclass(frozen=True)
class Submitted:
    """One submitted bundle with what the audit needs from it."""

    path: Path
    shown: str
    run: RunResult
    system: SystemDescription
    request: RunRequest
    result_sha256: str

    def results(self) -> dict[ResultKey, KernelResult]:
        """Its results by key."""
        return {key_of(self.run, r): r for r in self.run.results}


@dataclass(frozen=True)
class Target:
    """The bundles of the audited system, and where they lie."""

    bundles: tuple[Submitted, ...]
    round: str | None
    path: Path

    @property
    def system(self) -> SystemDescription:
        """The audited system (every bundle names the same one)."""
        return self.bundles[0].system

    @property
    def division(self) -> Division:
        """The division its bundles were made for (a target never mixes two)."""
        return self.bundles[0].run.division

    def results(self) -> dict[ResultKey, tuple[Submitted, KernelResult]]:
        """Every submitted result by key, with its bundle."""
        return {key: (b, r) for b in self.bundles for key, r in b.results().items()}


def key_of(run: RunResult, result: KernelResult) -> ResultKey:
    """The key of one result of a run."""
    return ResultKey(
        suite=run.suite,
        problem_id=result.problem.id,
        direction=result.direction,
        dtype=result.precision.input.value,
    )


def _round_of(bundle: Path) -> tuple[str | None, Path | None]:
    """The round name and folder when the bundle lies in a submission layout."""
    parts = bundle.absolute().parts
    if len(parts) > ROUND_DEPTH + 1 and parts[-ROUND_DEPTH] in DIVISIONS:
        return parts[-ROUND_DEPTH - 1], Path(*parts[:-ROUND_DEPTH])
    return None, None


def settings_of(run: RunResult) -> RunRequest:
    """The settings result.json itself records, for a bundle whose log holds no request in
    today's form (the reference round's logs predate it): profile, device, threads, seed."""
    dtypes = tuple(dict.fromkeys(r.precision.input for r in run.results)) or (DType.FP32,)
    return RunRequest(
        suites=(run.suite,),
        profile=run.profile,
        device=run.backend.device,
        dtypes=dtypes,
        seed=run.seed,
        threads=run.backend.threads,
    )


def _request(prior: PriorRun, bundle: Path) -> RunRequest:
    try:
        return request_of(prior, bundle / LOG_NAME)
    except BundleError:
        return settings_of(prior.run)


def read_bundle(bundle: Path) -> Submitted:
    """One submitted bundle with its request; BundleError when it cannot be read."""
    prior = read_prior(bundle)
    _, round_root = _round_of(bundle)
    shown = bundle.absolute().relative_to(round_root).as_posix() if round_root else str(bundle)
    return Submitted(
        path=bundle,
        shown=shown,
        run=prior.run,
        system=prior.system,
        request=_request(prior, bundle),
        result_sha256=sha256_of(bundle / RESULT_NAME),
    )


def read_target(path: Path) -> Target:
    """The bundles under `path`; BundleError or UsageError when they cannot be audited."""
    if not path.exists():
        raise UsageError(
            f"no such bundle or folder: {path}",
            where=str(path),
            fix="name a bundle folder or a submission folder of one system",
        )
    found = (
        [path]
        if (path / RESULT_NAME).is_file()
        else sorted(p.parent for p in path.rglob(RESULT_NAME) if "audits" not in p.parts)
    )
    if not found:
        raise BundleError(
            "no result bundle to audit here",
            where=str(path),
            fix="name a bundle folder (with result.json) or the results/<system_id>/ folder; "
            "unpack .tar.gz bundles first",
        )
    bundles = tuple(read_bundle(b) for b in found)
    systems = {(b.system.submitter, b.system.system_id, b.run.division) for b in bundles}
    if len(systems) > 1:
        raise UsageError(
            f"the bundles belong to {len(systems)} systems or divisions; an audit covers one",
            where=str(path),
            fix="name one system's folder: <round>/<division>/<submitter>/results/<system_id>",
        )
    return Target(bundles=bundles, round=_round_of(found[0])[0], path=path)
