"""The broken-submission corpus: each case starts from a good bundle or round and breaks one thing.

Every case names the finding code the validator must answer with. Bundle cases start from a
loose good bundle; round cases from `rounds.write_round` and re-sign the closed bundle when the
change is its submitter's own (so the rule, not the signature, is what catches it).
"""

from __future__ import annotations

import gzip
import io
import json
import shutil
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schemas import summarize
from tests.validator.conftest import edit_json, reseal, write_good_bundle
from tests.validator.rounds import SYSTEM_ID, RoundOnDisk, write_round
from validator import Code

Json = Any
Make = Callable[[Path], Path]


@dataclass(frozen=True)
class Case:
    """One broken submission and the code that must reject it."""

    name: str
    code: Code
    make: Make


def _result(edit: Callable[[Json], None], reseal_manifest: bool = True) -> Make:
    def make(tmp_path: Path) -> Path:
        bundle = write_good_bundle(tmp_path / "bundle")
        edit_json(bundle, "result.json", edit, reseal_manifest=reseal_manifest)
        return bundle

    return make


def _system(edit: Callable[[Json], None]) -> Make:
    def make(tmp_path: Path) -> Path:
        bundle = write_good_bundle(tmp_path / "bundle")
        edit_json(bundle, "system.json", edit)
        return bundle

    return make


def _files(edit: Callable[[Path], object]) -> Make:
    def make(tmp_path: Path) -> Path:
        bundle = write_good_bundle(tmp_path / "bundle")
        edit(bundle)
        return bundle

    return make


def _raw_result(text_edit: Callable[[str], str]) -> Make:
    """Rewrites result.json's text and reseals, so only the parser can object."""

    def edit(bundle: Path) -> None:
        path = bundle / "result.json"
        path.write_text(text_edit(path.read_text(encoding="utf-8")), encoding="utf-8")
        reseal(bundle)

    return _files(edit)


def _raw_bytes(data: bytes) -> Make:
    def edit(bundle: Path) -> None:
        (bundle / "result.json").write_bytes(data)
        reseal(bundle)

    return _files(edit)


def _round(edit: Callable[[RoundOnDisk], object]) -> Make:
    def make(tmp_path: Path) -> Path:
        on_disk = write_round(tmp_path)
        edit(on_disk)
        return on_disk.root

    return make


def _closed(edit: Callable[[Json], None], name: str = "result.json") -> Make:
    """The closed submitter itself changes its bundle, reseals and re-signs it."""

    def apply(on_disk: RoundOnDisk) -> None:
        (on_disk.closed_bundle / "attestation.dsse.json").unlink()  # the manifest never lists it
        edit_json(on_disk.closed_bundle, name, edit)
        on_disk.resign()

    return _round(apply)


def measured(result: Json, samples_ns: list[int]) -> None:
    """Replaces a result's samples and makes every derived figure consistent with them."""
    stats = summarize(samples_ns)
    result["samples_ns"] = samples_ns
    result["stats"] = stats.model_dump()
    result["tflops"] = result["flops"] / stats.median_ns / 1e3
    result["gbps"] = result["bytes_moved"] / stats.median_ns


def _tar(members: Callable[[tarfile.TarFile, Path], None]) -> Make:
    def make(tmp_path: Path) -> Path:
        bundle = write_good_bundle(tmp_path / "src" / "bundle")
        archive = tmp_path / "bundle.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(bundle, arcname="bundle")
            members(tar, bundle)
        return archive

    return make


def _add_member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> Callable[..., None]:
    def add(tar: tarfile.TarFile, _bundle: Path) -> None:
        info = tarfile.TarInfo(name)
        info.type = kind
        info.linkname = link
        data = b"" if kind != tarfile.REGTYPE else b"x"
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))

    return add


def _many_members(tar: tarfile.TarFile, _bundle: Path) -> None:
    for index in range(10_001):
        info = tarfile.TarInfo(f"bundle/logs/n{index}")
        tar.addfile(info, io.BytesIO(b""))


