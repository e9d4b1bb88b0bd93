"""cdist.py — the full n x n distance matrix with scipy.spatial.distance.cdist(x, x), the
original study's choice, saved as .npy. Matrix output only; no periodic box (cdist has no
minimum-image option), which exits 77 so the row reads skipped."""
import sys

import pbcommon


def main():
    args, np, distance = pbcommon.start_library(
        __doc__, "scipy.spatial.distance", "python3-scipy", "matrix",
        "cdist.py computes the matrix only; use pdist_hist.py for histograms",
        no_box="scipy cdist has no periodic (minimum-image) distance")
    x = pbcommon.load_points(np, args.points)
    with pbcommon.Timer(args.time):
        m = distance.cdist(x, x) if len(x) else np.empty((0, 0))
    pbcommon.write_matrix(np, args.out, m)
    return 0


if __name__ == "__main__":
    sys.exit(main())
