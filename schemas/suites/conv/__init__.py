"""Convolution: DeepBench's 2-D convolutions, three directions (problems.csv; ../DEEPBENCH.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.enums import Direction
from schemas.suites.spec import SuiteParams, SuiteSpec


class ConvParams(SuiteParams):
    """A 2-D convolution, NCHW, dilation 1, no groups."""

    kind: Literal["conv"] = "conv"
    w: int = Field(ge=1, description="Input width.")
    h: int = Field(ge=1, description="Input height.")
    c: int = Field(ge=1, description="Input channels.")
    n: int = Field(ge=1, description="Batch size.")
    k: int = Field(ge=1, description="Output channels (filters).")
    filter_w: int = Field(ge=1, description="Filter width S.")
    filter_h: int = Field(ge=1, description="Filter height R.")
    pad_w: int = Field(ge=0, description="Padding along the width.")
    pad_h: int = Field(ge=0, description="Padding along the height.")
    wstride: int = Field(ge=1, description="Stride along the width.")
    hstride: int = Field(ge=1, description="Stride along the height.")

    @property
    def out_w(self) -> int:
        """Output width Q."""
        return 1 + (self.w - self.filter_w + 2 * self.pad_w) // self.wstride

    @property
    def out_h(self) -> int:
        """Output height P."""
        return 1 + (self.h - self.filter_h + 2 * self.pad_h) // self.hstride

    def flops(self) -> int:
        """2·P·Q·N·K·C·R·S, the same count for every direction (as DeepBench counts it)."""
        return (
            2 * self.out_w * self.out_h * self.n * self.k * self.c * self.filter_w * self.filter_h
        )

    def reduction_length(self, direction: Direction = Direction.FWD) -> int:
        """Products per result element: C·R·S fwd, K·R·S bwd_data, N·P·Q bwd_filter."""
        if direction is Direction.BWD_DATA:
            return self.k * self.filter_h * self.filter_w
        if direction is Direction.BWD_FILTER:
            return self.n * self.out_h * self.out_w
        return self.c * self.filter_w * self.filter_h

    def summary(self) -> str:
        """`700x161x1 n=4 k=32 filter 20x5 pad 0,0 stride 2,2`."""
        return (
            f"{self.w}x{self.h}x{self.c} n={self.n} k={self.k} "
            f"filter {self.filter_w}x{self.filter_h} pad {self.pad_w},{self.pad_h} "
            f"stride {self.wstride},{self.hstride}"
        )


SPEC = SuiteSpec(
    name="conv",
    position=20,
    params=ConvParams,
    # Every set and direction, each application's typical layer; about 25 s in fp32 on 2 cores.
    quick_ids=(
        "conv/train/000",  # DeepSpeech input layer: C=1, 20x5 filter, stride 2
        "conv/train/009",  # OCR 3x3 on a wide, short image
        "conv/train/014",  # face recognition 3x3
        "conv/train/022",  # vision 3x3 on 7x7x512
        "conv/train/070",  # ResNet 1x1 projection, stride 2
        "conv/inference_server/003",  # DeepSpeech second layer: 10x5 filter, stride 2
        "conv/inference_server/018",  # vision 3x3 on 28x28x256
        "conv/inference_server/029",  # vision 1x1
        "conv/inference_server/062",  # speaker ID 3x3
        "conv/inference_device/004",  # ResNet 1x1
        "conv/inference_device/012",  # ResNet 3x3 on 7x7x512
    ),
    smoke_ids=("conv/inference_server/006", "conv/inference_server/010"),
)
