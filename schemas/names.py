"""The one pattern for names that become file or folder names: system ids, submitters, rounds.

A name is 1 to 64 letters, digits, '.', '_' or '-', and starts with a letter or digit, so it is
a safe path part everywhere (no '/', no leading dot, no '..').
"""

from __future__ import annotations

import re
from typing import Final

NAME_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
NAME_RULE: Final = "use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"
# suite/set/index, e.g. gemm/train/017: the stable id of an official problem.
PROBLEM_ID_PATTERN: Final = r"^[a-z_]+/[a-z_]+/[0-9]{3}$"

_NAME = re.compile(NAME_PATTERN)


def is_valid_name(text: str) -> bool:
    """Whether `text` fits NAME_PATTERN."""
    return _NAME.fullmatch(text) is not None
