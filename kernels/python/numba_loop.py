"""numba_loop.py — the original study's Numba: the same double loop as python_loop.py compiled
with @njit, serial, or with --parallel @njit(parallel=True) over numba.prange on
numba.set_num_threads(--threads) threads. The first call on two points compiles (JIT) and is
timed apart, written to --setup (the row's build_s column); the timed call (--time) is the
steady-state computation alone. Matrix: every (i, j); histogram: the pairs i<j, half-open bins
found by binary search, one partial histogram per interleaved block of rows in parallel.
Minimum-image distances when --box > 0. Exits 77 without python3-numba."""
import os
import sys
import time

import pbcommon

BLOCKS_PER_THREAD = 8           # parallel histogram: interleaved row blocks, each its own counts


def kernels(numba, np, parallel):
    """The compiled (matrix, histogram) pair, serial or parallel."""
    jit = numba.njit(parallel=parallel)
    prange = numba.prange if parallel else range

    @numba.njit(inline="always")
    def axis(d, box):
        d = abs(d)
        return box - d if box > 0 and d > 0.5 * box else d

    @numba.njit(inline="always")
    def dist(x, i, j, box):
        dx = axis(x[i, 0] - x[j, 0], box)
        dy = axis(x[i, 1] - x[j, 1], box)
        dz = axis(x[i, 2] - x[j, 2], box)
        return np.sqrt(dx * dx + dy * dy + dz * dz)

    @numba.njit(inline="always")
    def bin_of(edges, r):
        lo, hi = 0, len(edges) - 1
        if not (r >= edges[0] and r < edges[hi]):
            return -1
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if r >= edges[mid]:
                lo = mid
            else:
                hi = mid
        return lo

    @jit
    def matrix(x, box):
        n = x.shape[0]
        m = np.empty((n, n))
        for i in prange(n):
            for j in range(n):
                m[i, j] = dist(x, i, j, box)
        return m

    @jit
    def histogram(x, box, edges, blocks):
        n = x.shape[0]
        part = np.zeros((blocks, len(edges) - 1), dtype=np.int64)
        for b in prange(blocks):
            for i in range(b, n, blocks):
                for j in range(i + 1, n):
                    k = bin_of(edges, dist(x, i, j, box))
                    if k >= 0:
                        part[b, k] += 1
        return part.sum(axis=0)

    return matrix, histogram


def run(args, np, numba, x, edges):
    """Compiles on two points (timed apart), then computes the answer (timed)."""
    matrix, histogram = kernels(numba, np, args.parallel)
    blocks = BLOCKS_PER_THREAD * args.threads if args.parallel else 1
    call = (lambda p: matrix(p, args.box)) if edges is None else \
        (lambda p: histogram(p, args.box, edges, blocks))
    start = time.perf_counter()
    call(np.zeros((2, 3)))
    pbcommon.write_seconds(args.setup, time.perf_counter() - start)
    with pbcommon.Timer(args.time):
        return call(x)


def main():
    args = pbcommon.parse_args(__doc__, {"--parallel": "@njit(parallel=True) with prange"})
    np = pbcommon.require("numpy", "python3-numpy")
    if args.parallel:               # more threads than cores must be allowed before the import
        os.environ["NUMBA_NUM_THREADS"] = str(max(args.threads, os.cpu_count() or 1))
    numba = pbcommon.require("numba", "python3-numba")
    numba.set_num_threads(args.threads if args.parallel else 1)
    x = pbcommon.load_points(np, args.points)
    edges = pbcommon.load_edges(np, args.edges) if args.output == "histogram" else None
    result = run(args, np, numba, x, edges)
    if edges is None:
        pbcommon.write_matrix(np, args.out, result)
    else:
        pbcommon.write_csv(args.out, edges, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
