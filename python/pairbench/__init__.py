"""pairbench: pair counts of 3-D points with the kernels of `bench compute`, in this process.

    import numpy as np, pairbench
    pts = np.load("points.npy")                      # (n, 3) float64 or float32
    h = pairbench.count(pts, pairbench.edges(1, 50, 10, log=True), box=1000)
    h.counts                                         # uint64, unique pairs i<j per bin [lo, hi)

The library (libpairbench, python/capi/pairbench.h) is the same compute core as `bench
compute`, so the counts and the messages are the same. It is loaded with ctypes from the path
in the environment variable PAIRBENCH_LIB, else from the one _paths.py names (the build tree's
library, or the installed one beside this package). ctypes releases the GIL for the whole of
every call into the library, so counts may run in several Python threads at once.
"""

import ctypes
import errno as _errno
import os
from typing import NamedTuple

import numpy as np

from . import _paths

__all__ = ["count", "edges", "strategies", "Histogram", "Strategy", "Error", "Unsupported",
           "OutOfMemory", "LIBRARY"]

API_VERSION = 1


class Error(ValueError):
    """What the library refused or what failed, with the harness's message; .errno is the
    error number (EINVAL for bad input)."""

    def __init__(self, message, errno=_errno.EINVAL):
        super().__init__(message)
        self.errno = errno


class Unsupported(Error):
    """A strategy that cannot run inside this process (an external program, MPI), or that
    cannot run here: use `bench compute --strategy NAME` for it."""


class OutOfMemory(Error, MemoryError):
    """The computation would not fit in the memory available (the harness's memory guard)."""


class Histogram(NamedTuple):
    """What count() returns."""
    counts: np.ndarray        # uint64, len(edges) - 1: unique pairs i<j in [edges[k], edges[k+1])
    edges: np.ndarray         # float64: the edges used
    strategy: str             # the strategy that ran (auto's choice)
    threads: int              # the threads it ran with (1 for a serial strategy)
    why: str                  # strategy="auto": what it chose and why; else ""
    seconds: float            # wall time of the strategy's call


class Strategy(NamedTuple):
    """One strategy of the library."""
    name: str
    summary: str
    in_process: bool          # False: runs an external program or MPI; bench compute only


class _Info(ctypes.Structure):
    _fields_ = [("strategy", ctypes.c_char * 64), ("threads", ctypes.c_int),
                ("why", ctypes.c_char * 256), ("seconds", ctypes.c_double)]


def _load():
    """The library, from PAIRBENCH_LIB or _paths.LIBRARY, with its functions' types declared."""
    path = os.environ.get("PAIRBENCH_LIB") or _paths.LIBRARY
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        raise ImportError(f"pairbench: cannot load libpairbench from {path}: {e} (set "
                          f"PAIRBENCH_LIB to the library's path)") from e
    lib.pairbench_api_version.restype = ctypes.c_int
    if lib.pairbench_api_version() != API_VERSION:
        raise ImportError(f"pairbench: {path} has API version {lib.pairbench_api_version()}, "
                          f"this package expects {API_VERSION}: install them together")
    c_size, c_double_p = ctypes.c_size_t, ctypes.POINTER(ctypes.c_double)
    lib.pairbench_error.restype = ctypes.c_char_p
    lib.pairbench_strategy_count.restype = c_size
    for f in (lib.pairbench_strategy_name, lib.pairbench_strategy_summary):
        f.argtypes, f.restype = [c_size], ctypes.c_char_p
    lib.pairbench_strategy_in_process.argtypes = [c_size]
    lib.pairbench_default_threads.restype = ctypes.c_int
    lib.pairbench_edges.argtypes = [ctypes.c_double, ctypes.c_double, c_size, ctypes.c_int,
                                    c_double_p]
    lib.pairbench_count.argtypes = [
        ctypes.c_void_p, c_size, ctypes.c_ssize_t, ctypes.c_ssize_t, ctypes.c_int, c_double_p,
        c_size, ctypes.c_char_p, ctypes.c_int, ctypes.c_double,
        ctypes.POINTER(ctypes.c_char_p), c_size, ctypes.POINTER(ctypes.c_uint64),
        ctypes.POINTER(_Info)]
    return lib, path


_lib, LIBRARY = _load()


def _raise(rc):
    """Raises the exception for the library's return value rc (< 0) and its message."""
    msg = _lib.pairbench_error().decode("utf-8", "replace")
    code = -rc
    cls = Unsupported if code == _errno.ENOTSUP else OutOfMemory if code == _errno.ENOMEM \
        else Error
    raise cls(msg, code)


def strategies():
    """The strategies of the library, as Strategy(name, summary, in_process), in `bench
    --list` order. Those with in_process False run only under `bench compute`."""
    out = []
    for i in range(_lib.pairbench_strategy_count()):
        out.append(Strategy(_lib.pairbench_strategy_name(i).decode(),
                            _lib.pairbench_strategy_summary(i).decode(),
                            _lib.pairbench_strategy_in_process(i) == 1))
    return out


