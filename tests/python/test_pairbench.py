#!/usr/bin/python3
"""test_pairbench.py BENCH BUILD_DIR [--installed CMAKE] — the Python package pairbench gives
the counts `bench compute` saves for the same points (uniform and a periodic box; linear, log
and explicit edges; float64 C- and F-order, strided, float32; several strategies and auto), its
edges are NumPy's, bad input raises pairbench.Error with the harness's message, and counts run
from several threads at once. Without --installed it imports the package from the build tree
(BUILD_DIR/python); with it, it installs the build into a scratch prefix with `CMAKE --install
BUILD_DIR --prefix` and runs the same checks on the installed package, which must load the
installed library."""
import os

# numpy 1.24 computes geomspace with its own AVX-512 log10/pow on CPUs that have them, which
# differ from the C library's (and bench's) in the last bit: compare with the C library's.
os.environ["NPY_DISABLE_CPU_FEATURES"] = \
    "AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL"
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402

import numpy as np  # noqa: E402

BENCH, BUILD = sys.argv[1], sys.argv[2]
TMP = tempfile.mkdtemp(prefix="pbt-python-")
failures = []


def check(ok, what):
    """Records what as a failure unless ok."""
    if not ok:
        failures.append(what)
        print("FAIL:", what, flush=True)


def import_package():
    """pairbench from the build tree, or installed into TMP/prefix with --installed."""
    if "--installed" in sys.argv:
        cmake = sys.argv[sys.argv.index("--installed") + 1]
        prefix = os.path.join(TMP, "prefix")
        subprocess.run([cmake, "--install", BUILD, "--prefix", prefix], check=True,
                       stdout=subprocess.DEVNULL)
        sys.path.insert(0, os.path.join(prefix, "lib", "python3", "dist-packages"))
    else:
        sys.path.insert(0, os.path.join(BUILD, "python"))
        prefix = os.path.join(BUILD, "python")
    os.environ.pop("PAIRBENCH_LIB", None)
    import pairbench
    check(os.path.realpath(pairbench.LIBRARY).startswith(os.path.realpath(prefix)),
          f"library {pairbench.LIBRARY} is not under {prefix}")
    check(os.path.realpath(pairbench.__file__).startswith(os.path.realpath(prefix)),
          f"package {pairbench.__file__} is not under {prefix}")
    return pairbench


pb = import_package()


