"""A reviewer's install: `pip install .` brings no torch, and still validates and ranks a round.

Builds a fresh virtual environment and installs a copy of the source into it the way a reviewer
does, so pip resolves the core dependencies from the configured index (about 15 s here).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from containers._build import source_files

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
ROUND = REPO / "submissions" / "2026.1"
# Nothing of the test's own environment may leak in: the install must stand on its own.
LEAKY = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")


def run(
    command: list[str | Path], cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Runs a command and returns what it did, without raising on failure."""
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_a_plain_install_validates_and_ranks_the_reference_round_without_torch(
    tmp_path: Path,
) -> None:
    source = tmp_path / "source"
    for path, relative in source_files():  # what the images install: pyproject, README, packages
        (source / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, source / relative)
    env = {k: v for k, v in os.environ.items() if k not in LEAKY}
    env["KERNELPERF_CACHE_DIR"] = str(tmp_path / "cache")
    venv = tmp_path / "venv"
    made = run([sys.executable, "-m", "venv", venv], tmp_path, env)
    assert made.returncode == 0, made.stderr
    installed = run([venv / "bin" / "pip", "install", "--quiet", source], tmp_path, env)
    assert installed.returncode == 0, installed.stderr

    for command in (["validate", ROUND], ["leaderboard", ROUND]):
        done = run([venv / "bin" / "kernelperf", *command], tmp_path, env)
        assert done.returncode == 0, done.stdout + done.stderr
    no_torch = run([venv / "bin" / "python", "-c", "import torch"], tmp_path, env)
    assert no_torch.returncode != 0 and "No module named 'torch'" in no_torch.stderr
