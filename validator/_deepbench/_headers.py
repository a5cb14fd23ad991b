"""What DeepBench's result sheets say in their section titles and header cells, as data.

Every header text seen in the 18 workbooks is listed here with its role; a header cell that is
not listed stops the import with its cell named, so a new layout is read on purpose, not by
accident. Texts are compared lower-cased with runs of spaces collapsed. The workbooks disagree
on column orders (convolution: R,S,pad_h,pad_w vs S,R,pad_w,pad_h) and names; reading columns by
their header, never by position, is what makes one reader fit all of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas import Direction, RnnCell


@dataclass(frozen=True)
class Role:
    """What a column holds: a parameter, a time, the source's own rate, or nothing we keep.

    `kind` is `param` (`name` is the params field), `time` (`name` is the direction, or
    `bwd_combined` for a backward time that adds data and weights), `rate` (`name` is the
    direction, `scale` turns it into TFLOP/s or GB/s), `remark`, `application` or `ignore`.
    """

    kind: str
    name: str = ""
    scale: float = 1.0


@dataclass(frozen=True)
class Section:
    """A section title: the suite its rows belong to, and the RNN cell it names."""

    suite: str
    cell: RnnCell | None = None


COMBINED_BACKWARD = "bwd_combined"
SECTIONS: dict[str, Section] = {
    "dense matrix multiplication": Section("gemm"),
    "sparse matrix multiplication": Section("sparse_gemm"),
    "convolution": Section("conv"),
    "recurrent layers - vanilla": Section("rnn", RnnCell.VANILLA),
    "recurrent layers - lstm": Section("rnn", RnnCell.LSTM),
    "recurrent layers - gru": Section("rnn", RnnCell.GRU),
    "all-reduce": Section("allreduce"),
}
PRECISION_TITLE = "precision"

_P, _I = "param", "ignore"
_FWD, _DATA = Direction.FWD.value, Direction.BWD_DATA.value
_COMMON: dict[str, Role] = {
    "source": Role("application"),
    "p": Role(_I),
    "q": Role(_I),
    "total time": Role(_I),
    "total time (msec)": Role(_I),
    "padded kernels": Role(_I),
    "teraflops bwd": Role(_I),  # combined backward in some sheets, data in others: not kept
}
_GEMM: dict[str, Role] = {
    "m": Role(_P, "m"),
    "n": Role(_P, "n"),
    "k": Role(_P, "k"),
    "a transpose": Role(_P, "a_t"),
    "b transpose": Role(_P, "b_t"),
    "time (msec)": Role("time", _FWD),
    "teraflops": Role("rate", _FWD),
    "gigaflops": Role("rate", _FWD, 1e-3),
}
_SPARSE: dict[str, Role] = {
    **{k: v for k, v in _GEMM.items() if k not in ("time (msec)",)},
    "sparsity": Role(_P, "sparsity"),
    "sparse time (msec)": Role("time", _FWD),
    "dense time (msec)": Role(_I),  # the dense baseline: a GEMM, not this sparse problem
    "sparseteraflops": Role("rate", _FWD),
    "sparse gigaflops": Role("rate", _FWD, 1e-3),
    "speedup wrt dense": Role(_I),
}
_CONV: dict[str, Role] = {
    "w": Role(_P, "w"),
    "w (input - time)": Role(_P, "w"),
    "h": Role(_P, "h"),
    "h (input)": Role(_P, "h"),
    "c": Role(_P, "c"),
    "c (channels)": Role(_P, "c"),
    "n": Role(_P, "n"),
    "n (batch size)": Role(_P, "n"),
    "k": Role(_P, "k"),
    "k (number of filters)": Role(_P, "k"),
    "s": Role(_P, "filter_w"),
    "s (filter width)": Role(_P, "filter_w"),
    "s (fitler width)": Role(_P, "filter_w"),
    "r": Role(_P, "filter_h"),
    "r (filter height)": Role(_P, "filter_h"),
    "pad_w": Role(_P, "pad_w"),
    "pad_h": Role(_P, "pad_h"),
    "horizontal stride": Role(_P, "wstride"),
    "vertical stride": Role(_P, "hstride"),
    "forward": Role("time", _FWD),
    "forward (msec)": Role("time", _FWD),
    "wrt inputs (msec)": Role("time", _DATA),
    "wrt parameters (msec)": Role("time", Direction.BWD_FILTER.value),
    "fwd teraflops": Role("rate", _FWD),
    "fwd gigaflops": Role("rate", _FWD, 1e-3),
    "bwd inputs teraflops": Role("rate", _DATA),
    "bwd parms teraflops": Role("rate", Direction.BWD_FILTER.value),
    "bwd params teraflops": Role("rate", Direction.BWD_FILTER.value),
    "forward algorithm": Role("remark"),
}
_RNN: dict[str, Role] = {
    "hidden units": Role(_P, "hidden"),
    "input": Role(_P, "hidden"),  # the inference LSTM sections name the hidden size "Input"
    "n": Role(_P, "batch"),
    "timesteps": Role(_P, "timesteps"),
    "time forward (msec)": Role("time", _FWD),
    "time backward wrt inputs (msec)": Role("time", _DATA),
    "time backward wrt weights (msec)": Role("time", Direction.BWD_WEIGHTS.value),
    "time backward (msec)": Role("time", COMBINED_BACKWARD),
    "teraflops fwd": Role("rate", _FWD),
    "fwd teraflops": Role("rate", _FWD),
    "teraflops bwd inputs": Role("rate", _DATA),
    "teraflops bwd params": Role("rate", Direction.BWD_WEIGHTS.value),
    "teraflops bwd weights": Role("rate", Direction.BWD_WEIGHTS.value),
}
_ALLREDUCE: dict[str, Role] = {
    "size # floats": Role(_P, "count"),
    "# chips / accelerator cards": Role(_P, "ranks"),
    "# nodes (1 process per node)": Role(_P, "ranks"),
    "mean all reduce time (msec)": Role("time", _FWD),
    "gigabytes/sec": Role("rate", _FWD),
    "selected algorithm": Role("remark"),
    "std dev all reduce time (msec)": Role(_I),
}
HEADERS: dict[str, dict[str, Role]] = {
    "gemm": _COMMON | _GEMM,
    "sparse_gemm": _COMMON | _SPARSE,
    "conv": _COMMON | _CONV,
    "rnn": _COMMON | _RNN,
    "allreduce": _COMMON | _ALLREDUCE,
}


def normal(text: str) -> str:
    """A header or title as compared: lower-case, runs of white space as one space, trimmed."""
    return " ".join(text.lower().split())