def _whole(value, what):
    """value as an int, or Error naming what."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise Error(f"{what}: expected an integer, got {value!r}")
    return int(value)


def edges(lo, hi, count, log=False):
    """The count + 1 edges of count bins from lo to hi, bit for bit numpy.linspace(lo, hi,
    count + 1) or, log=True, numpy.geomspace, as `bench compute --bins LO,HI,COUNT[,log]`
    makes them. Needs 0 <= lo < hi (lo > 0 for log) and 1 <= count <= 1000000."""
    count = _whole(count, "edges: count")
    if count < 1:
        raise Error(f"edges: the count must be from 1 to 1000000, got {count}")
    try:
        lo, hi = float(lo), float(hi)
    except (TypeError, ValueError):
        raise Error(f"edges: lo and hi must be numbers, got {lo!r}, {hi!r}") from None
    out = np.empty(count + 1 if count <= 1000000 else 1, dtype=np.float64)
    rc = _lib.pairbench_edges(lo, hi, count, 1 if log else 0,
                              out.ctypes.data_as(ctypes.POINTER(ctypes.c_double)))
    if rc < 0:
        _raise(rc)
    return out


def _points(points):
    """points as an (n, 3) float64 or float32 ndarray of any strides, or Error."""
    if not isinstance(points, np.ndarray):
        points = np.asarray(points)
    if points.dtype not in (np.float64, np.float32):
        raise Error(f"points: dtype {points.dtype} is not float64 or float32 (convert with "
                    f"points.astype(float))")
    if not points.dtype.isnative:
        points = points.astype(points.dtype.newbyteorder("="))
    if points.ndim != 2 or points.shape[1] != 3:
        raise Error(f"points: expected shape (n, 3), got {points.shape}")
    return points


def _edges_array(e):
    """The explicit edges as a contiguous 1-D float64 array, or Error."""
    try:
        arr = np.ascontiguousarray(e, dtype=np.float64)
    except (TypeError, ValueError):
        raise Error(f"edges: expected a 1-D sequence of numbers, got {type(e).__name__}") \
            from None
    if arr.ndim != 1:
        raise Error(f"edges: expected a 1-D sequence of numbers, got shape {arr.shape}")
    return arr


def _params(params):
    """params ({key: value}) as "KEY=VALUE" byte strings."""
    if params is None:
        return []
    if not isinstance(params, dict):
        raise Error(f"params: expected a dict of KEY: VALUE, got {type(params).__name__}")
    return [f"{k}={v}".encode() for k, v in params.items()]


def count(points, edges, strategy="auto", threads=None, box=None, params=None):
    """Counts the unique pairs i<j of points whose distance falls in each half-open bin
    [edges[k], edges[k+1]), as `bench compute --output histogram` does, in this process.

    points: (n, 3) float64 or float32 array, C- or F-ordered or strided (float64 columns of
        stride 8 are used in place; other layouts are converted once inside the library);
        every coordinate finite.
    edges: strictly increasing finite edges >= 0 (2 to 1000001), e.g. pairbench.edges(...).
    strategy: a name from strategies() or "auto" (grid when the last edge is below half the
        extent, else the fastest all-range strategy); strategies that run an external program
        or MPI raise Unsupported.
    threads: workers (default: the CPUs this process may use, as bench compute).
    box: side of a periodic cube (minimum-image distances; points wrapped into [0, box) on a
        copy); None for open space.
    params: {KEY: VALUE} strategy parameters, as bench compute --param.

    Returns Histogram(counts, edges, strategy, threads, why, seconds). Raises Error
    (a ValueError) for bad input, Unsupported, OutOfMemory, or Error for a failed strategy,
    each with the harness's message. The GIL is released during the computation."""
    pts = _points(points)
    e = _edges_array(edges)
    nthreads = 0 if threads is None else _whole(threads, "threads")
    if threads is not None and nthreads < 1:
        raise Error(f"threads: expected from 1 to 4096, got {nthreads}")
    side = 0.0 if box is None else box
    if isinstance(side, (bool, np.bool_)) or not isinstance(side, (int, float, np.number)) \
            or not side > 0 and box is not None:
        raise Error(f"box: expected a positive number, got {box!r}")
    kv = _params(params)
    kv_arr = (ctypes.c_char_p * max(len(kv), 1))(*kv)
    counts = np.zeros(max(len(e) - 1, 1), dtype=np.uint64)
    info = _Info()
    rc = _lib.pairbench_count(
        pts.ctypes.data, pts.shape[0], pts.strides[0], pts.strides[1], pts.itemsize,
        e.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), len(e),
        str(strategy).encode(), nthreads, float(side), kv_arr, len(kv),
        counts.ctypes.data_as(ctypes.POINTER(ctypes.c_uint64)), ctypes.byref(info))
    if rc < 0:
        _raise(rc)
    return Histogram(counts, e.copy(), info.strategy.decode(), info.threads,
                     info.why.decode("utf-8", "replace"), info.seconds)
