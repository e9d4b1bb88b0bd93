"""cdist.py — the full n x n distance matrix with scipy.spatial.distance.cdist(x, x), the
original study's choice, saved as .npy. Matrix output only; no periodic box (cdist has no
minimum-image option), which exits 77 so the row reads skipped."""
import sys

import pbcommon


def main():
    args = pbcommon.parse_args(__doc__)
    np = pbcommon.require("numpy", "python3-numpy")
    distance = pbcommon.require("scipy.spatial.distance", "python3-scipy")
    if args.output != "matrix":
        pbcommon.refuse("cdist.py computes the matrix only; use pdist_hist.py for histograms")
    if args.box > 0:
        pbcommon.refuse("scipy cdist has no periodic (minimum-image) distance")
    x = pbcommon.load_points(np, args.points)
    with pbcommon.Timer(args.time):
        m = distance.cdist(x, x) if len(x) else np.empty((0, 0))
    pbcommon.write_matrix(np, args.out, m)
    return 0


if __name__ == "__main__":
    sys.exit(main())
