"""The gemm suite's kernels (kernels.py); its definition is schemas/suites/gemm."""

from harness.suites.gemm.kernels import GemmSuite

SUITE_CLASS = GemmSuite
