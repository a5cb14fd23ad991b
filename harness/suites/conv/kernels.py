"""The convolution suite: DeepBench's 2-D convolutions, forward, backward-data and backward-filter.

Layout: NCHW, as DeepBench states it, for inputs, filters and outputs alike. Channels-last runs
about twice as fast on a 2-core EPYC measured here, but the result schema has no field to
declare a layout, and a closed-division number must mean the problem as written; so
channels-last belongs to the open division, declared there, and this suite times NCHW only.

Each direction times exactly its own kernel: forward is `conv2d`; bwd_data and bwd_filter are
`aten.convolution_backward` with an output mask that asks for the input gradient or the filter
gradient alone, never a full autograd step that would compute both.

int8 (inference sets, forward only): oneDNN's quantised convolution, int8 weights and 8-bit
activations (stored as uint8 with zero point 128, so the values are int8's), int32 accumulation,
written out as fp32 at scale 1, which keeps every integer result exact. CPU only: torch exposes
no int8 convolution with int32 accumulation elsewhere, and such cases raise MeasurementError.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import torch
from torch.nn import functional

from harness.inputs import TORCH_DTYPES, generator, random_nonzero
from harness.suites.base import Case, Prepared, RunOptions
from harness.suites.contracts import (
    compare,
    drawn_region,
    missing_kernel,
    official_cases,
    region_slices,
    strict_precision,
    unsupported,
)
from schemas import CheckedRegion, Correctness, Direction, DType, Problem, Suite
from schemas.suites.conv import ConvParams

# fp64 convolution runs at about 10 GFLOP/s here: a reference of this size takes ~20-50 ms.
REFERENCE_FLOPS = 200_000_000

# The leading dimensions of each direction's result (y, dx, dw): the reference may slice them,
# since the direction does not reduce over them.
_SLICEABLE = {
    Direction.FWD: ("n", "k"),
    Direction.BWD_DATA: ("n", "c"),
    Direction.BWD_FILTER: ("k", "c"),
}


@dataclass(frozen=True)
class Operands:
    """The seeded tensors of one case: input x, filter w, and the output gradient dy."""

    x: torch.Tensor
    w: torch.Tensor
    dy: torch.Tensor


def _stride(p: ConvParams) -> list[int]:
    return [p.hstride, p.wstride]


def _padding(p: ConvParams) -> list[int]:
    return [p.pad_h, p.pad_w]


def operands(p: ConvParams, dtype: DType, device: str, seed: int) -> Operands:
    """Seeded NCHW operands; dy is drawn for every direction so each tensor's values are stable."""
    gen = generator(seed)
    return Operands(
        x=random_nonzero((p.n, p.c, p.h, p.w), dtype, device, gen),
        w=random_nonzero((p.k, p.c, p.filter_h, p.filter_w), dtype, device, gen),
        dy=random_nonzero((p.n, p.k, p.out_h, p.out_w), dtype, device, gen),
    )


def _float_kernel(p: ConvParams, t: Operands, direction: Direction) -> Callable[[], torch.Tensor]:
    """The one aten call of this direction, in the operands' own floating dtype."""
    stride, padding = _stride(p), _padding(p)
    if direction is Direction.FWD:
        return lambda: functional.conv2d(t.x, t.w, None, stride, padding)
    want_input = direction is Direction.BWD_DATA
    mask = [want_input, not want_input, False]

    def backward() -> torch.Tensor:
        grads = torch.ops.aten.convolution_backward(
            t.dy, t.x, t.w, None, stride, padding, [1, 1], False, [0, 0], 1, mask
        )
        grad: torch.Tensor = grads[0 if want_input else 1]
        return grad

    return backward


def _int8_supported(case: Case, device: str) -> None:
    """Raises MeasurementError where torch has no int8 convolution with int32 accumulation."""
    if case.direction is not Direction.FWD:
        raise unsupported(case, device, "DeepBench times int8 convolutions forward only")
    if not device.startswith("cpu"):
        raise unsupported(case, device, "torch has int8 convolution (oneDNN) on CPU only")
    if not hasattr(torch.ops.onednn, "qconv2d_pointwise"):
        raise unsupported(case, device, f"torch {torch.__version__} has no oneDNN int8 convolution")


def _int8_kernel(p: ConvParams, t: Operands) -> Callable[[], torch.Tensor]:
    """oneDNN int8·int8 → int32 convolution, written out as exact fp32 (all scales 1)."""
    zero_point = 128
    qx = (t.x.to(torch.int16) + zero_point).to(torch.uint8)
    scales = torch.ones(p.k, dtype=torch.float32)
    zero_points = torch.zeros(p.k, dtype=torch.int64)
    stride, padding, dilation = _stride(p), _padding(p), [1, 1]
    packed = torch.ops.onednn.qconv_prepack(
        t.w, scales, 1.0, zero_point, stride, padding, dilation, 1, list(t.x.shape)
    )
    return lambda: torch.ops.onednn.qconv2d_pointwise(
        qx, 1.0, zero_point, packed, scales, zero_points, None, stride, padding, dilation, 1,
        1.0, 0, torch.float32, "none", [], "",
   )  # fmt: skip


