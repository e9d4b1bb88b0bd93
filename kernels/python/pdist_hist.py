"""pdist_hist.py — unique-pair counts the Python way: scipy.spatial.distance.pdist (every i<j
distance, n(n-1)/2 doubles in memory) then numpy.histogram over the given edges, its closed last
bin made half-open like pairbench's. Histogram output only; no periodic box (exit 77)."""
import sys

import pbcommon


def main():
    args, np, distance = pbcommon.start_library(
        __doc__, "scipy.spatial.distance", "python3-scipy", "histogram",
        "pdist_hist.py computes histograms only; use cdist.py for the matrix",
        no_box="scipy pdist has no periodic (minimum-image) distance")
    x = pbcommon.load_points(np, args.points)
    edges = pbcommon.load_edges(np, args.edges)
    with pbcommon.Timer(args.time):
        d = distance.pdist(x) if len(x) > 1 else np.empty(0)
        counts = pbcommon.half_open_counts(np, d, edges)
    pbcommon.write_csv(args.out, edges, counts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