def bench_counts(points, edge_args, strategy, box=None):
    """The counts and edges `bench compute` saves for points (saved as .npy)."""
    src = os.path.join(TMP, "points.npy")
    out = os.path.join(TMP, "counts.csv")
    np.save(src, points)
    cmd = [BENCH, "compute", "--points", src, "--output", "histogram", "--save", out,
           "--force", "--strategy", strategy, "--threads", "2"] + edge_args
    if box:
        cmd += ["--box", repr(box)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    table = np.loadtxt(out, delimiter=",", skiprows=1, comments="#", ndmin=2)
    edges = np.append(table[:, 0], table[-1, 1])
    return table[:, 2].astype(np.uint64), edges


rng = np.random.default_rng(2024)
UNIFORM = rng.uniform(0, 100, (1500, 3))
WRAPPED = rng.uniform(-30, 130, (1500, 3))        # a periodic box of 100: many wrap
EDGES = {
    "linear": (["--bins", "0,30,12"], pb.edges(0, 30, 12)),
    "log": (["--bins", "0.5,40,10,log"], pb.edges(0.5, 40, 10, log=True)),
    "explicit": (["--edges", "0,1.5,4,10,25,60"], [0, 1.5, 4, 10, 25, 60]),
}


def layouts(p):
    """The same points in each layout count() takes, and the points each one holds."""
    yield "C float64", p, p
    yield "F float64", np.asfortranarray(p), p
    yield "strided", np.concatenate([p, p], axis=1)[::2, ::2], p[::2]
    f4 = p.astype(np.float32)
    yield "float32", f4, f4
    yield "F float32", np.asfortranarray(f4), f4


def test_counts():
    """count() equals bench compute for every layout, edges kind and strategy, open and
    periodic; the input array is left as it was (wrapping happens on a copy)."""
    for box, pts in ((None, UNIFORM), (100.0, WRAPPED)):
        for kind, (args, edges) in EDGES.items():
            for strategy in ("auto", "naive", "grid", "kdtree", "pthread-async", "blocked"):
                for name, arr, held in layouts(pts):
                    if name != "C float64" and strategy not in ("auto", "grid"):
                        continue
                    want, want_edges = bench_counts(held, args, strategy, box)
                    before = arr.copy()
                    h = pb.count(arr, edges, strategy=strategy, threads=2, box=box)
                    what = f"{strategy} {kind} {name} box={box}"
                    check(h.counts.dtype == np.uint64, f"{what}: dtype {h.counts.dtype}")
                    check(np.array_equal(h.counts, want), f"{what}: {h.counts} != {want}")
                    check(np.array_equal(h.edges, want_edges), f"{what}: edges differ")
                    check(np.array_equal(arr, before), f"{what}: the input changed")
                    check(strategy == "auto" or h.strategy == strategy, f"{what}: {h.strategy}")


def test_auto_and_info():
    """auto chooses as bench compute does and says why; a serial strategy reports 1 thread."""
    h = pb.count(UNIFORM, pb.edges(0, 10, 5), threads=2)
    check(h.strategy == "grid" and "below 50%" in h.why, f"auto: {h.strategy}: {h.why}")
    h = pb.count(UNIFORM, pb.edges(0, 200, 5), threads=1)
    check(h.strategy == "blocked" and "not below" in h.why, f"auto 1 thread: {h.strategy}")
    h = pb.count(UNIFORM, pb.edges(0, 10, 5), strategy="naive", threads=4)
    check(h.threads == 1 and h.why == "", f"naive: threads {h.threads}, why {h.why!r}")
    h = pb.count(UNIFORM, pb.edges(0, 10, 5), strategy="grid", params={"refine": "3"})
    check(h.counts.sum() > 0, "grid with a parameter counted nothing")


def test_edges():
    """edges() is numpy.linspace / numpy.geomspace bit for bit."""
    for lo, hi, n in ((0, 25, 7), (0, 1750, 32), (0.1, 150, 49), (5, 55, 3)):
        check(np.array_equal(pb.edges(lo, hi, n), np.linspace(lo, hi, n + 1)),
              f"linspace({lo}, {hi}, {n + 1})")
    for lo, hi, n in ((0.1, 150, 49), (1, 1e5, 20), (0.5, 50, 10)):
        check(np.array_equal(pb.edges(lo, hi, n, log=True), np.geomspace(lo, hi, n + 1)),
              f"geomspace({lo}, {hi}, {n + 1})")


def raises(exc, text, fn, *args, **kw):
    """fn(*args, **kw) raises exc whose message contains text."""
    try:
        fn(*args, **kw)
    except exc as e:
        check(text in str(e), f"message {str(e)!r} lacks {text!r}")
        return
    except Exception as e:  # noqa: BLE001
        check(False, f"{fn.__name__}{args!r}: {type(e).__name__} {e}, expected {exc.__name__}")
        return
    check(False, f"{fn.__name__}: no {exc.__name__} for {text!r}")


def test_errors():
    """Bad input raises pairbench.Error (a ValueError) naming what is wrong."""
    e = pb.edges(0, 10, 4)
    bad = UNIFORM.copy()
    bad[7, 1] = np.nan
    check(issubclass(pb.Error, ValueError), "Error is not a ValueError")
    raises(pb.Error, "points: expected shape (n, 3), got (1500, 2)", pb.count, UNIFORM[:, :2], e)
    raises(pb.Error, "points: dtype int64 is not float64 or float32", pb.count,
           UNIFORM.astype(np.int64), e)
    raises(pb.Error, "points: point 7 (0-based), y: not a finite number: nan", pb.count, bad, e)
    raises(pb.Error, "unknown strategy 'nope' (known: blocked,", pb.count, UNIFORM, e,
           strategy="nope")
    raises(pb.Unsupported, "exec runs an external program: it cannot run inside this process",
           pb.count, UNIFORM, e, strategy="exec")
    raises(pb.Unsupported, "mpi runs as a distributed program", pb.count, UNIFORM, e,
           strategy="mpi")
    raises(pb.Error, "params: grid has no parameter 'bogus'", pb.count, UNIFORM, e,
           strategy="grid", params={"bogus": 1})
    raises(pb.Error, "strategy auto chooses the strategy", pb.count, UNIFORM, e,
           params={"refine": 3})
    raises(pb.Error, "edges[2]: 1 is not above the edge before it (2)", pb.count, UNIFORM,
           [0, 2, 1])
    raises(pb.Error, "edges: expected from 2 to 1000001 edges, got 1", pb.count, UNIFORM, [1])
    raises(pb.Error, "edges[0]: -1 is not a finite number >= 0", pb.count, UNIFORM, [-1, 1])
    raises(pb.Error, "edges: need finite 0 <= MIN < MAX", pb.edges, 5, 1, 3)
    raises(pb.Error, "MIN > 0 for log bins", pb.edges, 0, 1, 3, log=True)
    raises(pb.Error, "the count must be from 1 to 1000000", pb.edges, 0, 1, 0)
    raises(pb.Error, "threads: expected from 1 to 4096, got 0", pb.count, UNIFORM, e, threads=0)
    raises(pb.Error, "box: expected a positive number", pb.count, UNIFORM, e, box=-1)
    names = {s.name: s for s in pb.strategies()}
    check("grid" in names and names["grid"].in_process, "grid missing or not in process")
    check("exec" in names and not names["exec"].in_process, "exec listed as in process")


def test_threads():
    """Counts from four Python threads at once equal the serial answer (the library keeps no
    shared state; ctypes releases the GIL for each call)."""
    e = pb.edges(0.5, 30, 8, log=True)
    want = pb.count(UNIFORM, e, strategy="grid", threads=1).counts
    got = [None] * 4

    def run(i):
        got[i] = pb.count(UNIFORM, e, strategy=("grid", "kdtree", "openmp", "auto")[i],
                          threads=2).counts
    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(4):
        check(got[i] is not None and np.array_equal(got[i], want), f"thread {i}: {got[i]}")


def test_docs_example():
    """The Python blocks of docs/python.md run as written (in a scratch folder, with this
    package) and print the strategy line and one line per bin."""
    doc = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs",
                       "python.md")
    blocks, block = [], None
    with open(doc, encoding="utf-8") as f:
        for line in f:
            if block is None and line.startswith("```python"):
                block = []
            elif block is not None and line.startswith("```"):
                blocks.append("".join(block))
                block = None
            elif block is not None:
                block.append(line)
    check(len(blocks) == 1, f"docs/python.md: {len(blocks)} python blocks, expected 1")
    work = os.path.join(TMP, "docs")
    os.makedirs(work, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(pb.__file__)))
    r = subprocess.run([sys.executable, "-c", "\n".join(blocks)], cwd=work, env=env,
                       capture_output=True, text=True)
    check(r.returncode == 0, f"docs/python.md example failed: {r.stderr[-2000:]}")
    lines = r.stdout.splitlines()
    check(len(lines) == 16 and lines[0].startswith("strategy grid"),
          f"docs/python.md example printed {r.stdout!r}")


for test in (test_counts, test_auto_and_info, test_edges, test_errors, test_threads,
             test_docs_example):
    test()
    print(test.__name__, "done", flush=True)
subprocess.run(["rm", "-rf", TMP], check=False)
if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("all passed")
