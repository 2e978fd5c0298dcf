"""What the benchmark runs on: NumPy's BLAS and how many threads it uses, and PyTorch's if present.

Only NumPy and the standard library are used: ``numpy.show_config`` names the BLAS; its thread
count comes from the library itself (``openblas_get_num_threads``, found through ctypes in the
libraries this process has loaded), or, where that is not found, from the environment
variables that set it.
"""
import ctypes
import os
import platform
import sys
import warnings

import numpy as np

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def blas_name():
    """The BLAS NumPy was built with, as ``numpy.show_config`` reports it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except (TypeError, KeyError, AttributeError):        # NumPy before 1.25 has no mode="dicts"
        return "unknown"


def _loaded_openblas():
    """Paths of the OpenBLAS libraries this process has loaded (Linux), else []."""
    try:
        with open("/proc/self/maps") as maps:
            return sorted({line.split()[-1] for line in maps if "openblas" in line.lower() and "/" in line})
    except OSError:
        return []


def blas_threads():
    """``(threads, how)``: the BLAS thread count and where it was read."""
    for path in _loaded_openblas():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for symbol in ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads",
                       "openblas_get_num_threads64_", "openblas_get_num_threads"):
            if hasattr(lib, symbol):
                getter = getattr(lib, symbol)
                getter.restype = ctypes.c_int
                return int(getter()), "from the library"
    for name in THREAD_VARIABLES:
        if os.environ.get(name, "").isdigit():
            return int(os.environ[name]), f"from {name}"
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(), "assumed: one per core"


def blas_core():
    """The processor kernels OpenBLAS chose at run time (e.g. ``"SkylakeX"``), or ``"unknown"``.

    OPENBLAS_CORETYPE in the environment overrides OpenBLAS's own choice; the benchmark reports
    which one it ran with, since the kernels differ in speed by up to about 2x.
    """
    for path in _loaded_openblas():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for symbol in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename",
                       "openblas_get_corename64_", "openblas_get_corename"):
            if hasattr(lib, symbol):
                getter = getattr(lib, symbol)
                getter.restype = ctypes.c_char_p
                return getter().decode()
    return "unknown"


def torch_module():
    """PyTorch if it can be imported, else None (the benchmark never requires it)."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def describe(threads):
    """A dict describing the machine and libraries, for the JSON file and the printed header."""
    blas_threads_now, how = blas_threads()
    torch = torch_module()
    info = {"python": sys.version.split()[0], "platform": platform.platform(), "numpy": np.__version__,
            "blas": blas_name(), "blas_core": blas_core(), "blas_threads": blas_threads_now,
            "blas_threads_source": how,
            "cpus": os.cpu_count(), "threads": threads,
            "environment": {k: v for k, v in os.environ.items() if k.startswith("OPENBLAS") or k in THREAD_VARIABLES}}
    if torch is not None:
        info.update(torch=torch.__version__, torch_threads=torch.get_num_threads(),
                    torch_mkldnn=bool(torch.backends.mkldnn.is_available()))
    return info
