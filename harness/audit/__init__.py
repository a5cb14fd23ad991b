"""Reproduction audits (issue 13): re-measure a seeded sample of a submission and judge it.

    read_target(path) -> Target            the submitted bundles of one system
    start_audit(target, ...) -> Audit      the seeded draw, nothing measured yet
    run_audit(audit, target, out, ...)     rounds in fresh processes, checkpointed; complete
    fresh_process                          a round natively, in `python -m harness.audit`
    rerun_args / samples_from              a result re-run by `kernelperf run` elsewhere (the image)
    read_audit(folder)                     an interrupted audit, to resume it

The comparison and the verdict are `schemas.assess` (plain Python, re-checked by the validator);
only the rank test (`scipy`) and the re-runs live here. Nothing here imports torch; the worker
process does.
"""

from harness.audit._rerun import rerun_args, samples_from
from harness.audit._round import Drawn, Remeasure, Remeasured, fresh_process
from harness.audit._session import AuditObserver, run_audit, start_audit
from harness.audit._target import Submitted, Target, read_target
from harness.audit._write import read_audit, write_audit_bundle

__all__ = [
    "AuditObserver",
    "Drawn",
    "Remeasure",
    "Remeasured",
    "Submitted",
    "Target",
    "fresh_process",
    "read_audit",
    "read_target",
    "rerun_args",
    "run_audit",
    "samples_from",
    "start_audit",
    "write_audit_bundle",
]
