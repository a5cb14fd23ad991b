"""The conv suite's kernels (kernels.py); its definition is schemas/suites/conv."""

from harness.suites.conv.kernels import ConvSuite

SUITE_CLASS = ConvSuite
