"""The convolution suite: DeepBench's 2-D convolutions, forward, backward-data and backward-filter.

Layout: NCHW, as DeepBench states it, for inputs, filters and outputs alike. Channels-last runs
about twice as fast on this CPU (DESIGN), but the result schema has no field to declare a layout,
and a closed-division number must mean the problem as written; so channels-last belongs to the open
division, declared there, and this suite times NCHW only.

Each direction times exactly its own kernel: `aten.convolution` forward, and
`aten.convolution_backward` with an output mask that asks for the input gradient (bwd_data) or the
filter gradient (bwd_filter) alone, never a full autograd step that would compute both.

int8 (inference sets only): oneDNN's quantised convolution, int8 weights and 8-bit activations
(stored as uint8 with zero point 128, so the values are int8's), int32 accumulation, written out as
fp32 at scale 1, which keeps every integer result exact. CPU only: torch exposes no int8
convolution with int32 accumulation on other devices, and those cases raise MeasurementError.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import torch
from harness.suites.kernel_checks import (
    compare,
    first_call,
    precision_of,
    runs_in,
    unsupported,
)
from torch.nn import functional

from harness.inputs import TORCH_DTYPES, generator, random_nonzero
from harness.suites.base import Case, Prepared, RunOptions
from schemas import ConvParams, Correctness, Direction, DType, Problem, Suite

# fp64 convolution runs at about 10 GFLOP/s here: a reference of this size takes ~50 ms.
REFERENCE_FLOPS = 500_000_000
# Quick: one DeepSpeech input layer and three ResNet/vision layers, covering every set.
QUICK_IDS = (
    "conv/train/014",
    "conv/train/070",
    "conv/inference_server/029",
    "conv/inference_device/004",
)
SMOKE_IDS = ("conv/inference_server/006", "conv/inference_server/010")


@dataclass(frozen=True)
class _Tensors:
    """The seeded operands of one case: input x, filter w, and the gradient dy of the output."""

    x: torch.Tensor
    w: torch.Tensor
    dy: torch.Tensor


@dataclass(frozen=True)
class _Slice:
    """The part of the output the fp64 reference recomputes: the first n images, k and c channels."""

    n: int
    k: int
    c: int


def _stride(p: ConvParams) -> list[int]:
    return [p.hstride, p.wstride]


def _padding(p: ConvParams) -> list[int]:
    return [p.pad_h, p.pad_w]


def _tensors(p: ConvParams, dtype: DType, device: str, seed: int) -> _Tensors:
    """Seeded inputs; dy only for the backward directions' use, but drawn always for stable seeds."""
    gen = generator(seed)
    return _Tensors(
        x=random_nonzero((p.n, p.c, p.h, p.w), dtype, device, gen),
        w=random_nonzero((p.k, p.c, p.filter_h, p.filter_w), dtype, device, gen),
        dy=random_nonzero((p.n, p.k, p.out_h, p.out_w), dtype, device, gen),
    )


def _float_kernel(p: ConvParams, t: _Tensors, direction: Direction) -> Callable[[], torch.Tensor]:
    """The one aten call of this direction, in the inputs' own floating dtype."""
    stride, padding, dilation = _stride(p), _padding(p), [1, 1]
    if direction is Direction.FWD:
        return lambda: functional.conv2d(t.x, t.w, None, stride, padding)
    want_input = direction is Direction.BWD_DATA
    mask = [want_input, not want_input, False]
    index = 0 if want_input else 1

    def backward() -> torch.Tensor:
        grads = torch.ops.aten.convolution_backward(
            t.dy, t.x, t.w, None, stride, padding, dilation, False, [0, 0], 1, mask
        )
        result: torch.Tensor = grads[index]
        return result

    return backward


def _int8_kernel(p: ConvParams, t: _Tensors, case: Case, device: str) -> Callable[[], torch.Tensor]:
    """oneDNN int8 × int8 → int32 convolution written out as exact fp32 (scale 1)."""
    if direction_is_not_fwd := case.direction is not Direction.FWD:
        raise unsupported(case, device, f"int8 {case.direction.value} is not a DeepBench kernel")
    del direction_is_not_fwd
    if not device.startswith("cpu") or not torch.backends.mkldnn.is_available():
        raise unsupported(case, device, "torch has int8 convolution (oneDNN) on CPU only")
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


