"""The official images: what each kind is built from, for which Python, and what it is called.

An image is tied to one Python and one glibc, because its wheelhouse is resolved for exactly those
(a cp311 wheel will not import under Python 3.12): each kind names the interpreter its base ships.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from schemas import UsageError

PACKAGE_DIR = Path(__file__).resolve().parent
SOURCE_ROOT = PACKAGE_DIR.parent
BASE_IMAGE = "kernelperf/base:bookworm"


@dataclass(frozen=True)
class ImageSpec:
    """One official image: its Dockerfile, its default base, and the platform of its wheels."""

    kind: str
    dockerfile: Path
    default_base: str
    python_version: str
    glibc_version: tuple[int, int]
    torch_requirement: str
    bootstraps_base: bool
    extra_requirements: tuple[str, ...] = ()
    """What this image adds to the project's requirements (NVML's bindings on cuda)."""

    @property
    def lock_path(self) -> Path:
        """The checked-in lock of this image's wheelhouse."""
        return PACKAGE_DIR / f"wheelhouse-{self.kind}.lock"

    @property
    def wheelhouse_dir(self) -> Path:
        """Where the host keeps the downloaded wheels (ignored by git)."""
        return PACKAGE_DIR / "wheelhouse" / self.kind

    @property
    def pip_target_args(self) -> tuple[str, ...]:
        """pip options that select wheels for the image's interpreter instead of the host's."""
        abi = "cp" + self.python_version.replace(".", "")
        major, minor = self.glibc_version
        # pip 23 does not widen an explicit manylinux_2_N to older glibc tags, so list them all.
        platforms = [f"manylinux_{major}_{m}_x86_64" for m in range(minor, 4, -1)]
        platforms += ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"]
        args = ["--only-binary=:all:", "--implementation", "cp", "--abi", abi]
        args += ["--python-version", self.python_version]
        for platform in platforms:
            args += ["--platform", platform]
        return tuple(args)


SPECS: dict[str, ImageSpec] = {
    "cpu": ImageSpec(
        kind="cpu",
        dockerfile=PACKAGE_DIR / "cpu.Dockerfile",
        default_base=BASE_IMAGE,
        python_version="3.11",  # Debian bookworm's python3
        glibc_version=(2, 36),
        torch_requirement="torch==2.13.0+cpu",
        bootstraps_base=True,
    ),
    "cuda": ImageSpec(
        kind="cuda",
        dockerfile=PACKAGE_DIR / "cuda.Dockerfile",
        # torch 2.13.0's default wheel is built for CUDA 13.0 and ships its CUDA libraries as
        # wheels; the base brings the NVIDIA container runtime's environment and Ubuntu 24.04.
        # A tag can move: the build records the base's digest (org.opencontainers.image.base.
        # digest); pass --base nvidia/cuda@sha256:... to pin the very image (containers/_build.py).
        default_base="nvidia/cuda:13.0.1-base-ubuntu24.04",
        python_version="3.12",  # Ubuntu 24.04's python3
        glibc_version=(2, 39),
        torch_requirement="torch==2.13.0",
        bootstraps_base=False,
        # GPU state before and after each case (harness/nvml.py imports it only if present).
        extra_requirements=("nvidia-ml-py>=12",),
    ),
}


def spec_for(kind: str) -> ImageSpec:
    """The spec of an official image kind; a UsageError names the kinds that exist."""
    try:
        return SPECS[kind]
    except KeyError:
        raise UsageError(
            f"unknown image {kind!r}",
            fix=f"choose one of: {', '.join(SPECS)}",
        ) from None


def harness_version() -> str:
    """The installed KernelPerf version, used as the image tag."""
    try:
        return version("kernelperf")
    except PackageNotFoundError:
        return "0.0.0"


def image_name(kind: str) -> str:
    """The local name of an official image, e.g. 'kernelperf/cpu:0.1.0'."""
    # A tag allows [A-Za-z0-9_.-] only; a local version such as '0.2.dev1+g1a2b' has a '+'.
    tag = re.sub(r"[^A-Za-z0-9_.-]", "-", harness_version())
    return f"kernelperf/{spec_for(kind).kind}:{tag}"
