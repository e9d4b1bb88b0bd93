"""python_loop.py — the original study's pure Python loop: points as lists of floats, a double
for loop, math.sqrt per pair; every (i, j) of the matrix (a list of lists), or the unique pairs
i<j binned with bisect (half-open bins, as pairbench's). Serial. Needs no third-party module:
the matrix is written as .npy by hand. Minimum-image distances when --box > 0."""
import array
import bisect
import math
import sys

import pbcommon


def load(path):
    """The points as three lists of floats."""
    xs, ys, zs = [], [], []
    with open(path) as f:
        for line in f:
            x, y, z = line.split()
            xs.append(float(x))
            ys.append(float(y))
            zs.append(float(z))
    return xs, ys, zs


def axis(d, box):
    """One separation, minimum-image in a box (pairkern.h's pb_min_image)."""
    d = abs(d)
    return box - d if box > 0 and d > 0.5 * box else d


def matrix(xs, ys, zs, box):
    """Every distance, row by row: the study's loop."""
    n = len(xs)
    rows = []
    for i in range(n):
        row = []
        for j in range(n):
            dx = axis(xs[i] - xs[j], box)
            dy = axis(ys[i] - ys[j], box)
            dz = axis(zs[i] - zs[j], box)
            row.append(math.sqrt(dx * dx + dy * dy + dz * dz))
        rows.append(row)
    return rows


def histogram(xs, ys, zs, box, edges):
    """Counts of the pairs i<j per half-open bin [edges[k], edges[k+1])."""
    counts = [0] * (len(edges) - 1)
    lo, hi, n = edges[0], edges[-1], len(xs)
    for i in range(n):
        for j in range(i + 1, n):
            dx = axis(xs[i] - xs[j], box)
            dy = axis(ys[i] - ys[j], box)
            dz = axis(zs[i] - zs[j], box)
            r = math.sqrt(dx * dx + dy * dy + dz * dz)
            if lo <= r < hi:
                counts[bisect.bisect_right(edges, r) - 1] += 1
    return counts


def save_npy(path, rows):
    """rows as a float64 C-order .npy (format 1.0), without numpy."""
    n = len(rows)
    header = f"{{'descr': '<f8', 'fortran_order': False, 'shape': ({n}, {n}), }}"
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode())
        for row in rows:
            a = array.array("d", row)
            if sys.byteorder != "little":
                a.byteswap()
            f.write(a.tobytes())


def main():
    args = pbcommon.parse_args(__doc__)
    xs, ys, zs = load(args.points)
    if args.output == "matrix":
        with pbcommon.Timer(args.time):
            rows = matrix(xs, ys, zs, args.box)
        save_npy(args.out, rows)
        return 0
    with open(args.edges) as f:
        edges = [float(v) for v in f.read().split()]
    with pbcommon.Timer(args.time):
        counts = histogram(xs, ys, zs, args.box, edges)
    pbcommon.write_csv(args.out, edges, counts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
