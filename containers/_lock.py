"""The wheelhouse lock: every wheel an image installs, by name, version and sha256.

The lock is a pip requirements file with hashes, so pip itself enforces it twice: on the host when
the wheelhouse is downloaded, and inside the image with `pip install --no-index --require-hashes`.
It is written by resolving the project's dependencies for the image's interpreter (not the host's)
with pip's dry-run report, which carries each wheel's sha256 without downloading it.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from containers._images import SOURCE_ROOT, ImageSpec
from schemas import ContainerRunError
from schemas.atomic import write_file_atomically

_ENTRY = re.compile(
    r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>\S+)\s+--hash=sha256:(?P<sha>[0-9a-f]{64})$"
)
_CHUNK_BYTES = 1 << 20
TORCH_CPU_FIX = (
    "check the network and pip's configuration; where the CPU torch wheel is not on disk, "
    "set PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu"
)


@dataclass(frozen=True)
class LockEntry:
    """One pinned wheel."""

    name: str
    version: str
    sha256: str

    def requirement_text(self) -> str:
        """The entry as pip reads it: a pin and its hash."""
        return f"{self.name}=={self.version} \\\n    --hash=sha256:{self.sha256}\n"


def sha256_of(path: Path) -> str:
    """The sha256 of a file, read in chunks (wheels reach hundreds of MB)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def read_lock(path: Path) -> tuple[LockEntry, ...]:
    """The entries of a lock file; a malformed line is an error naming the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ContainerRunError(
            f"cannot read the wheelhouse lock: {exc.strerror}",
            where=str(path),
            fix="write it with `kernelperf container lock KIND`",
        ) from exc
    logical = [line.strip() for line in text.replace("\\\n", " ").splitlines() if line.strip()]
    entries = []
    for number, line in enumerate(logical, start=1):
        if line.startswith("#"):
            continue
        match = _ENTRY.match(" ".join(line.split()))
        if match is None:
            raise ContainerRunError(
                f"malformed lock entry {line!r}",
                where=f"{path} (entry {number})",
                fix="each entry is `name==version --hash=sha256:HEX`; regenerate the lock",
            )
        entries.append(LockEntry(match["name"], match["version"], match["sha"]))
    return tuple(entries)


def normalized(name: str) -> str:
    """A distribution name as PEP 503 compares it."""
    return re.sub(r"[-_.]+", "-", name).lower()


def project_requirements(source_root: Path = SOURCE_ROOT) -> tuple[str, ...]:
    """The harness's runtime dependencies (core and the `harness` extra) and its build backend."""
    with (source_root / "pyproject.toml").open("rb") as handle:
        pyproject = tomllib.load(handle)
    project = pyproject["project"]
    return (
        *pyproject["build-system"]["requires"],
        *project["dependencies"],
        *project["optional-dependencies"]["harness"],
    )


def resolve_lock(spec: ImageSpec) -> tuple[LockEntry, ...]:
    """Resolves torch, the harness's dependencies and setuptools for the image's interpreter."""
    requirements = (spec.torch_requirement, *project_requirements(), *spec.extra_requirements)
    with tempfile.TemporaryDirectory(prefix="kernelperf-lock-") as scratch:
        report_path = Path(scratch) / "report.json"
        # --target only satisfies pip's rule for --platform; a dry run writes nothing there.
        _pip(
            "install", "--dry-run", "--ignore-installed", "--quiet",
            "--report", str(report_path), "--target", str(Path(scratch) / "target"),
            *spec.pip_target_args, *requirements,
        )  # fmt: skip
        report = json.loads(report_path.read_text(encoding="utf-8"))
    entries = []
    for item in report["install"]:
        hashes = item["download_info"].get("archive_info", {}).get("hashes", {})
        if "sha256" not in hashes:
            raise ContainerRunError(
                f"the index gave no sha256 for {item['download_info']['url']}",
                fix="use an index that publishes hashes (PyPI does)",
            )
        metadata = item["metadata"]
        entries.append(
            LockEntry(normalized(metadata["name"]), metadata["version"], hashes["sha256"])
        )
    return tuple(sorted(entries, key=lambda entry: entry.name))