def _corrupt_archive(tmp_path: Path) -> Path:
    archive = tmp_path / "bundle.tar.gz"
    archive.write_bytes(gzip.compress(b"not a tar archive at all")[:-4])
    return archive


def _deep(text: str) -> str:
    return text.replace('"environment": {}', '"environment": ' + "[" * 100_000 + "]" * 100_000)


def _sparse_giant(bundle: Path) -> None:
    with (bundle / "result.json").open("r+b") as handle:
        handle.truncate(300 << 20)  # sparse: no disk is used


def _symlink(bundle: Path) -> None:
    (bundle / "logs" / "passwd").symlink_to("/etc/passwd")


def _duplicate_manifest_entry(bundle: Path) -> None:
    manifest = json.loads((bundle / "MANIFEST.json").read_text())
    manifest["files"].append(manifest["files"][0])
    (bundle / "MANIFEST.json").write_text(json.dumps(manifest))


def _set(path: list[str | int], value: Json) -> Callable[[Json], None]:
    def edit(document: Json) -> None:
        target = document
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return edit


def _pop(path: list[str | int]) -> Callable[[Json], None]:
    def edit(document: Json) -> None:
        target = document
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]

    return edit


def _scale(path: list[str | int], factor: float) -> Callable[[Json], None]:
    def edit(document: Json) -> None:
        target = document
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = target[path[-1]] * factor

    return edit


def _too_fast(document: Json) -> None:
    measured(document["results"][0], [1] * 20)  # 1 ns for a 10-MFLOP GEMM: 10 PFLOP/s


def _few_samples(document: Json) -> None:
    result = document["results"][0]
    measured(result, result["samples_ns"][:3])


def _noisy(document: Json) -> None:
    result = document["results"][0]
    measured(result, [result["samples_ns"][0] * (1 + 4 * (i % 2)) for i in range(20)])


def _duplicate_result(document: Json) -> None:
    document["results"].append(document["results"][0])


def _foreign_suite(document: Json) -> None:
    document["results"][0]["problem"]["suite"] = "conv"


def _h100(document: Json) -> None:
    document["accelerators"] = [
        {"model": "NVIDIA H100 80GB HBM3", "count": 1, "memory_bytes": 80 << 30,
         "peak_tflops": {"fp16": 5000.0}}
    ]  # fmt: skip


def _nodes(document: Json) -> None:
    document["nodes"] = 2
    document["placement"] = [
        {"rank": 0, "host": "node1", "device": "cpu"},
        {"rank": 1, "host": "node1", "device": "cpu"},
    ]


def _job(document: Json) -> None:
    """Placement and nodes agree, but the Slurm job that claims the run had other nodes."""
    document["nodes"] = 2
    document["placement"] = [
        {"rank": 0, "host": "node1", "device": "cpu"},
        {"rank": 1, "host": "node2", "device": "cpu"},
    ]
    document["job"] = {
        "launcher": "srun", "job_id": "7", "step_id": "0", "partition": "p",
        "node_list": ["node1", "node3"], "tasks_per_node": [1, 1], "mpi_plugin": "pmi2",
    }  # fmt: skip


def _collective(document: Json) -> None:
    result = document["results"][0]
    result["collective"] = {
        "ranks": 2, "in_place": True, "size_bytes": 4096,
        "algbw_gbps": 4096 / result["stats"]["median_ns"], "busbw_gbps": 123.0,
    }  # fmt: skip


def _gpu_bandwidth(document: Json) -> None:
    document["backend"]["device"] = "cuda:0"
    document["backend"]["device_name"] = "NVIDIA H100 80GB HBM3"
    result = document["results"][0]
    result["bytes_moved"] = 1 << 40
    measured(result, result["samples_ns"])


