"""pbcommon.py — what the baseline scripts share with the exec strategy (kernels/support/exec.h): the
command-line arguments, the input files the strategy writes, the output files it reads, and
exit status 77 for "a dependency is missing" (the row then reads "skipped: <last stderr line>").

Files: points (one "x y z" per line, %.17g), edges (nbins+1 doubles, one per line: the exact
edges of the run, so no script rebuilds them and rounds differently), out (histogram: CSV
"lo,hi,count" with a header line; matrix: .npy float64 C-order (n, n)), time (optional: the
seconds the computation alone took, for timing=script), setup (optional: seconds spent before
the timed computation that a reader must still see, such as Numba's JIT compile; the strategy
reports them in the build_s column).

The multiprocessing baselines share one unit of work, block_result(i0, i1): rows i0..i1-1
against every point (a matrix block) or against the points after each row (their pair counts),
as one numpy array of (i1-i0) x n distances. --tasks sets how the n rows are cut into tasks:
"rows" is one row per task (the study's per-item workers), "workers" one chunk per worker (the
study's chunking), an integer that many near-equal chunks.

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


def parse_args(description, flags=None):
    """The arguments every baseline script takes (exec.h placeholders in brackets), plus the
    script's own on/off flags ({"--name": help})."""
    ap = argparse.ArgumentParser(description=description)
    for name, text in (flags or {}).items():
        ap.add_argument(name, action="store_true", help=text)
    ap.add_argument("--points", required=True, help="points file [{points}]")
    ap.add_argument("--out", required=True, help="answer file [{out}]")
    ap.add_argument("--output", choices=("matrix", "histogram"), default="histogram",
                    help="what to compute [{output}]")
    ap.add_argument("--edges", help="histogram edges file [{edges}]")
    ap.add_argument("--box", type=float, default=0.0, help="periodic box side, 0 = open [{box}]")
    ap.add_argument("--threads", type=int, default=1, help="worker processes [{threads}]")
    ap.add_argument("--time", help="write the compute seconds here [{time}]")
    ap.add_argument("--setup", help="write the setup (JIT compile) seconds here [{setup}]")
    ap.add_argument("--tasks", default="rows",
                    help="rows (one row per task), workers (one chunk per worker) or a count")
    args = ap.parse_args()
    if args.output == "histogram" and not args.edges:
        ap.error("--output histogram needs --edges")
    if args.tasks not in ("rows", "workers") and not (args.tasks.isdigit() and int(args.tasks)):
        ap.error(f"--tasks takes rows, workers or a positive count, got {args.tasks!r}")
    return args


def start_library(description, module, package, output, only, no_box=None):
    """The start every library baseline shares: its arguments, numpy and the library `module`
    (exit 77 naming the Debian package when one is missing), then exit 77 with `only` when the
    run asks for another output than `output`, and with `no_box` (when given) for a periodic box.
    Returns (args, numpy, the library module)."""
    args = parse_args(description)
    np = require("numpy", "python3-numpy")
    lib = require(module, package)
    if args.output != output:
        refuse(only)
    if no_box and args.box > 0:
        refuse(no_box)
    return args, np, lib


def task_ranges(n, tasks, workers):
    """The rows cut into [i0, i1) tasks as --tasks says: rows, workers or a count."""
    count = n if tasks == "rows" else max(1, workers) if tasks == "workers" else int(tasks)
    count = max(1, min(count, n))
    return [(n * t // count, n * (t + 1) // count) for t in range(count) if n]


class Work:
    """What block_result reads: set in the parent before the workers fork, so they inherit it."""
    np = None                   # numpy
    x = None                    # the points, (n, 3) float64
    box = 0.0                   # periodic side, 0 = open
    edges = None                # histogram edges, None for a matrix


def setup_work(np, args):
    """Loads the points (and edges) into Work for block_result. Returns the number of points."""
    Work.np = np
    Work.x = load_points(np, args.points)
    Work.box = args.box
    Work.edges = load_edges(np, args.edges) if args.output == "histogram" else None
    return len(Work.x)


def separation(np, a, b, box):
    """|b - a| along one axis, broadcast, minimum-image in a box (pairkern.h's pb_min_image)."""
    d = np.abs(b[None, :] - a[:, None])
    return np.where(d > 0.5 * box, box - d, d) if box > 0 else d


def block_result(i0, i1):
    """Rows i0..i1-1 as one (i1-i0) x m distance array, then the task's answer: (i0, the matrix
    block) or (i0, the counts of the pairs i<j in those rows)."""
    np, x, box = Work.np, Work.x, Work.box
    j0 = 0 if Work.edges is None else i0 + 1
    dx, dy, dz = (separation(np, x[i0:i1, a], x[j0:, a], box) for a in range(3))
    d = np.sqrt(dx * dx + dy * dy + dz * dz)
    if Work.edges is None:
        return i0, d
    upper = np.arange(j0, len(x))[None, :] > np.arange(i0, i1)[:, None]
    return i0, searchsorted_counts(np, d[upper], Work.edges)


def empty_result(np, n):
    """Where the tasks' answers go: the zeroed matrix or counts."""
    if Work.edges is None:
        return np.zeros((n, n))
    return np.zeros(len(Work.edges) - 1, dtype=np.int64)


def merge(result, i0, part):
    """Adds one task's answer into result (rows for a matrix, counts for a histogram)."""
    if Work.edges is None:
        result[i0:i0 + len(part)] = part
    else:
        result += part


def write_result(np, args, result):
    """The answer in the file the strategy reads."""
    if Work.edges is None:
        write_matrix(np, args.out, result)
    else:
        write_csv(args.out, Work.edges, result)


def main_multiprocessing(description, compute):
    """The whole of a multiprocessing baseline: arguments, points into Work, fork start, then
    compute(np, args, n) timed, and its answer written. Returns the exit status."""
    import multiprocessing
    args = parse_args(description)
    np = require("numpy", "python3-numpy")
    n = setup_work(np, args)
    multiprocessing.set_start_method("fork")
    with Timer(args.time):
        result = compute(np, args, n)
    write_result(np, args, result)
    return 0


def write_seconds(path, seconds):
    """One float in a file (the {time} and {setup} placeholders)."""
    if path:
        with open(path, "w") as f:
            f.write(f"{seconds!r}\n")


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
        if exc[0] is None:
            write_seconds(self.path, time.perf_counter() - self.start)
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


def tree_histogram(np, args, x, edges, count):
    """The tree baselines' shared run: count(x, radii) gives a tree's cumulative ordered-pair
    counts at radii just below each edge; timed (tree build included) into args.time, turned
    into half-open bins by cumulative_bins (zeros for fewer than 2 points) and written to
    args.out."""
    with Timer(args.time):
        if len(x) > 1:
            counts = cumulative_bins(np, count(x, below_edges(np, edges)), len(x), edges)
        else:
            counts = np.zeros(len(edges) - 1, dtype=np.int64)
    write_csv(args.out, edges, counts)
