"""The stable finding codes and their catalogue: default severity, meaning and fix of each.

Codes never change meaning once published: tools and reviewers filter on them. Every code has
one entry in `CATALOGUE`; a check may give a more specific message or fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How much a finding matters: errors reject a bundle, warnings are shown, notes inform."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


class Code(StrEnum):
    """The stable finding codes, grouped by the check that raises them."""

    # Reading the input safely.
    NO_BUNDLES = "KP-INPUT-NO-BUNDLES"
    ARCHIVE_UNSAFE = "KP-ARCHIVE-UNSAFE"
    ARCHIVE_LIMIT = "KP-ARCHIVE-LIMIT"
    ARCHIVE_CORRUPT = "KP-ARCHIVE-CORRUPT"
    JSON_TOO_LARGE = "KP-JSON-TOO-LARGE"
    JSON_ENCODING = "KP-JSON-ENCODING"
    JSON_SYNTAX = "KP-JSON-SYNTAX"
    JSON_NONFINITE = "KP-JSON-NONFINITE"
    JSON_DUPLICATE_KEY = "KP-JSON-DUPLICATE-KEY"
    JSON_DEPTH = "KP-JSON-DEPTH"
    # The bundle's files and the manifest.
    BUNDLE_FILE_MISSING = "KP-BUNDLE-FILE-MISSING"
    INTEGRITY_MISSING = "KP-INTEGRITY-MISSING"
    INTEGRITY_EXTRA = "KP-INTEGRITY-EXTRA"
    INTEGRITY_SIZE = "KP-INTEGRITY-SIZE"
    INTEGRITY_HASH = "KP-INTEGRITY-HASH"
    INTEGRITY_LINK = "KP-INTEGRITY-LINK"
    INTEGRITY_DUPLICATE = "KP-INTEGRITY-DUPLICATE"
    # JSON Schema and the models.
    SCHEMA_REQUIRED = "KP-SCHEMA-REQUIRED"
    SCHEMA_UNKNOWN_KEY = "KP-SCHEMA-UNKNOWN-KEY"
    SCHEMA_TYPE = "KP-SCHEMA-TYPE"
    SCHEMA_VALUE = "KP-SCHEMA-VALUE"
    SCHEMA_VERSION = "KP-SCHEMA-VERSION"
    SCHEMA_MODEL = "KP-SCHEMA-MODEL"
    # Measurements recomputed from the raw samples.
    STATS_SAMPLES = "KP-STATS-SAMPLES"
    STATS_MISMATCH = "KP-STATS-MISMATCH"
    FLOPS_MISMATCH = "KP-FLOPS-MISMATCH"
    THROUGHPUT_MISMATCH = "KP-THROUGHPUT-MISMATCH"
    BANDWIDTH_MISMATCH = "KP-BANDWIDTH-MISMATCH"
    CORRECTNESS_FAILED = "KP-CORRECTNESS-FAILED"
    CORRECTNESS_INCONSISTENT = "KP-CORRECTNESS-INCONSISTENT"
    # The run as a whole.
    RUN_INCOMPLETE = "KP-RUN-INCOMPLETE"
    RUN_TIME = "KP-RUN-TIME"
    RUN_KERNEL_ERROR = "KP-RUN-KERNEL-ERROR"
    RUN_DUPLICATE_RESULT = "KP-RUN-DUPLICATE-RESULT"
    RUN_SUITE_MISMATCH = "KP-RUN-SUITE-MISMATCH"
    # Signatures (validator/signatures.py).
    SIG_UNSIGNED = "KP-SIG-UNSIGNED"
    SIG_MALFORMED = "KP-SIG-MALFORMED"
    SIG_BAD = "KP-SIG-BAD"
    SIG_WRONG_KEY = "KP-SIG-WRONG-KEY"
    SIG_SUBJECT_MISMATCH = "KP-SIG-SUBJECT-MISMATCH"
    SIG_REPLAY = "KP-SIG-REPLAY"
    SIG_NO_KEY = "KP-SIG-NO-KEY"
    SIG_KEY_INVALID = "KP-SIG-KEY-INVALID"
    # Physical plausibility.
    PLAUSIBILITY_TFLOPS = "KP-PLAUSIBILITY-TFLOPS"
    PLAUSIBILITY_DECLARED_PEAK = "KP-PLAUSIBILITY-DECLARED-PEAK"
    PLAUSIBILITY_BANDWIDTH = "KP-PLAUSIBILITY-BANDWIDTH"
    PLAUSIBILITY_UNKNOWN_DEVICE = "KP-PLAUSIBILITY-UNKNOWN-DEVICE"
    # The rules of the round (validator/rules/<version>.json).
    RULES_VERSION = "KP-RULES-VERSION"
    RULES_DIVISION = "KP-RULES-DIVISION"
    RULES_PROFILE = "KP-RULES-PROFILE"
    RULES_HARNESS_VERSION = "KP-RULES-HARNESS-VERSION"
    RULES_IMAGE = "KP-RULES-IMAGE"
    RULES_SAMPLES = "KP-RULES-SAMPLES"
    RULES_WARMUP = "KP-RULES-WARMUP"
    RULES_CV = "KP-RULES-CV"
    RULES_UNKNOWN_PROBLEM = "KP-RULES-UNKNOWN-PROBLEM"
    RULES_PARAMS = "KP-RULES-PARAMS"
    RULES_DIRECTION = "KP-RULES-DIRECTION"
    RULES_PRECISION = "KP-RULES-PRECISION"
    RULES_TOLERANCE = "KP-RULES-TOLERANCE"
    RULES_INCOMPLETE_SET = "KP-RULES-INCOMPLETE-SET"
    RULES_OPEN_DECLARATION = "KP-RULES-OPEN-DECLARATION"
    # The submission layout and the declared systems.
    LAYOUT_PLACEMENT = "KP-LAYOUT-PLACEMENT"
    LAYOUT_NAME = "KP-LAYOUT-NAME"
    LAYOUT_SUITE = "KP-LAYOUT-SUITE"
    LAYOUT_SYSTEM = "KP-LAYOUT-SYSTEM"
    LAYOUT_UNEXPECTED = "KP-LAYOUT-UNEXPECTED"
    SYSTEM_MISSING = "KP-SYSTEM-MISSING"
    SYSTEM_INVALID = "KP-SYSTEM-INVALID"
    SYSTEM_MISMATCH = "KP-SYSTEM-MISMATCH"
    SYSTEM_NODES = "KP-SYSTEM-NODES"
    DUPLICATE_BUNDLE = "KP-DUPLICATE-BUNDLE"
    DUPLICATE_RUN = "KP-DUPLICATE-RUN"
    DUPLICATE_RESULT = "KP-DUPLICATE-RESULT"
    # Internal: a check itself failed; the round goes on.
    INTERNAL = "KP-INTERNAL"
    # issue 12: identity, ceilings, all-reduce, time accounting
    IDENTITY_DEVICE = "KP-IDENTITY-DEVICE"
    IDENTITY_DEVICE_NAME = "KP-IDENTITY-DEVICE-NAME"
    IDENTITY_TIMER = "KP-IDENTITY-TIMER"
    PLAUSIBILITY_NO_CEILING = "KP-PLAUSIBILITY-NO-CEILING"
    COLLECTIVE_SIZE = "KP-COLLECTIVE-SIZE"
    COLLECTIVE_RANKS = "KP-COLLECTIVE-RANKS"
    TIME_RUN_WINDOW = "KP-TIME-RUN-WINDOW"
    TIME_CASE_WINDOW = "KP-TIME-CASE-WINDOW"
    TIME_LOG = "KP-TIME-LOG"
    TIME_BATCH = "KP-TIME-BATCH"
    RULES_MEASURED_TIME = "KP-RULES-MEASURED-TIME"
    # issue 12: scoring (who is ranked on which board, validator/_round_rules.py)
    SYSTEM_KEY_COLLISION = "KP-SYSTEM-KEY-COLLISION"
    RULES_CUSTOM_PROBLEM = "KP-RULES-CUSTOM-PROBLEM"
    # issue 15: historical (published results, validator/checks/historical.py)
    HISTORICAL_NOT_PUBLISHED = "KP-HISTORICAL-NOT-PUBLISHED"
    HISTORICAL_STATS = "KP-HISTORICAL-STATS"
    HISTORICAL_UNOFFICIAL = "KP-HISTORICAL-UNOFFICIAL"
    HISTORICAL_ABOVE_PEAK = "KP-HISTORICAL-ABOVE-PEAK"
    HISTORICAL_NO_CEILING = "KP-HISTORICAL-NO-CEILING"
    HISTORICAL_OUTLIER = "KP-HISTORICAL-OUTLIER"
    # issue 12: correctness that rejects garbage
    CORRECTNESS_BOUND = "KP-CORRECTNESS-BOUND"
    CORRECTNESS_PRECISION = "KP-CORRECTNESS-PRECISION"
    CORRECTNESS_REGION = "KP-CORRECTNESS-REGION"
    # issue 13: audits
    AUDIT_SLOWER = "KP-AUDIT-SLOWER"
    AUDIT_INVALID = "KP-AUDIT-INVALID"
    AUDIT_SIGNATURE = "KP-AUDIT-SIGNATURE"
    AUDIT_UNKNOWN_BUNDLE = "KP-AUDIT-UNKNOWN-BUNDLE"
    AUDIT_MISSING = "KP-AUDIT-MISSING"


@dataclass(frozen=True)
class CodeInfo:
    """The catalogue entry of a code: its default severity, one-line meaning and fix."""

    severity: Severity
    meaning: str
    fix: str


_E, _W, _N = Severity.ERROR, Severity.WARNING, Severity.NOTE
CATALOGUE: dict[Code, CodeInfo] = {
    Code.NO_BUNDLES: CodeInfo(
        _E, "no bundle found", "point at a bundle, a .tar.gz bundle or a folder holding bundles"
    ),
    Code.ARCHIVE_UNSAFE: CodeInfo(
        _E,
        "the archive holds an unsafe member (absolute path, '..', link or device)",
        "pack the bundle directory with `tar -czf B.tar.gz -C PARENT BUNDLE`, plain files only",
    ),
    Code.ARCHIVE_LIMIT: CodeInfo(
        _E, "the archive exceeds a size or member limit", "remove large or stray files"
    ),
    Code.ARCHIVE_CORRUPT: CodeInfo(_E, "the archive cannot be read", "re-create the .tar.gz"),
    Code.JSON_TOO_LARGE: CodeInfo(
        _E, "a JSON file exceeds the size limit", "split the run into several bundles"
    ),
    Code.JSON_ENCODING: CodeInfo(_E, "a JSON file is not UTF-8", "write JSON as UTF-8"),
    Code.JSON_SYNTAX: CodeInfo(_E, "a file is not valid JSON", "re-create it with the harness"),
    Code.JSON_NONFINITE: CodeInfo(
        _E, "NaN or Infinity in JSON", "record failures in errors[], never as NaN or Infinity"
    ),
    Code.JSON_DUPLICATE_KEY: CodeInfo(
        _E,
        "an object repeats a key (readers disagree on which value wins)",
        "write each key once",
    ),
    Code.JSON_DEPTH: CodeInfo(_E, "JSON nested too deeply", "re-create it with the harness"),
    Code.BUNDLE_FILE_MISSING: CodeInfo(
        _E, "a required bundle file is missing", "re-create the bundle with `kernelperf run`"
    ),
    Code.INTEGRITY_MISSING: CodeInfo(
        _E, "a file listed in the manifest is missing", "restore the file or re-create the bundle"
    ),
    Code.INTEGRITY_EXTRA: CodeInfo(
        _E, "a file is not listed in the manifest", "remove it, or re-create the bundle"
    ),
    Code.INTEGRITY_SIZE: CodeInfo(
        _E, "a file's size differs from the manifest", "the file changed after the run: re-run"
    ),
    Code.INTEGRITY_HASH: CodeInfo(
        _E, "a file's sha256 differs from the manifest", "the file changed after the run: re-run"
    ),
    Code.INTEGRITY_LINK: CodeInfo(
        _E, "a bundle holds a link or special file", "bundles hold plain files only"
    ),
    Code.INTEGRITY_DUPLICATE: CodeInfo(
        _E, "the manifest lists a path twice", "re-create the bundle"
    ),
    Code.SCHEMA_REQUIRED: CodeInfo(
        _E, "a required field is missing", "re-create the document with the harness"
    ),
    Code.SCHEMA_UNKNOWN_KEY: CodeInfo(
        _E, "a field the schema does not know", "remove the field; declare extras in code/"
    ),
    Code.SCHEMA_TYPE: CodeInfo(_E, "a field has the wrong type", "fix the field's type"),
    Code.SCHEMA_VALUE: CodeInfo(_E, "a field's value is out of range", "fix the value"),
    Code.SCHEMA_VERSION: CodeInfo(
        _E,
        "the document's schema_version is not one this validator reads",
        "upgrade kernelperf to read newer documents, or re-run with this version",
    ),
    Code.SCHEMA_MODEL: CodeInfo(
        _E, "the document passes JSON Schema but not the model", "re-create it with the harness"
    ),
    Code.STATS_SAMPLES: CodeInfo(
        _E, "raw samples are zero, negative or missing", "every sample is a positive duration"
    ),
    Code.STATS_MISMATCH: CodeInfo(
        _E,
        "a statistic differs from the one recomputed from samples_ns",
        "statistics must be computed from the raw samples (schemas.summarize)",
    ),
    Code.FLOPS_MISMATCH: CodeInfo(
        _E, "flops differ from the problem's formula", "count FLOPs with the problem's flops()"
    ),
    Code.THROUGHPUT_MISMATCH: CodeInfo(
        _E,
        "tflops or gbps is not flops or bytes over the median time",
        "derive throughput from stats.median_ns",
    ),
    Code.BANDWIDTH_MISMATCH: CodeInfo(
        _E,
        "algbw/busbw differ from size and median time (nccl-tests definitions)",
        "algbw = S / t, busbw = algbw * 2(n-1)/n",
    ),
    Code.CORRECTNESS_FAILED: CodeInfo(
        _W,
        "the kernel's output failed its check: shown failed, not scored; the bundle stays valid",
        "fix the kernel; in the closed division its set is incomplete until it passes",
    ),
    Code.CORRECTNESS_INCONSISTENT: CodeInfo(
        _E, "passed disagrees with error and tolerance", "passed must equal error <= tolerance"
    ),
    Code.RUN_INCOMPLETE: CodeInfo(
        _E, "the run was interrupted (complete=false)", "re-run the suite to completion"
    ),
    Code.RUN_TIME: CodeInfo(_E, "the run finished before it started", "check the clock"),
    Code.RUN_KERNEL_ERROR: CodeInfo(
        _N, "a kernel could not be measured", "see the message; it is not scored"
    ),
    Code.RUN_DUPLICATE_RESULT: CodeInfo(
        _E,
        "the same problem, direction and precision appear twice in one run",
        "keep one result per problem, direction and precision",
    ),
    Code.RUN_SUITE_MISMATCH: CodeInfo(
        _E, "a result's problem belongs to another suite than the run", "one suite per bundle"
    ),
    Code.SIG_UNSIGNED: CodeInfo(
        _E,
        "the bundle is not signed (no attestation.dsse.json)",
        "sign it: `kernelperf sign BUNDLE --key KEY`",
    ),
    Code.SIG_MALFORMED: CodeInfo(
        _E,
        "attestation.dsse.json is not a DSSE envelope of a KernelPerf in-toto statement",
        "re-sign the bundle with `kernelperf sign`",
    ),
    Code.SIG_BAD: CodeInfo(
        _E,
        "the signature does not verify: the attestation changed after signing",
        "re-sign the bundle with `kernelperf sign`",
    ),
    Code.SIG_WRONG_KEY: CodeInfo(
        _E,
        "the bundle was signed with another key than the submitter's registered one",
        "sign with the key whose .pub is registered in <round>/keys/, or register that key",
    ),
    Code.SIG_SUBJECT_MISMATCH: CodeInfo(
        _E,
        "a file differs from the one that was signed, or was added or removed",
        "the bundle changed after signing: restore it, or re-run and sign again",
    ),
    Code.SIG_REPLAY: CodeInfo(
        _E,
        "the signature belongs to another bundle (its run_id differs)",
        "sign this bundle itself: `kernelperf sign BUNDLE --key KEY`",
    ),
    Code.SIG_NO_KEY: CodeInfo(
        _E,
        "no registered public key to check the signature with",
        "register the submitter's key as <round>/keys/<submitter>.pub",
    ),
    Code.SIG_KEY_INVALID: CodeInfo(
        _E,
        "the registered public key cannot be read as an Ed25519 PEM key",
        "register the .pub file that `kernelperf keys generate` wrote",
    ),
    Code.PLAUSIBILITY_TFLOPS: CodeInfo(
        _E, "a result is faster than its device's peak", "check the timer and the FLOP count"
    ),
    Code.PLAUSIBILITY_DECLARED_PEAK: CodeInfo(
        _E, "a declared peak exceeds the published peak", "declare the vendor's dense peak"
    ),
    Code.PLAUSIBILITY_BANDWIDTH: CodeInfo(
        _E, "a bandwidth exceeds the memory or link", "check the byte count and the timer"
    ),
    Code.PLAUSIBILITY_UNKNOWN_DEVICE: CodeInfo(
        _N,
        "the accelerator is not in the known device table; peaks are not verified",
        "ask the maintainers to add the device to validator/peaks/devices.csv",
    ),
    Code.RULES_VERSION: CodeInfo(
        _E, "the rules version is unknown", "run with a harness that uses a published rules version"
    ),
    Code.RULES_DIVISION: CodeInfo(
        _E, "the run's division differs from the folder it sits in", "move the bundle or re-run"
    ),
    Code.RULES_PROFILE: CodeInfo(
        _E, "the profile is not allowed in this division", "closed runs use --profile full"
    ),
    Code.RULES_HARNESS_VERSION: CodeInfo(
        _E, "the harness version is not allowed by the rules", "run with an allowed harness"
    ),
    Code.RULES_IMAGE: CodeInfo(
        _E, "the run did not use a locked container image", "run in the official image"
    ),
    Code.RULES_SAMPLES: CodeInfo(_E, "too few timed samples", "raise the time budget"),
    Code.RULES_WARMUP: CodeInfo(_E, "too few warm-up calls", "use the harness's timing engine"),
    Code.RULES_CV: CodeInfo(
        _W, "samples vary more than the rules expect", "quiet the machine and re-run"
    ),
    Code.RULES_UNKNOWN_PROBLEM: CodeInfo(
        _E, "the problem is not in an official set", "closed runs use the official sets only"
    ),
    Code.RULES_PARAMS: CodeInfo(
        _E, "the problem's parameters differ from the official ones", "do not change parameters"
    ),
    Code.RULES_DIRECTION: CodeInfo(
        _E, "the direction is not an official one for this problem", "time official directions"
    ),
    Code.RULES_PRECISION: CodeInfo(
        _E, "the precision is below the set's minimum", "run at or above the minimum precision"
    ),
    Code.RULES_TOLERANCE: CodeInfo(
        _E, "the correctness tolerance is looser than the rules' bound", "use the rules' bound"
    ),
    Code.RULES_INCOMPLETE_SET: CodeInfo(
        _W,
        "a submitted problem set lacks accepted, passing results: shown partial, not ranked",
        "run the whole set (--profile full) at an allowed precision, with passing checks",
    ),
    Code.RULES_OPEN_DECLARATION: CodeInfo(
        _E,
        "an open submission does not declare its changes",
        "write code/README.md with the sections the rules name",
    ),
    Code.LAYOUT_PLACEMENT: CodeInfo(
        _E,
        "a bundle is not at <round>/<division>/<submitter>/results/<system>/<suite>/<bundle>",
        "use `kernelperf submit` to place bundles",
    ),
    Code.LAYOUT_NAME: CodeInfo(
        _E, "a folder or file name is not allowed", "use letters, digits, '.', '_' and '-'"
    ),
    Code.LAYOUT_SUITE: CodeInfo(
        _E, "the suite folder differs from the bundle's suite", "move the bundle"
    ),
    Code.LAYOUT_SYSTEM: CodeInfo(
        _E, "the system folder differs from the bundle's system_id", "move the bundle"
    ),
    Code.LAYOUT_UNEXPECTED: CodeInfo(
        _W, "an unexpected file or folder in the submission", "remove it"
    ),
    Code.SYSTEM_MISSING: CodeInfo(
        _E,
        "the declared system file is missing",
        "add systems/<system_id>.json (kernelperf submit)",
    ),
    Code.SYSTEM_INVALID: CodeInfo(
        _E, "the declared system file is not a valid SystemDescription", "fix or re-create it"
    ),
    Code.SYSTEM_MISMATCH: CodeInfo(
        _E,
        "a probed fact of the bundle differs from the declared system",
        "declare the system the bundle ran on, or move the bundle to the right system",
    ),
    Code.SYSTEM_NODES: CodeInfo(
        _E, "declared nodes or ranks differ from the rank placement", "declare what ran"
    ),
    Code.DUPLICATE_BUNDLE: CodeInfo(
        _E, "the same result.json appears in two places", "submit each run once"
    ),
    Code.DUPLICATE_RUN: CodeInfo(_E, "two bundles share a run_id", "submit each run once"),
    Code.DUPLICATE_RESULT: CodeInfo(
        _E,
        "two bundles of one system measure the same kernel",
        "keep one bundle per suite and system",
    ),
    Code.INTERNAL: CodeInfo(
        _E, "a check failed internally", "report this to the KernelPerf maintainers"
    ),
    # issue 12: identity, ceilings, all-reduce, time accounting
    Code.IDENTITY_DEVICE: CodeInfo(
        _E,
        "the result's device is not one the probed system has",
        "run on the device the system describes; never edit backend.device",
    ),
    Code.IDENTITY_DEVICE_NAME: CodeInfo(
        _E,
        "the result's device name differs from the probed CPU or accelerator model",
        "keep the device name the harness recorded",
    ),
    Code.IDENTITY_TIMER: CodeInfo(
        _E,
        "the timer does not fit the device (cpu: host clock, cuda: device events)",
        "time with the harness's clock for the device",
    ),
    Code.PLAUSIBILITY_NO_CEILING: CodeInfo(
        _E,
        "no ceiling is known for the device, precision or link, so the figure cannot be bounded",
        "declare the peaks (or the memory or interconnect bandwidth) with a public source "
        "in system.json",
    ),
    Code.COLLECTIVE_SIZE: CodeInfo(
        _E,
        "the collective's size_bytes is not count x the size of its dtype",
        "record the bytes the collective moved per rank",
    ),
    Code.COLLECTIVE_RANKS: CodeInfo(
        _E,
        "the collective's ranks differ from the recorded rank placement, or none is recorded",
        "run under a launcher so that the harness records every rank's host and device",
    ),
    Code.TIME_RUN_WINDOW: CodeInfo(
        _E,
        "the timed samples and warm-ups add up to more than the run's wall-clock window",
        "record samples as measured; re-run rather than edit",
    ),
    Code.TIME_CASE_WINDOW: CodeInfo(
        _E,
        "a result's samples and warm-ups add up to more than its case's time in logs/",
        "record samples as measured; re-run rather than edit",
    ),
    Code.TIME_LOG: CodeInfo(
        _E,
        "logs/ lack a result's case, or record another median for it",
        "keep the harness's log as written",
    ),
    Code.TIME_BATCH: CodeInfo(
        _E,
        "a result claims a batching the harness never makes (calls per sample above 1 on a "
        "host-clock compute kernel, or unlike its device regime)",
        "record samples as measured; only collectives are batched on the host clock",
    ),
    Code.RULES_MEASURED_TIME: CodeInfo(
        _E,
        "the result's samples add up to less than the rules' minimum measured time",
        "time every kernel for the profile's budget (--profile full in closed)",
    ),
    # issue 12: scoring
    Code.SYSTEM_KEY_COLLISION: CodeInfo(
        _E,
        "two (submitter, system id) pairs differ only in case or punctuation: one leaderboard key",
        "rename the submitter or the system so that the names differ in letters or digits",
    ),
    Code.RULES_CUSTOM_PROBLEM: CodeInfo(
        _N,
        "not an official problem with its official parameters and direction: ranked only on a "
        "custom board keyed by its exact parameters",
        "run the official problem unchanged to be ranked on its set's board",
    ),
    # issue 15: historical
    Code.HISTORICAL_NOT_PUBLISHED: CodeInfo(
        _E,
        "the historical division holds published results only (timer 'published', provenance, "
        "no samples), and only it may hold them",
        "import published results with `kernelperf import`; submit measured runs to closed or open",
    ),
    Code.HISTORICAL_STATS: CodeInfo(
        _E,
        "a published result's statistics are not its one published time",
        "re-import the result from its source",
    ),
    Code.HISTORICAL_UNOFFICIAL: CodeInfo(
        _E,
        "a published result is not an official problem with its official parameters and direction",
        "keep rows that match no official problem in the import report, not in a bundle",
    ),
    Code.HISTORICAL_ABOVE_PEAK: CodeInfo(
        _N,
        "effective throughput above peak: a fast algorithm (Winograd/FFT) counted as direct "
        "convolution, or an error",
        "nothing to fix: the figure is shown as published, with this note",
    ),
    Code.HISTORICAL_NO_CEILING: CodeInfo(
        _N,
        "no published peak is known for this processor and precision, so the figure is not bounded",
        "add the processor to validator/peaks/devices.csv to bound its figures",
    ),
    Code.HISTORICAL_OUTLIER: CodeInfo(
        _N,
        "within its workbook, a larger problem runs much faster than a smaller one of its shape",
        "nothing to fix: the figure is shown as published; compare it with its neighbours",
    ),
    # issue 12: correctness that rejects garbage
    Code.CORRECTNESS_BOUND: CodeInfo(
        _E,
        "a result passed its check with an error above the rules' bound for its precision",
        "record the check as failed, or fix the kernel; the bound is in the rules' tolerance",
    ),
    Code.CORRECTNESS_PRECISION: CodeInfo(
        _E,
        "the error of an fp32 result is one only a lower precision makes: the label is wrong",
        "label the precision the kernel really ran in (bf16, fp16, tf32)",
    ),
    Code.CORRECTNESS_REGION: CodeInfo(
        _E,
        "the checked region is missing, out of range, or not the one the seed draws",
        "run a harness that records correctness.region (schemas.region_offsets)",
    ),
    # issue 13: audits
    Code.AUDIT_SLOWER: CodeInfo(
        _E,
        "a reproduction audit re-measured a result of this system slower than submitted beyond "
        "the tolerance, or could not reproduce it: struck from the boards the audit covered",
        "submit what the harness measured; ask for a new audit if the machine has changed",
    ),
    Code.AUDIT_INVALID: CodeInfo(
        _E,
        "the audit bundle is damaged: schema, manifest, or a verdict its samples do not give",
        "re-create the audit with `kernelperf audit`; never edit it",
    ),
    Code.AUDIT_SIGNATURE: CodeInfo(
        _E,
        "the audit is not signed by a key registered for auditors in <round>/keys/auditors/",
        "sign it with `kernelperf audit --key` using a registered auditor's key",
    ),
    Code.AUDIT_UNKNOWN_BUNDLE: CodeInfo(
        _E,
        "the audit names a bundle that is not in the round, or whose result.json has changed",
        "audit the bundles as submitted; re-audit after a resubmission",
    ),
    Code.AUDIT_MISSING: CodeInfo(
        _E,
        "the rules require an audit for closed ranking and this system has none that passed",
        "ask the round's reviewers for an audit (`kernelperf audit`)",
    ),
}
