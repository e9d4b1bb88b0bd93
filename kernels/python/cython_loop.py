"""cython_loop.py — the study's remark that C or Cython would also do: python_loop.py's double
loop as typed Cython, translated by cython3 and compiled by cc (-O2 -ffp-contract=off, so
distances round exactly like pairbench's) into the run's temporary folder. The translation and
compile are timed apart and written to --setup (the row's build_s column); the timed call
(--time) is the computation alone. Matrix: every (i, j); histogram: the pairs i<j, half-open
bins by binary search. Minimum-image distances when --box > 0. Serial. Exits 77 without
cython3, a C compiler or python3-numpy."""
import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import time

import pbcommon

SOURCE = r'''
# cython: boundscheck=False, wraparound=False, cdivision=True, language_level=3
from libc.math cimport sqrt, fabs

cdef inline double axis(double d, double box) nogil:
    d = fabs(d)
    return box - d if box > 0 and d > 0.5 * box else d

cdef inline double dist(double[:, ::1] x, Py_ssize_t i, Py_ssize_t j, double box) nogil:
    cdef double dx = axis(x[i, 0] - x[j, 0], box)
    cdef double dy = axis(x[i, 1] - x[j, 1], box)
    cdef double dz = axis(x[i, 2] - x[j, 2], box)
    return sqrt(dx * dx + dy * dy + dz * dz)

def matrix(double[:, ::1] x, double box, double[:, ::1] m):
    cdef Py_ssize_t i, j, n = x.shape[0]
    for i in range(n):
        for j in range(n):
            m[i, j] = dist(x, i, j, box)

def histogram(double[:, ::1] x, double box, double[::1] edges, long long[::1] counts):
    cdef Py_ssize_t i, j, lo, hi, mid, n = x.shape[0], nb = edges.shape[0] - 1
    cdef double r
    for i in range(n):
        for j in range(i + 1, n):
            r = dist(x, i, j, box)
            if not (r >= edges[0] and r < edges[nb]):
                continue
            lo, hi = 0, nb
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if r >= edges[mid]:
                    lo = mid
                else:
                    hi = mid
            counts[lo] += 1
'''


def build(folder):
    """Translates and compiles SOURCE in folder; returns the imported module."""
    cython, cc = shutil.which("cython3") or shutil.which("cython"), shutil.which("cc")
    if not cython or not cc:
        pbcommon.refuse(f"{'cython3' if not cython else 'a C compiler (cc)'} not installed")
    pyx, so = os.path.join(folder, "pbloop.pyx"), os.path.join(
        folder, "pbloop" + sysconfig.get_config_var("EXT_SUFFIX"))
    with open(pyx, "w") as f:
        f.write(SOURCE)
    subprocess.run([cython, "-3", pyx], check=True)
    subprocess.run([cc, "-O2", "-ffp-contract=off", "-fPIC", "-shared", "-I",
                    sysconfig.get_paths()["include"], pyx[:-3] + "c", "-o", so], check=True)
    spec = importlib.util.spec_from_file_location("pbloop", so)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    args = pbcommon.parse_args(__doc__)
    np = pbcommon.require("numpy", "python3-numpy")
    x = np.ascontiguousarray(pbcommon.load_points(np, args.points))
    start = time.perf_counter()
    loop = build(os.path.dirname(os.path.abspath(args.out)))
    pbcommon.write_seconds(args.setup, time.perf_counter() - start)
    if args.output == "matrix":
        result = np.empty((len(x), len(x)))
        with pbcommon.Timer(args.time):
            loop.matrix(x, args.box, result)
        pbcommon.write_matrix(np, args.out, result)
        return 0
    edges = pbcommon.load_edges(np, args.edges)
    result = np.zeros(len(edges) - 1, dtype=np.int64)
    with pbcommon.Timer(args.time):
        loop.histogram(x, args.box, edges, result)
    pbcommon.write_csv(args.out, edges, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
