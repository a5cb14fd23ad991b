"""The sparse_gemm suite's kernels (kernels.py); its definition is schemas/suites/sparse_gemm."""

from harness.suites.sparse_gemm.kernels import SparseGemmSuite

SUITE_CLASS = SparseGemmSuite