BUNDLE_CASES = [
    Case(
        "one byte of result.json changed",
        Code.INTEGRITY_HASH,
        _files(
            lambda b: (b / "result.json").write_bytes(
                (b / "result.json").read_bytes().replace(b'"run-0001"', b'"run-0002"')
            )
        ),
    ),
    Case(
        "system.json grew",
        Code.INTEGRITY_SIZE,
        _files(lambda b: (b / "system.json").write_bytes((b / "system.json").read_bytes() + b" ")),
    ),
    Case(
        "log deleted",
        Code.INTEGRITY_MISSING,
        _files(lambda b: (b / "logs" / "harness.jsonl").unlink()),
    ),
    Case("file added", Code.INTEGRITY_EXTRA, _files(lambda b: (b / "extra.txt").write_text("x"))),
    Case("symlink planted", Code.INTEGRITY_LINK, _files(_symlink)),
    Case("manifest entry repeated", Code.INTEGRITY_DUPLICATE, _files(_duplicate_manifest_entry)),
    Case(
        "result.json deleted",
        Code.BUNDLE_FILE_MISSING,
        _files(lambda b: (b / "result.json").unlink()),
    ),
    Case(
        "manifest deleted",
        Code.BUNDLE_FILE_MISSING,
        _files(lambda b: (b / "MANIFEST.json").unlink()),
    ),
    Case("not UTF-8", Code.JSON_ENCODING, _raw_bytes(b'{"run_id": "\xff\xfe"}')),
    Case(
        "lone surrogate",
        Code.JSON_ENCODING,
        _raw_result(lambda t: t.replace('"run-0001"', '"\\ud800"')),
    ),
    Case("truncated JSON", Code.JSON_SYNTAX, _raw_result(lambda t: t[: len(t) // 2])),
    Case("NaN", Code.JSON_NONFINITE, _raw_result(lambda t: t.replace('"seed": 7', '"seed": NaN'))),
    Case(
        "Infinity",
        Code.JSON_NONFINITE,
        _raw_result(lambda t: t.replace('"seed": 7', '"seed": -Infinity')),
    ),
    Case(
        "1e999 overflows",
        Code.JSON_NONFINITE,
        _raw_result(lambda t: t.replace('"seed": 7', '"seed": 1e999')),
    ),
    Case(
        "repeated key",
        Code.JSON_DUPLICATE_KEY,
        _raw_result(lambda t: t.replace('"seed": 7', '"seed": 7, "seed": 8')),
    ),
    Case("nested 100000 deep", Code.JSON_DEPTH, _raw_result(_deep)),
    Case("300 MB result.json", Code.JSON_TOO_LARGE, _files(_sparse_giant)),
    Case(
        "field missing", Code.SCHEMA_REQUIRED, _result(_pop(["results", 1, "stats", "median_ns"]))
    ),
    Case("unknown field", Code.SCHEMA_UNKNOWN_KEY, _result(_set(["backend", "turbo"], True))),
    Case("wrong type", Code.SCHEMA_TYPE, _result(_set(["results", 0, "samples_ns"], "fast"))),
    Case("negative warm-up", Code.SCHEMA_VALUE, _result(_set(["results", 0, "warmup_count"], -1))),
    Case("bad timestamp", Code.SCHEMA_VALUE, _result(_set(["started_utc"], "yesterday"))),
    Case("newer schema", Code.SCHEMA_VERSION, _result(_set(["schema_version"], "2.0"))),
    Case(
        "impossible date", Code.SCHEMA_MODEL, _result(_set(["started_utc"], "2026-02-30T00:00:00Z"))
    ),
    Case("unknown system field", Code.SCHEMA_UNKNOWN_KEY, _system(_set(["host", "gpu"], 1))),
    Case("negative sample", Code.STATS_SAMPLES, _result(_set(["results", 0, "samples_ns", 0], -5))),
    Case("zero sample", Code.STATS_SAMPLES, _result(_set(["results", 2, "samples_ns", 3], 0))),
    Case(
        "median halved",
        Code.STATS_MISMATCH,
        _result(_scale(["results", 0, "stats", "median_ns"], 0.5)),
    ),
    Case(
        "count inflated", Code.STATS_MISMATCH, _result(_set(["results", 1, "stats", "count"], 99))
    ),
    Case(
        "p99 changed", Code.STATS_MISMATCH, _result(_scale(["results", 2, "stats", "p99_ns"], 0.9))
    ),
    Case("flops doubled", Code.FLOPS_MISMATCH, _result(_scale(["results", 0, "flops"], 2))),
    Case("tflops inflated", Code.THROUGHPUT_MISMATCH, _result(_scale(["results", 1, "tflops"], 3))),
    Case("gbps inflated", Code.THROUGHPUT_MISMATCH, _result(_scale(["results", 1, "gbps"], 3))),
    Case("busbw inflated", Code.BANDWIDTH_MISMATCH, _result(_collective)),
    Case(
        "output wrong",
        Code.CORRECTNESS_FAILED,
        _result(
            lambda d: d["results"][2].update(
                correctness=d["results"][2]["correctness"] | {"error": 0.5, "passed": False}
            )
        ),
    ),
    Case(
        "passed despite error",
        Code.CORRECTNESS_INCONSISTENT,
        _result(_set(["results", 2, "correctness", "error"], 0.5)),
    ),
    Case("interrupted", Code.RUN_INCOMPLETE, _result(_set(["complete"], False))),
    Case(
        "finished before start",
        Code.RUN_TIME,
        _result(_set(["finished_utc"], "2020-01-01T00:00:00Z")),
    ),
    Case("result repeated", Code.RUN_DUPLICATE_RESULT, _result(_duplicate_result)),
    Case("result of another suite", Code.RUN_SUITE_MISMATCH, _result(_foreign_suite)),
    Case("faster than the CPU", Code.PLAUSIBILITY_TFLOPS, _result(_too_fast)),
    Case("declared peak above datasheet", Code.PLAUSIBILITY_DECLARED_PEAK, _system(_h100)),
    Case("bandwidth above HBM", Code.PLAUSIBILITY_BANDWIDTH, _result(_gpu_bandwidth)),
    Case("unknown rules", Code.RULES_VERSION, _result(_set(["rules_version"], "1999.9"))),
    Case(
        "harness not allowed",
        Code.RULES_HARNESS_VERSION,
        _result(_set(["harness_version"], "9.9.9")),
    ),
    Case("3 samples", Code.RULES_SAMPLES, _result(_few_samples)),
    Case("no warm-up", Code.RULES_WARMUP, _result(_set(["results", 0, "warmup_count"], 0))),
    Case("noisy samples", Code.RULES_CV, _result(_noisy)),
    Case(
        "tolerance loosened",
        Code.RULES_TOLERANCE,
        _result(_set(["results", 0, "correctness", "tolerance"], 0.5)),
    ),
    Case("two nodes on one host", Code.SYSTEM_NODES, _system(_nodes)),
    Case("placement outside the job's nodes", Code.SYSTEM_NODES, _system(_job)),
    Case("member escapes with ..", Code.ARCHIVE_UNSAFE, _tar(_add_member("bundle/../../evil"))),
    Case("absolute member", Code.ARCHIVE_UNSAFE, _tar(_add_member("/tmp/evil"))),
    Case(
        "symlink member",
        Code.ARCHIVE_UNSAFE,
        _tar(_add_member("bundle/link", tarfile.SYMTYPE, "/etc/passwd")),
    ),
    Case("device member", Code.ARCHIVE_UNSAFE, _tar(_add_member("bundle/dev", tarfile.CHRTYPE))),
    Case("10001 members", Code.ARCHIVE_LIMIT, _tar(_many_members)),
    Case("not a gzip", Code.ARCHIVE_CORRUPT, _corrupt_archive),
]


def _move(on_disk: RoundOnDisk, new_parent: Path) -> None:
    new_parent.mkdir(parents=True, exist_ok=True)
    shutil.move(on_disk.open_bundle, new_parent / on_disk.open_bundle.name)


def _copy_open(on_disk: RoundOnDisk, name: str, **changes: Json) -> None:
    copy = on_disk.open_bundle.parent / name
    shutil.copytree(on_disk.open_bundle, copy)
    if changes:
        edit_json(copy, "result.json", lambda d: d.update(changes))


def _open_system(on_disk: RoundOnDisk) -> Path:
    return on_disk.root / "open" / "beta" / "systems" / f"{SYSTEM_ID}.json"


ROUND_CASES = [
    Case("closed quick profile", Code.RULES_PROFILE, _closed(_set(["profile"], "quick"))),
    Case(
        "closed params changed",
        Code.RULES_PARAMS,
        _closed(_set(["results", 0, "problem", "params", "m"], 1000)),
    ),
    Case(
        "closed unofficial id",
        Code.RULES_UNKNOWN_PROBLEM,
        _closed(_set(["results", 0, "problem", "id"], "gemm/inference_device/999")),
    ),
    Case(
        "closed direction",
        Code.RULES_DIRECTION,
        _closed(_set(["results", 0, "direction"], "bwd_data")),
    ),
    Case(
        "closed int8 accumulate",
        Code.RULES_PRECISION,
        _closed(
            _set(
                ["results", 0, "precision"], {"input": "int8", "compute": "int8", "output": "int8"}
            )
        ),
    ),
    Case("closed set incomplete", Code.RULES_INCOMPLETE_SET, _closed(lambda d: d["results"].pop())),
    Case(
        "closed outside the image",
        Code.RULES_IMAGE,
        _closed(_set(["container"], None), "system.json"),
    ),
    Case("open run in the closed folder", Code.RULES_DIVISION, _closed(_set(["division"], "open"))),
    Case(
        "closed unsigned",
        Code.SIG_UNSIGNED,
        _round(lambda r: (r.closed_bundle / "attestation.dsse.json").unlink()),
    ),
    Case(
        "open without declaration",
        Code.RULES_OPEN_DECLARATION,
        _round(lambda r: shutil.rmtree(r.root / "open" / "beta" / "code")),
    ),
    Case(
        "bundle too shallow",
        Code.LAYOUT_PLACEMENT,
        _round(lambda r: _move(r, r.root / "open" / "beta" / "results")),
    ),
    Case(
        "suite folder wrong",
        Code.LAYOUT_SUITE,
        _round(lambda r: _move(r, r.open_bundle.parents[1] / "conv")),
    ),
    Case(
        "system folder wrong",
        Code.LAYOUT_SYSTEM,
        _round(lambda r: _move(r, r.open_bundle.parents[2] / "other-system" / "gemm")),
    ),
    Case(
        "submitter name",
        Code.LAYOUT_NAME,
        _round(lambda r: (r.root / "open" / "beta").rename(r.root / "open" / "be ta")),
    ),
    Case(
        "stray file",
        Code.LAYOUT_UNEXPECTED,
        _round(lambda r: (r.root / "open" / "beta" / "notes.txt").write_text("x")),
    ),
    Case("system undeclared", Code.SYSTEM_MISSING, _round(lambda r: _open_system(r).unlink())),
    Case(
        "declared system differs",
        Code.SYSTEM_MISMATCH,
        _round(
            lambda r: _open_system(r).write_text(
                _open_system(r).read_text().replace('"cores": 2', '"cores": 64')
            )
        ),
    ),
    Case(
        "declared system not JSON",
        Code.JSON_SYNTAX,
        _round(lambda r: _open_system(r).write_text("{")),
    ),
    Case("bundle copied", Code.DUPLICATE_BUNDLE, _round(lambda r: _copy_open(r, "run2"))),
    Case("run id reused", Code.DUPLICATE_RUN, _round(lambda r: _copy_open(r, "run2", seed=8))),
    Case(
        "kernels measured twice",
        Code.DUPLICATE_RESULT,
        _round(lambda r: _copy_open(r, "run2", run_id="open-2")),
    ),
]

CASES = BUNDLE_CASES + ROUND_CASES
