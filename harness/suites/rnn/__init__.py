"""The rnn suite's kernels (kernels.py, with the recurrences in cells.py); its definition is
schemas/suites/rnn."""

from harness.suites.rnn.kernels import RnnSuite

SUITE_CLASS = RnnSuite
