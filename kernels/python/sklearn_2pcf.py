"""sklearn_2pcf.py — unique-pair counts with scikit-learn's KDTree.two_point_correlation (dual
tree): cumulative counts of ordered pairs (i, j), i == j included, with distance <= r, asked at
r = nextafter(edge, 0) so they count d < edge, turned into unique pairs by (C - n) / 2 and
differenced into half-open bins [e_k, e_k+1). No periodic box (exit 77), histogram output only.
Skipped (exit 77) where python3-sklearn is not installed. The timed part is the tree build plus
the count."""
import sys

import pbcommon


def main():
    args, np, neighbors = pbcommon.start_library(
        __doc__, "sklearn.neighbors", "python3-sklearn", "histogram",
        "sklearn_2pcf.py counts pairs only (histogram output)",
        no_box="sklearn KDTree.two_point_correlation has no periodic (minimum-image) distance")
    x = pbcommon.load_points(np, args.points)
    edges = pbcommon.load_edges(np, args.edges)

    def count(pts, radii):
        return neighbors.KDTree(pts).two_point_correlation(pts, radii, dualtree=True)

    pbcommon.tree_histogram(np, args, x, edges, count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
