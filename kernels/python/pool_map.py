"""pool_map.py — the original study's "workers": multiprocessing.Pool(threads).map over rows,
each row's distances computed with numpy in a worker and returned (pickled) to the parent,
which assembles the matrix (row i: all j) or bins them (row i: j > i, half-open bins, by
numpy.searchsorted: one sort-free pass per row).
Minimum-image distances when --box > 0. Needs numpy only."""
import multiprocessing
import sys

import pbcommon

np = None                       # numpy, imported in main (exit 77 when missing)
X = None                        # the points; set before the pool forks, so workers inherit it
BOX = 0.0


def separations(i, start):
    """Per-axis separations of point i to points start..n-1, minimum-image in a box."""
    d = np.abs(X[start:] - X[i])
    if BOX > 0:
        d = np.where(d > 0.5 * BOX, BOX - d, d)
    return d


def row_all(i):
    """Distances of point i to every point (one matrix row)."""
    d = separations(i, 0)
    return np.sqrt(d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1] + d[:, 2] * d[:, 2])


def row_upper(i):
    """Distances of point i to the points after it (its unique pairs)."""
    d = separations(i, i + 1)
    return np.sqrt(d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1] + d[:, 2] * d[:, 2])


def compute(args, n):
    """The matrix, or the counts, from Pool.map over the n rows."""
    edges = pbcommon.load_edges(np, args.edges) if args.output == "histogram" else None
    with multiprocessing.Pool(max(1, args.threads)) as pool:
        if edges is None:
            rows = pool.map(row_all, range(n))
            return np.vstack(rows) if rows else np.empty((0, 0)), None
        counts = np.zeros(len(edges) - 1, dtype=np.int64)
        for d in pool.map(row_upper, range(n)):
            counts += pbcommon.searchsorted_counts(np, d, edges)
        return counts, edges


def main():
    global np, X, BOX
    args = pbcommon.parse_args(__doc__)
    np = pbcommon.require("numpy", "python3-numpy")
    X = pbcommon.load_points(np, args.points)
    BOX = args.box
    multiprocessing.set_start_method("fork")
    with pbcommon.Timer(args.time):
        result, edges = compute(args, len(X))
    if edges is None:
        pbcommon.write_matrix(np, args.out, result)
    else:
        pbcommon.write_csv(args.out, edges, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
