"""The package front: every public name resolves; importing it (or the CLI) loads no docker."""

from __future__ import annotations

import subprocess
import sys

import containers

LIGHT_IMPORT = """
import argparse, sys
import containers
from kernelperf.commands import cluster, container
parser = argparse.ArgumentParser()
commands = parser.add_subparsers()
container.register(commands)
cluster.register(commands)
assert containers.SPECS
loaded = sorted(m for m in ("docker", "torch", "mpi4py") if m in sys.modules)
assert not loaded, loaded
"""


def test_every_public_name_resolves_and_nothing_else_does() -> None:
    for name in containers.__all__:
        assert getattr(containers, name) is not None, name
    assert not hasattr(containers, "_run_build")  # private names stay in their modules


def test_the_parser_of_the_container_commands_loads_no_heavy_library() -> None:
    done = subprocess.run(
        [sys.executable, "-c", LIGHT_IMPORT], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
