"""The data contracts of KernelPerf: pydantic models are the source, JSON Schema is exported.

Everything that reads a bundle without our code reads the exported `*.schema.json` files.
"""

from schemas.bundle_files import (
    ATTESTATION_NAME,
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
    Suite,
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
from schemas.problem import (
    AllreduceParams,
    ConvParams,
    GemmParams,
    Problem,
    ProblemParams,
    RnnParams,
    SparseGemmParams,
)
from schemas.result import (
    SCHEMA_VERSION,
    Backend,
    Collective,
    Correctness,
    KernelError,
    KernelResult,
    Precision,
    RunResult,
)
from schemas.statistics import Statistics, percentile, summarize
from schemas.system import (
    Accelerator,
    ContainerImage,
    Host,
    RankPlacement,
    Software,
    SystemDescription,
)

__all__ = [
    "ATTESTATION_NAME",
    "LOG_NAME",
    "MANIFEST_NAME",
    "RESULT_NAME",
    "SCHEMA_VERSION",
    "SYSTEM_NAME",
    "Accelerator",
    "AllreduceParams",
    "Backend",
    "BundleError",
    "Collective",
    "ContainerImage",
    "ContainerRunError",
    "ConvParams",
    "Correctness",
    "DType",
    "Direction",
    "Division",
    "GemmParams",
    "Host",
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
    "RankPlacement",
    "RnnCell",
    "RnnParams",
    "RunResult",
    "Software",
    "SparseGemmParams",
    "Statistics",
    "SubmissionError",
    "Suite",
    "SystemDescription",
    "SystemStatus",
    "Timer",
    "UsageError",
    "manifest_of",
    "percentile",
    "sha256_of",
    "summarize",
]
