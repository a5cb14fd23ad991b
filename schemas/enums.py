"""Closed sets of values; each becomes an enum with a description in the JSON Schema."""

from __future__ import annotations

from enum import StrEnum


class ProblemSet(StrEnum):
    """DeepBench's three problem sets, and `sweep`: an all-reduce size sweep (open division)."""

    TRAIN = "train"
    INFERENCE_SERVER = "inference_server"
    INFERENCE_DEVICE = "inference_device"
    SWEEP = "sweep"


class Direction(StrEnum):
    """Which pass of the kernel was timed."""

    FWD = "fwd"
    BWD_DATA = "bwd_data"
    BWD_FILTER = "bwd_filter"
    BWD_WEIGHTS = "bwd_weights"


class DType(StrEnum):
    """Element types of inputs, accumulation and outputs; `not_stated` where a published source
    (the historical division) does not say, rather than a guess."""

    FP64 = "fp64"
    FP32 = "fp32"
    TF32 = "tf32"
    FP16 = "fp16"
    BF16 = "bf16"
    INT8 = "int8"
    INT32 = "int32"
    NOT_STATED = "not_stated"


class Timer(StrEnum):
    """The clock that produced the samples; `published`: a figure copied from a published source,
    with no raw samples (the historical division only)."""

    HOST_CLOCK = "host_clock"
    DEVICE_EVENTS = "device_events"
    PUBLISHED = "published"


class Profile(StrEnum):
    """How much of a problem set a run covers."""

    SMOKE = "smoke"
    QUICK = "quick"
    FULL = "full"


class Division(StrEnum):
    """Closed: official sets, locked image, unmodified parameters. Open: anything, declared.
    Historical: published results of other benchmarks, imported with their provenance."""

    CLOSED = "closed"
    OPEN = "open"
    HISTORICAL = "historical"


class SystemStatus(StrEnum):
    """Whether the system can be bought now, soon, or not at all."""

    AVAILABLE = "available"
    PREVIEW = "preview"
    RESEARCH = "research"


class RnnCell(StrEnum):
    """Recurrent cell types: vanilla uses ReLU, LSTM has no peepholes."""

    VANILLA = "vanilla"
    LSTM = "lstm"
    GRU = "gru"