def reference_slice(p: ConvParams, direction: Direction) -> dict[str, int]:
    """Sizes of the direction's two sliceable dimensions whose fp64 reference fits
    REFERENCE_FLOPS.

    Only dimensions the direction does not reduce over are halved, so every compared element is
    exactly the kernel's own.
    """
    sizes = {"n": p.n, "k": p.k, "c": p.c}
    per_unit = 2 * p.out_h * p.out_w * p.filter_h * p.filter_w
    while sizes["n"] * sizes["k"] * sizes["c"] * per_unit > REFERENCE_FLOPS:
        name = max(_SLICEABLE[direction], key=lambda key: sizes[key])
        if sizes[name] == 1:
            break
        sizes[name] = (sizes[name] + 1) // 2
    return {name: sizes[name] for name in _SLICEABLE[direction]}


def check_region(case: Case, seed: int) -> CheckedRegion:
    """The block of the direction's result (y, dx or dw) the reference recomputes, placed by the
    seed."""
    params = case.problem.params
    assert isinstance(params, ConvParams), case.problem.id
    return drawn_region(case, seed, reference_slice(params, case.direction))


def region_operands(t: Operands, region: CheckedRegion) -> Operands:
    """The operands the region of the result depends on: sliced where the direction keeps a
    dimension, whole where it reduces over it."""
    part = {"n": slice(None), "k": slice(None), "c": slice(None)} | region_slices(region)
    return Operands(
        x=t.x[part["n"], part["c"]],
        w=t.w[part["k"], part["c"]],
        dy=t.dy[part["n"], part["k"]],
    )


def reference(p: ConvParams, t: Operands, direction: Direction) -> torch.Tensor:
    """The whole result of `direction` on (region) operands, from torch's fp64 convolution and its
    autograd."""
    x = t.x.to(device="cpu", dtype=torch.float64).requires_grad_()
    w = t.w.to(device="cpu", dtype=torch.float64).requires_grad_()
    y = functional.conv2d(x, w, None, _stride(p), _padding(p))
    if direction is Direction.FWD:
        return y.detach()
    dy = t.dy.to(device="cpu", dtype=torch.float64)
    (grad,) = torch.autograd.grad(y, x if direction is Direction.BWD_DATA else w, dy)
    return grad


def _sliced(output: torch.Tensor, region: CheckedRegion) -> torch.Tensor:
    """The kernel's result cut to the region (its dimensions are the result's leading two)."""
    first, second = (region_slices(region)[dim] for dim in region.dims)
    return output[first, second]


def _bytes_moved(p: ConvParams, dtype: DType) -> int:
    """Two operands read once and the result written once, in their stored element sizes.

    Every direction touches one input-sized, one filter-sized and one output-sized tensor.
    """
    size = TORCH_DTYPES[dtype].itemsize
    x = p.n * p.c * p.h * p.w
    w = p.k * p.c * p.filter_h * p.filter_w
    y = p.n * p.k * p.out_h * p.out_w
    if dtype is DType.INT8:
        return (x + w) * size + y * torch.float32.itemsize
    return (x + w + y) * size


class ConvSuite:
    """DeepBench convolutions timed through torch (oneDNN on CPU, cuDNN on CUDA)."""

    suite = Suite("conv")

    def cases(self, problem: Problem, options: RunOptions) -> Iterable[Case]:
        """Every official direction in every requested precision the problem's set allows."""
        return official_cases(problem, options, int8_output=DType.FP32)

    def bytes_moved(self, case: Case) -> int:
        """Logical bytes of one call, without preparing it (for the run-time estimate)."""
        params = case.problem.params
        assert isinstance(params, ConvParams), case.problem.id
        return _bytes_moved(params, case.precision.input)

    def prepare(self, case: Case, options: RunOptions) -> Prepared:
        """Seeded NCHW operands and the one aten call of the case's direction."""
        params = case.problem.params
        assert isinstance(params, ConvParams), case.problem.id
        dtype = case.precision.input
        if dtype is DType.INT8:
            _int8_supported(case, options.device)
        strict_precision(options.device)
        tensors = operands(params, dtype, options.device, options.seed)
        with missing_kernel(case, options.device):
            if dtype is DType.INT8:
                kernel = _int8_kernel(params, tensors)
            else:
                kernel = _float_kernel(params, tensors, case.direction)
            kernel()

        def check() -> Correctness:
            region = check_region(case, options.seed)
            expected = reference(params, region_operands(tensors, region), case.direction)
            return compare(case, _sliced(kernel(), region), expected, region)

        return Prepared(kernel=kernel, check=check, bytes_moved=_bytes_moved(params, dtype))
