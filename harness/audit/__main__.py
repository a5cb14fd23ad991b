"""`python -m harness.audit`: the worker that measures one audit round in a fresh process."""

import sys

from harness.audit._round import serve

sys.exit(serve())