def _reference_slice(p: ConvParams, direction: Direction) -> _Slice:
    """The largest leading slice whose fp64 reference fits REFERENCE_FLOPS.

    Each direction slices only dimensions its output does not reduce over, so the compared
    elements are exactly the kernel's: fwd (images, filters), bwd_data (images, input channels),
    bwd_filter (filters, input channels).
    """
    n, k, c = p.n, p.k, p.c
    per_unit = 2 * p.out_h * p.out_w * p.filter_h * p.filter_w
    while n * k * c * per_unit > REFERENCE_FLOPS:
        sizes = {"n": n, "k": k} if direction is Direction.FWD else {"n": n, "c": c}
        if direction is Direction.BWD_FILTER:
            sizes = {"k": k, "c": c}
        name = max(sizes, key=lambda key: sizes[key])
        if sizes[name] == 1:
            break
        n, k, c = (
            (n + 1) // 2 if name == "n" else n,
            (k + 1) // 2 if name == "k" else k,
            (c + 1) // 2 if name == "c" else c,
        )
    return _Slice(n=n, k=k, c=c)


def _reference(p: ConvParams, t: _Tensors, direction: Direction, s: _Slice) -> torch.Tensor:
    """The sliced output of `direction`, from torch's fp64 convolution and its autograd."""
    x = t.x[: s.n, : s.c].to(device="cpu", dtype=torch.float64).requires_grad_()
    w = t.w[: s.k, : s.c].to(device="cpu", dtype=torch.float64).requires_grad_()
    y = functional.conv2d(x, w, None, _stride(p), _padding(p))
    if direction is Direction.FWD:
        return y.detach()
    dy = t.dy[: s.n, : s.k].to(device="cpu", dtype=torch.float64)
    wrt = x if direction is Direction.BWD_DATA else w
    (grad,) = torch.autograd.grad(y, wrt, dy)
    return grad


def _reduction_length(p: ConvParams, direction: Direction) -> int:
    """Products summed per output element: C·R·S forward, K·R·S (at most) for bwd_data, N·P·Q."""
    if direction is Direction.BWD_DATA:
        return p.k * p.filter_h * p.filter_w
    if direction is Direction.BWD_FILTER:
        return p.n * p.out_h * p.out_w
    return p.reduction_length()


def _bytes_moved(p: ConvParams, direction: Direction, dtype: DType) -> int:
    """Operands read once and the result written once, in their stored element sizes."""
    size = TORCH_DTYPES[dtype].itemsize
    x, w, y = p.n * p.c * p.h * p.w, p.k * p.c * p.filter_h * p.filter_w
    y = p.n * p.k * p.out_h * p.out_w
    if dtype is DType.INT8:
        return (x + w) * size + y * torch.float32.itemsize
    return (x + w + y) * size


class ConvSuite:
    """DeepBench convolutions timed through torch (oneDNN on CPU, cuDNN on CUDA)."""

    suite = Suite.CONV
    quick_ids = QUICK_IDS
    smoke_ids = SMOKE_IDS

    def cases(self, problem: Problem, options: RunOptions) -> Iterable[Case]:
        """Every official direction in every requested precision the problem's set allows."""
        for direction in problem.directions:
            for dtype in options.dtypes:
                if runs_in(dtype, problem.set):
                    yield Case(problem, direction, precision_of(dtype))

    def prepare(self, case: Case, options: RunOptions) -> Prepared:
        """Seeded NCHW operands and the one aten call of the case's direction."""
        params = case.problem.params
        assert isinstance(params, ConvParams), case.problem.id
        dtype = case.precision.input
        tensors = _tensors(params, dtype, options.device, options.seed)
        if dtype is DType.INT8:
            kernel = _int8_kernel(params, tensors, case, options.device)
        else:
            kernel = _float_kernel(params, tensors, case.direction)
        first_call(kernel, case, options.device)

        def check() -> Correctness:
            part = _reference_slice(params, case.direction)
            output = kernel()
            if case.direction is Direction.BWD_FILTER:
                output = output[: part.k, : part.c]
            elif case.direction is Direction.BWD_DATA:
                output = output[: part.n, : part.c]
            else:
                output = output[: part.n, : part.k]
            full = part == _Slice(n=params.n, k=params.k, c=params.c)
            return compare(
                output,
                _reference(params, tensors, case.direction, part),
                case.precision,
                _reduction_length(params, case.direction),
                where="" if full else f"first {part.n} images, {part.k} filters, {part.c} channels",
            )

        return Prepared(
            kernel=kernel,
            check=check,
            bytes_moved=_bytes_moved(params, case.direction, dtype),
        )
