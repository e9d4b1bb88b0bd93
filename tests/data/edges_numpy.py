#!/usr/bin/python3
"""Writes tests/data/edges_numpy.txt: bin edges as NumPy makes them, which pb_edges_make
(harness/input/problem.c) must equal bit for bit (tests/harness/input/test_problem.c).

Run once with Debian's /usr/bin/python3 and numpy: /usr/bin/python3 tests/data/edges_numpy.py.
numpy.linspace is plain IEEE arithmetic and gives the same doubles everywhere. numpy.geomspace
calls numpy's log10 and power: on a CPU with AVX-512, numpy 1.24 dispatches its own (SVML)
loops, which differ from the C library's log10 and pow in the last bit for some inputs; the
AVX-512 loops are switched off below so that numpy calls the C library (glibc), as it does on
CPUs without AVX-512 and as pairbench does.

One case per line: "linear|log LO HI COUNT" then the COUNT+1 edges, every double as a C99 hex
float (float.hex), which strtod reads back exactly.
"""
import os

os.environ["NPY_DISABLE_CPU_FEATURES"] = "AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL"
import random  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402


def cases():
    """(scale, lo, hi, count): round numbers users write, then seeded random ones."""
    for lo, hi in [(0, 25), (0, 1), (0, 100), (0, 1750), (0.1, 1750), (0, 0.3), (1, 10),
                   (0.5, 50), (2, 200), (0, 150), (5, 55), (0, 2.5)]:
        for count in (1, 3, 7, 10, 20, 25, 32, 49, 100):
            yield "linear", float(lo), float(hi), count
    for lo, hi in [(1, 1e5), (0.5, 50), (0.1, 150), (1, 1500), (0.01, 100), (1e-3, 1),
                   (2, 2000), (0.5, 200), (3, 30)]:
        for count in (1, 5, 6, 10, 20, 21, 30, 32, 64):
            yield "log", float(lo), float(hi), count
    rng = random.Random(20261207)
    for _ in range(60):
        lo = rng.choice([0.0, rng.uniform(0, 10), float(rng.randint(0, 50))])
        hi = lo + rng.choice([rng.uniform(1e-3, 1e4), float(rng.randint(1, 3000))])
        yield "linear", lo, hi, rng.randint(1, 64)
    for _ in range(60):
        lo = rng.choice([rng.uniform(1e-4, 10), float(rng.randint(1, 50))])
        hi = lo * rng.choice([rng.uniform(1.01, 1e5), float(rng.randint(2, 1000))])
        yield "log", lo, hi, rng.randint(1, 64)


def main():
    out = sys.stdout
    out.write("# made by tests/data/edges_numpy.py (see there) with numpy %s\n" % np.__version__)
    for scale, lo, hi, count in cases():
        make = np.linspace if scale == "linear" else np.geomspace
        edges = make(lo, hi, count + 1)
        out.write(" ".join([scale, lo.hex(), hi.hex(), str(count)] +
                           [float(e).hex() for e in edges]) + "\n")


if __name__ == "__main__":
    main()
