"""Summary statistics of raw timing samples, computed one way for the harness and the validator.

Percentiles interpolate linearly between order statistics (numpy's default, Hyndman & Fan type
7), so a reviewer can recompute every figure from `samples_ns` with any tool.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field


class Statistics(BaseModel):
    """Summary of the timed samples, all in nanoseconds."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    count: int = Field(
        ge=1, description="Number of timed samples; 1 for a published figure without samples."
    )
    min_ns: float = Field(gt=0, description="Fastest sample.")
    median_ns: float = Field(gt=0, description="Median sample: the figure that is scored.")
    mean_ns: float = Field(gt=0, description="Arithmetic mean.")
    stdev_ns: float = Field(ge=0, description="Sample standard deviation (n−1); 0 for one sample.")
    p10_ns: float = Field(gt=0, description="10th percentile.")
    p90_ns: float = Field(gt=0, description="90th percentile.")
    p99_ns: float = Field(gt=0, description="99th percentile.")
    iqr_ns: float = Field(ge=0, description="Interquartile range p75 − p25.")
    cv: float = Field(ge=0, description="Coefficient of variation stdev/mean.")


def percentile(sorted_samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) of already sorted samples, interpolated linearly."""
    if not sorted_samples:
        raise ValueError("percentile of no samples")
    position = (len(sorted_samples) - 1) * q / 100.0
    lower = math.floor(position)
    upper = min(lower + 1, len(sorted_samples) - 1)
    fraction = position - lower
    return sorted_samples[lower] + (sorted_samples[upper] - sorted_samples[lower]) * fraction


def summarize(samples_ns: Sequence[int]) -> Statistics:
    """Statistics of raw samples; the order of the samples does not matter."""
    ordered = sorted(float(s) for s in samples_ns)
    count = len(ordered)
    mean = math.fsum(ordered) / count
    variance = math.fsum((s - mean) ** 2 for s in ordered) / (count - 1) if count > 1 else 0.0
    stdev = math.sqrt(variance)
    return Statistics(
        count=count,
        min_ns=ordered[0],
        median_ns=percentile(ordered, 50),
        mean_ns=mean,
        stdev_ns=stdev,
        p10_ns=percentile(ordered, 10),
        p90_ns=percentile(ordered, 90),
        p99_ns=percentile(ordered, 99),
        iqr_ns=percentile(ordered, 75) - percentile(ordered, 25),
        cv=stdev / mean,
    )


def published_stats(published_ns: float) -> Statistics:
    """The statistics of one published time (no raw samples): every figure is that time.

    The importer writes them and the validator recomputes them, so both call this one function.
    """
    return Statistics(
        count=1,
        min_ns=published_ns,
        median_ns=published_ns,
        mean_ns=published_ns,
        stdev_ns=0.0,
        p10_ns=published_ns,
        p90_ns=published_ns,
        p99_ns=published_ns,
        iqr_ns=0.0,
        cv=0.0,
    )
