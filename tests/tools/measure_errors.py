"""Measures the real normwise error of every official problem, direction and precision, and
derives the correctness bounds from it.

    python -m tests.tools.measure_errors [--suite S ...] [--set SET ...] [--problem GLOB]
        [--dtype D ...] [--seed N]
        [--out validator/rules/measured/2026.1.json]
    python -m tests.tools.measure_errors --from-rows LOG ...  # the measured file from the
        # per-case JSON lines earlier runs printed to stderr (runs split by suite, in parallel)
    python -m tests.tools.measure_errors --apply   # bounds from the measured file into the
                                                    # harness's table and the rules version

Each case is checked as the harness checks it: the region of the output the seed draws
(`<suite>.check_region`), against the suite's float64 reference of the same inputs; only the
kernel runs on that region's operands instead of the whole problem (the same operation on the
same values, so the same error statistics), which makes fp16 (about 2 GFLOP/s on this CPU) and
the training sets affordable. RNNs run the harness's own reduced problem.

The bound of a (suite, direction, precision) is MARGIN times the largest error measured,
rounded up to a power of two, at least FLOOR and at most CAP.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import math
import platform
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import torch

from harness.accuracy import relative_error
from harness.suites.base import Case
from harness.suites.contracts import precision_of, region_slices, runs_in
from harness.suites.conv import kernels as conv
from harness.suites.gemm import kernels as gemm
from harness.suites.rnn import kernels as rnn
from harness.suites.sparse_gemm import kernels as sparse
from schemas import DType, Problem, ProblemSet, Suite, load_problems

ROOT = Path(__file__).resolve().parents[2]
MEASURED = ROOT / "validator" / "rules" / "measured" / "2026.1.json"
RULES = ROOT / "validator" / "rules" / "2026.1.json"
HARNESS_TABLE = ROOT / "schemas" / "error_bounds.json"

# Why 8: the data are one CPU and one seed; other libraries (cuBLAS split-K, cuDNN's Winograd and
# FFT convolutions) sum in other orders and may err a few times more. Why 2^-5: an all-zero output
# errs 1.0 and noise of the right scale about √2, so 1/32 leaves a factor of 32 between the
# loosest bound and garbage. The floor is for exact (integer) kernels, whose error is 0.
MARGIN = 8.0
CAP = 2.0**-5
FLOOR = 2.0**-40
DTYPES = (DType.FP32, DType.BF16, DType.FP16, DType.INT8)
# The harness raises MeasurementError for int8 in these suites (no int32-accumulating kernel).
NO_INT8 = (Suite("rnn"), Suite("sparse_gemm"))

Outputs = tuple[torch.Tensor, torch.Tensor]  # (the kernel's region, the fp64 reference)


@lru_cache(maxsize=1)
def _operands(case_key: tuple[str, DType, int], problem: Problem) -> Any:
    """The harness's operands of a problem in one dtype; `cases` orders directions innermost,
    so the directions of a problem share one draw (most of the time of a large case)."""
    _, dtype, seed = case_key
    module = {"gemm": gemm, "conv": conv, "rnn": rnn, "sparse_gemm": sparse}[problem.suite.value]
    return module.operands(problem.params, dtype, "cpu", seed)  # type: ignore[attr-defined]


def _ops(case: Case, seed: int) -> Any:
    return _operands((case.problem.id, case.precision.input, seed), case.problem)


def _gemm(case: Case, seed: int) -> Outputs:
    dtype = case.precision.input
    ops = _ops(case, seed)
    region = gemm.check_region(case, seed)
    part = region_slices(region)
    left, right = ops.left[part["n"]], ops.right[:, part["m"]]
    output = torch._int_mm(left, right) if dtype is DType.INT8 else left @ right
    return output, gemm.reference(ops, region)


def _conv(case: Case, seed: int) -> Outputs:
    params = case.problem.params
    assert isinstance(params, conv.ConvParams)
    tensors = _ops(case, seed)
    region = conv.check_region(case, seed)
    part = conv.region_operands(tensors, region)
    if case.precision.input is DType.INT8:
        sizes = dict(zip(region.dims, region.sizes, strict=True))
        output = conv._int8_kernel(params.model_copy(update=sizes), part)()
    else:
        output = conv._float_kernel(params, part, case.direction)()
    return output, conv.reference(params, part, case.direction)


def _rnn(case: Case, seed: int) -> Outputs:
    params = case.problem.params
    assert isinstance(params, rnn.RnnParams)
    small = rnn.reference_params(params)
    region = rnn.check_region(case, seed)
    ops = _ops(case, seed)
    layer = rnn.Layer(params.cell, rnn.region_operands(ops, region, small.timesteps))
    return layer.result(case.direction), layer.reference(case.direction)


def _sparse(case: Case, seed: int) -> Outputs:
    ops = _ops(case, seed)
    region = sparse.check_region(case, seed)
    part = region_slices(region)
    rows = part["m"]
    crow = ops.a.crow_indices()[rows.start : rows.stop + 1]
    first, last = int(crow[0]), int(crow[-1])
    block = torch.sparse_csr_tensor(
        crow - first,
        ops.a.col_indices()[first:last],
        ops.a.values()[first:last],
        size=(rows.stop - rows.start, ops.a.shape[1]),
        check_invariants=False,
    )
    return torch.mm(block, ops.b[:, part["n"]]), sparse.reference(ops, region)


MEASURE: dict[Suite, Callable[[Case, int], Outputs]] = {
    Suite("gemm"): _gemm,
    Suite("conv"): _conv,
    Suite("rnn"): _rnn,
    Suite("sparse_gemm"): _sparse,
}


def cases(problem: Problem, dtypes: tuple[DType, ...]) -> Iterator[Case]:
    """Every official direction in every precision the harness would run for this problem,
    precision by precision (see `_operands`)."""
    int8_output = DType.FP32 if problem.suite == Suite("conv") else DType.INT32
    for dtype in dtypes:
        for direction in problem.directions:
            int8_runs = problem.suite not in NO_INT8 and direction.value == "fwd"
            if runs_in(dtype, problem.set) and (dtype is not DType.INT8 or int8_runs):
                yield Case(problem, direction, precision_of(dtype, int8_output=int8_output))


def measure(case: Case, seed: int) -> dict[str, object]:
    """One row of the table: the case, its reduction length, and its error (or why none)."""
    row: dict[str, object] = {
        "problem": case.problem.id,
        "suite": case.problem.suite.value,
        "direction": case.direction.value,
        "precision": case.precision.input.value,
        "reduction_length": case.problem.params.reduction_length(case.direction),
    }
    started = time.perf_counter()
    try:
        output, reference = MEASURE[case.problem.suite](case, seed)
    except (RuntimeError, NotImplementedError) as exc:  # a kernel torch lacks on this CPU
        row["skipped"] = str(exc).strip().splitlines()[0][:160]
        return row
    row["error"] = relative_error(output, reference)
    row["seconds"] = round(time.perf_counter() - started, 3)
    return row


def maxima(rows: list[dict[str, object]]) -> dict[str, dict[str, dict[str, float]]]:
    """suite → direction → precision → the largest error measured."""
    table: dict[str, dict[str, dict[str, float]]] = {}
    for row in rows:
        if "error" in row:
            cell = table.setdefault(str(row["suite"]), {}).setdefault(str(row["direction"]), {})
            key = str(row["precision"])
            cell[key] = max(cell.get(key, 0.0), float(str(row["error"])))
    return table


def bound_of(measured_max: float) -> float:
    """MARGIN × the largest error, up to a power of two, within [FLOOR, CAP]."""
    if measured_max <= 0:
        return FLOOR
    return min(CAP, max(FLOOR, 2.0 ** math.ceil(math.log2(MARGIN * measured_max))))


def derive_bounds(
    table: Mapping[str, Mapping[str, Mapping[str, float]]],
) -> dict[str, dict[str, dict[str, float]]]:
    """The bound table from the table of largest measured errors."""
    return {
        suite: {
            direction: {key: bound_of(value) for key, value in by_precision.items()}
            for direction, by_precision in by_direction.items()
        }
        for suite, by_direction in table.items()
    }


def _print_table(table: Mapping[str, Mapping[str, Mapping[str, float]]]) -> None:
    print(f"{'suite':<12} {'direction':<12} {'precision':<9} {'max error':>10} {'bound':>10}")
    for suite, by_direction in table.items():
        for direction, by_precision in by_direction.items():
            for key, value in by_precision.items():
                print(
                    f"{suite:<12} {direction:<12} {key:<9} {value:>10.3g} {bound_of(value):>10.3g}"
                )


def _machine() -> str:
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{model}, {torch.get_num_threads()} threads, torch {torch.__version__}"


def _measured_rows(args: argparse.Namespace) -> list[dict[str, object]]:
    """Measures the chosen suites and precisions, printing each row as a JSON line."""
    suites = [Suite(name) for name in args.suite] if args.suite else list(MEASURE)
    dtypes = tuple(DType(name) for name in args.dtype) if args.dtype else DTYPES
    sets = {ProblemSet(name) for name in args.set} if args.set else set(ProblemSet)
    done = {_key(row) for row in _logged_rows(args.skip_logged or [])}
    rows: list[dict[str, object]] = []
    for suite in suites:
        chosen = (p for p in load_problems(suite) if p.set in sets)
        for problem in (p for p in chosen if fnmatch.fnmatchcase(p.id, args.problem)):
            for case in cases(problem, dtypes):
                if (problem.id, case.direction.value, case.precision.input.value) in done:
                    continue
                row = measure(case, args.seed)
                rows.append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)
    return rows


def _logged_rows(logs: list[Path]) -> list[dict[str, object]]:
    """The rows earlier runs printed, in order, each case once (the last line wins)."""
    rows: dict[tuple[object, ...], dict[str, object]] = {}
    for log in logs:
        for line in log.read_text(encoding="utf-8").splitlines():
            if line.startswith("{"):
                row = json.loads(line)
                rows[_key(row)] = row
    return list(rows.values())


def _key(row: Mapping[str, object]) -> tuple[object, ...]:
    return row["problem"], row["direction"], row["precision"]


def run(args: argparse.Namespace) -> int:
    """Measures (or reads the logged rows) and writes the measured file."""
    rows = _logged_rows(args.from_rows) if args.from_rows else _measured_rows(args)
    table = maxima(rows)
    header = {
        "generated_by": "python -m tests.tools.measure_errors",
        "machine": _machine(),
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "seed": args.seed,
        "margin": MARGIN,
        "cap": CAP,
        "floor": FLOOR,
        "max_error": table,
        "unmeasured": _unmeasured(rows),
    }
    # One case per line (the time each took stays in the log): a diff shows which ones moved.
    cases_text = ",\n".join(
        "  " + json.dumps({k: v for k, v in row.items() if k != "seconds"}) for row in rows
    )
    head_text = ",\n".join(f" {json.dumps(k)}: {json.dumps(v)}" for k, v in header.items())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = "{\n" + head_text + ',\n "cases": [\n' + cases_text + "\n ]\n}\n"
    args.out.write_text(text, encoding="utf-8")
    _print_table(table)
    return 0


def _unmeasured(rows: list[dict[str, object]]) -> list[str]:
    """'problem direction precision' of every case the harness runs that no row measured."""
    done = {_key(row) for row in rows}
    return [
        f"{case.problem.id} {case.direction.value} {case.precision.input.value}"
        for suite in MEASURE
        for problem in load_problems(suite)
        for case in cases(problem, DTYPES)
        if (problem.id, case.direction.value, case.precision.input.value) not in done
    ]


def apply(measured: Path) -> int:
    """Writes the bounds derived from `measured` into the harness's table and the rules file."""
    document = json.loads(measured.read_text(encoding="utf-8"))
    bounds = derive_bounds(document["max_error"])
    source = (
        f"the largest error in {measured.relative_to(ROOT)} times {MARGIN:g}, "
        f"up to a power of two, capped at {CAP}"
    )
    harness = {"source": source, "cap": CAP, "bounds": bounds}
    HARNESS_TABLE.write_text(json.dumps(harness, indent=1) + "\n", encoding="utf-8")
    rules = json.loads(RULES.read_text(encoding="utf-8"))
    kept = rules["tolerance"]["region_required_from"]
    rules["tolerance"] = harness | {"region_required_from": kept}
    RULES.write_text(json.dumps(rules, indent=1) + "\n", encoding="utf-8")
    _print_table(document["max_error"])
    return 0


def main(argv: list[str] | None = None) -> int:
    """The command line (module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m tests.tools.measure_errors")
    parser.add_argument("--suite", action="append", choices=[s.value for s in MEASURE])
    parser.add_argument("--set", action="append", choices=[s.value for s in ProblemSet])
    parser.add_argument("--problem", default="*", help="fnmatch pattern of problem ids")
    parser.add_argument("--dtype", action="append", choices=[d.value for d in DTYPES])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=MEASURED)
    parser.add_argument("--from-rows", type=Path, nargs="+", help="logged rows, not a new run")
    parser.add_argument("--skip-logged", type=Path, nargs="+", help="cases these logs hold")
    parser.add_argument("--apply", action="store_true", help="derive bounds from --out")
    args = parser.parse_args(argv)
    torch.manual_seed(args.seed)
    return apply(args.out) if args.apply else run(args)


if __name__ == "__main__":
    sys.exit(main())