def lock_text(spec: ImageSpec, entries: Sequence[LockEntry]) -> str:
    """The lock file of `spec`: a header saying what it is for and how to renew it, then pins."""
    glibc = ".".join(map(str, spec.glibc_version))
    header = (
        f"# Wheelhouse lock of the {spec.kind} image: CPython {spec.python_version}, "
        f"manylinux x86_64 (glibc {glibc}).\n"
        f"# Written by `kernelperf container lock {spec.kind}`; "
        f"`kernelperf container build {spec.kind}`\n"
        "# installs exactly these wheels, checked by pip --require-hashes.\n"
    )
    return header + "".join(entry.requirement_text() for entry in entries)


def write_lock(spec: ImageSpec, entries: Sequence[LockEntry]) -> Path:
    """Writes the lock of `spec` atomically."""
    target = spec.lock_path
    write_file_atomically(target, lock_text(spec, entries))
    return target


def check_lock_covers_project(spec: ImageSpec, entries: Sequence[LockEntry]) -> None:
    """Fails early when pyproject.toml gained a dependency that the lock does not pin."""
    locked = {entry.name for entry in entries}
    missing = sorted(
        name
        for requirement in (*project_requirements(), *spec.extra_requirements)
        if (name := normalized(re.split(r"[^A-Za-z0-9._-]", requirement, maxsplit=1)[0]))
        not in locked
    )
    if missing:
        raise ContainerRunError(
            f"the {spec.kind} wheelhouse lock does not pin {', '.join(missing)}",
            where=str(spec.lock_path),
            fix=f"re-resolve it: `kernelperf container lock {spec.kind}`, then commit the lock",
        )


def fetch_wheelhouse(spec: ImageSpec) -> tuple[Path, ...]:
    """The wheels of the lock, in lock order: downloaded when missing, every hash checked.

    Wheels already present with the right hash are reused, so a warm build needs no network.
    """
    entries = read_lock(spec.lock_path)
    check_lock_covers_project(spec, entries)
    spec.wheelhouse_dir.mkdir(parents=True, exist_ok=True)
    by_hash = _index(spec.wheelhouse_dir)
    if any(entry.sha256 not in by_hash for entry in entries):
        _pip(
            "download", "--no-deps", "--require-hashes", "--quiet",
            "--dest", str(spec.wheelhouse_dir), *spec.pip_target_args,
            "-r", str(spec.lock_path),
        )  # fmt: skip
        by_hash = _index(spec.wheelhouse_dir)
    missing = [f"{e.name}=={e.version}" for e in entries if e.sha256 not in by_hash]
    if missing:
        raise ContainerRunError(
            f"the wheelhouse lacks {', '.join(missing)} after download",
            where=str(spec.wheelhouse_dir),
            fix=TORCH_CPU_FIX,
        )
    wanted = {entry.sha256 for entry in entries}
    for sha, path in by_hash.items():
        if sha not in wanted:  # an older pin: it would only grow the wheelhouse
            path.unlink()
    return tuple(by_hash[entry.sha256] for entry in entries)


def _index(directory: Path) -> dict[str, Path]:
    """The wheels of a directory by sha256."""
    return {sha256_of(path): path for path in sorted(directory.glob("*.whl"))}


def _pip(*args: str) -> None:
    """Runs the host's pip; a failure becomes one error carrying pip's own last line."""
    completed = subprocess.run(
        [sys.executable, "-m", "pip", *args], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        lines = [line for line in completed.stderr.splitlines() if line.startswith("ERROR")]
        last = lines[-1] if lines else (completed.stderr.strip().splitlines() or ["?"])[-1]
        raise ContainerRunError(f"pip {args[0]} failed: {last}", fix=TORCH_CPU_FIX)
