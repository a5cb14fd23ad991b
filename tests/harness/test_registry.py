"""The compute-suite registry: every folder under harness/suites runs the suite of its name."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import harness.suites
from harness.suites import compute_suite, registered
from schemas import Suite, UsageError

FOLDERS = {p.parent.name for p in Path(harness.suites.__file__).parent.glob("*/__init__.py")}


def test_every_folder_is_a_registered_suite_in_listing_order() -> None:
    assert set(registered()) == FOLDERS
    assert list(registered()) == [s for s in Suite.all() if s in FOLDERS]


@pytest.mark.parametrize("suite", sorted(FOLDERS))
def test_each_folder_gives_a_fresh_instance_of_its_own_suite(suite: str) -> None:
    first, second = compute_suite(Suite(suite)), compute_suite(Suite(suite))
    assert first.suite is Suite(suite) and first is not second


def test_a_suite_without_kernels_here_is_a_usage_error() -> None:
    assert "allreduce" not in FOLDERS  # it runs under a launcher, not the compute runner
    with pytest.raises(UsageError, match="cannot run here"):
        compute_suite(Suite("allreduce"))


def test_listing_the_suites_and_the_allreduce_path_never_import_torch() -> None:
    code = (
        "import sys, harness.suites, harness.allreduce; "
        "harness.suites.registered(); "
        "sys.exit('torch' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
