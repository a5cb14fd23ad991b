"""The data contracts of KernelPerf: pydantic models are the source, JSON Schema is exported.

Everything that reads a bundle without our code reads the exported `*.schema.json` files. Each
suite's own parameters model lives in its folder, `schemas.suites.<suite>`; see schemas/suites.
"""

from schemas.accuracy import BoundTable, bound_key, error_bound, harness_bounds, region_offsets
from schemas.audit import (
    Audit,
    AuditedBundle,
    AuditedResult,
    AuditVerdict,
    ResultKey,
    assess,
    draw_sample,
)
from schemas.bundle_files import (
    ATTESTATION_NAME,
    AUDIT_NAME,
    LOG_NAME,
    MANIFEST_NAME,
    RESULT_NAME,
    SYSTEM_NAME,
)
from schemas.enums import (
    Direction,
    Division,
    DType,
    ProblemSet,
    Profile,
    RnnCell,
    SystemStatus,
    Timer,
)
from schemas.errors import (
    BundleError,
    ContainerRunError,
    KernelPerfError,
    MeasurementError,
    SubmissionError,
    UsageError,
)
from schemas.manifest import Manifest, ManifestEntry, manifest_of, sha256_of
from schemas.problem import Problem, ProblemParams
from schemas.problem_sets import load_problems, precision_floors, select_problems
from schemas.request import CollectiveOptions, RunRequest, Sweep
from schemas.result import (
    SCHEMA_VERSION,
    Backend,
    CheckedRegion,
    Collective,
    Correctness,
    KernelError,
    KernelResult,
    Precision,
    Provenance,
    RunResult,
    TimingLoop,
    TimingMethod,
)
from schemas.statistics import Statistics, percentile, summarize
from schemas.suites import Suite, SuiteParams, SuiteSpec
from schemas.system import (
    Accelerator,
    ContainerImage,
    Host,
    JobLaunch,
    RankPlacement,
    Software,
    SystemDescription,
)
from schemas.throughput import bandwidths_gbps, bus_factor, gbps, tflops

__all__ = [
    "ATTESTATION_NAME",
    "AUDIT_NAME",
    "LOG_NAME",
    "MANIFEST_NAME",
    "RESULT_NAME",
    "SCHEMA_VERSION",
    "SYSTEM_NAME",
    "Accelerator",
    "Audit",
    "AuditVerdict",
    "AuditedBundle",
    "AuditedResult",
    "Backend",
    "BoundTable",
    "BundleError",
    "CheckedRegion",
    "Collective",
    "CollectiveOptions",
    "ContainerImage",
    "ContainerRunError",
    "Correctness",
    "DType",
    "Direction",
    "Division",
    "Host",
    "JobLaunch",
    "KernelError",
    "KernelPerfError",
    "KernelResult",
    "Manifest",
    "ManifestEntry",
    "MeasurementError",
    "Precision",
    "Problem",
    "ProblemParams",
    "ProblemSet",
    "Profile",
    "Provenance",
    "RankPlacement",
    "ResultKey",
    "RnnCell",
    "RunRequest",
    "RunResult",
    "Software",
    "Statistics",
    "SubmissionError",
    "Suite",
    "SuiteParams",
    "SuiteSpec",
    "Sweep",
    "SystemDescription",
    "SystemStatus",
    "Timer",
    "TimingLoop",
    "TimingMethod",
    "UsageError",
    "assess",
    "bandwidths_gbps",
    "bound_key",
    "bus_factor",
    "draw_sample",
    "error_bound",
    "gbps",
    "harness_bounds",
    "load_problems",
    "manifest_of",
    "percentile",
    "precision_floors",
    "region_offsets",
    "select_problems",
    "sha256_of",
    "summarize",
    "tflops",
]
