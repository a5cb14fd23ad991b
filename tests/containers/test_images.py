"""Which images exist, what they are called, and which wheels each may take."""

from __future__ import annotations

import re

import pytest

from containers import SPECS, image_name, spec_for
from containers._images import harness_version
from schemas import UsageError


def test_an_unknown_kind_is_a_usage_error_naming_the_kinds() -> None:
    with pytest.raises(UsageError) as caught:
        spec_for("tpu")
    assert "tpu" in caught.value.what
    assert "cpu" in caught.value.fix and "cuda" in caught.value.fix


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_image_names_are_valid_docker_references(kind: str) -> None:
    name = image_name(kind)
    assert re.fullmatch(r"kernelperf/[a-z]+:[A-Za-z0-9_.-]{1,128}", name), name
    assert name.endswith(":" + re.sub(r"[^A-Za-z0-9_.-]", "-", harness_version()))


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_wheels_are_chosen_for_the_image_interpreter_not_the_host(kind: str) -> None:
    spec = spec_for(kind)
    args = spec.pip_target_args
    abi = "cp" + spec.python_version.replace(".", "")
    assert args[args.index("--abi") + 1] == abi
    assert args[args.index("--python-version") + 1] == spec.python_version
    platforms = {args[i + 1] for i, arg in enumerate(args) if arg == "--platform"}
    major, minor = spec.glibc_version
    # The base's own glibc and every older one: pip would not widen the list by itself.
    assert {f"manylinux_{major}_{m}_x86_64" for m in (minor, 28, 17, 5)} <= platforms
    assert f"manylinux_{major}_{minor + 1}_x86_64" not in platforms
    assert "--only-binary=:all:" in args
