"""pbcommon.py — what the baseline scripts share with the exec strategy (kernels/exec.h): the
command-line arguments, the input files the strategy writes, the output files it reads, and
exit status 77 for "a dependency is missing" (the row then reads "skipped: <last stderr line>").

Files: points (one "x y z" per line, %.17g), edges (nbins+1 doubles, one per line: the exact
edges of the run, so no script rebuilds them and rounds differently), out (histogram: CSV
"lo,hi,count" with a header line; matrix: .npy float64 C-order (n, n)), time (optional: the
seconds the computation alone took, for timing=script).

Bins are half-open, [e_k, e_k+1), for every bin including the last, as in pairbench:
numpy.histogram closes its last bin, so half_open_counts takes the distances equal to the last
edge back out of it; searchsorted_counts (numpy.searchsorted side='right' minus one, out-of-range
dropped) gives the same counts without numpy.histogram's sort, for many short rows.
"""
import argparse
import importlib
import os
import sys
import time

DEPENDENCY_MISSING = 77


def require(module, package):
    """Imports module, or exits 77 naming the Debian package that provides it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        print(f"{package} not installed ({exc})", file=sys.stderr)
        sys.exit(DEPENDENCY_MISSING)


def parse_args(description):
    """The arguments every baseline script takes (exec.h placeholders in brackets)."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--points", required=True, help="points file [{points}]")
    ap.add_argument("--out", required=True, help="answer file [{out}]")
    ap.add_argument("--output", choices=("matrix", "histogram"), default="histogram",
                    help="what to compute [{output}]")
    ap.add_argument("--edges", help="histogram edges file [{edges}]")
    ap.add_argument("--box", type=float, default=0.0, help="periodic box side, 0 = open [{box}]")
    ap.add_argument("--threads", type=int, default=1, help="worker processes [{threads}]")
    ap.add_argument("--time", help="write the compute seconds here [{time}]")
    args = ap.parse_args()
    if args.output == "histogram" and not args.edges:
        ap.error("--output histogram needs --edges")
    return args


def refuse(message):
    """Exits 77: this baseline cannot compute what was asked (the row reads skipped)."""
    print(message, file=sys.stderr)
    sys.exit(DEPENDENCY_MISSING)


def load_points(np, path):
    """The points as an (n, 3) float64 array; an empty file gives (0, 3)."""
    if os.path.getsize(path) == 0:
        return np.empty((0, 3))
    return np.loadtxt(path, dtype=np.float64, ndmin=2).reshape(-1, 3)


def load_edges(np, path):
    """The nbins+1 edges exactly as the strategy wrote them."""
    return np.loadtxt(path, dtype=np.float64, ndmin=1)


def half_open_counts(np, d, edges):
    """numpy.histogram counts with the last bin made half-open like the others."""
    counts, _ = np.histogram(d, bins=edges)
    counts[-1] -= np.count_nonzero(d == edges[-1])
    return counts


def searchsorted_counts(np, d, edges):
    """Half-open bin counts without sorting d: bin k holds edges[k] <= d < edges[k+1]."""
    b = np.searchsorted(edges, d, side="right") - 1
    b = b[(b >= 0) & (b < len(edges) - 1)]
    return np.bincount(b, minlength=len(edges) - 1)


def write_csv(path, edges, counts):
    """lo,hi,count per bin; repr() keeps every edge's exact double."""
    with open(path, "w") as f:
        f.write("lo,hi,count\n")
        for k, c in enumerate(counts):
            f.write(f"{float(edges[k])!r},{float(edges[k + 1])!r},{int(c)}\n")


def write_matrix(np, path, m):
    """The matrix as .npy, float64, C order."""
    np.save(path, np.ascontiguousarray(m, dtype=np.float64))


class Timer:
    """Times the computation alone and writes the seconds to --time when given."""

    def __init__(self, path):
        self.path = path

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        if self.path and exc[0] is None:
            with open(self.path, "w") as f:
                f.write(f"{time.perf_counter() - self.start!r}\n")
        return False


def below_edges(np, edges):
    """The radii to ask a cumulative (d <= r) counter so that it counts d < edge: the largest
    double below each edge (0 for an edge <= 0, whose count is set to 0 by cumulative_bins)."""
    return np.maximum(np.nextafter(edges, 0), 0.0)


def cumulative_bins(np, c, n, edges):
    """Half-open bin counts from c, the ordered-pair counts (i == j included, as tree counters
    of a set with itself give them) with d < each edge: unique pairs below an edge are
    (c - n) / 2, none below an edge <= 0; consecutive differences are the bins."""
    below = np.where(edges > 0, (np.asarray(c, dtype=np.int64) - n) // 2, 0)
    return np.diff(below)
