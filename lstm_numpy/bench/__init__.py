"""``python -m lstm_numpy bench``: the fast engine against a textbook NumPy implementation, the
GEMM-only bound and PyTorch (where installed). See docs/performance.md.

- :mod:`.run`: the configurations, the interleaved timing, peak memory;
- :mod:`.textbook`: the reference implementation, written the way RNNs are usually first written;
- :mod:`.gemm`: the matrix products alone, in the engine's layouts: the floor for NumPy code arranged as it is;
- :mod:`.frameworks`: PyTorch's layers with the same weights (imported only if present);
- :mod:`.machine`: which BLAS, how many threads;
- :mod:`.report`, :mod:`.plot`: the table, the goals, the JSON file, the bar chart.
"""
from .run import CONFIGS, QUICK_CONFIGS, run_benchmark

__all__ = ["CONFIGS", "QUICK_CONFIGS", "run_benchmark"]
