"""ckdtree.py — unique-pair counts with scipy's cKDTree.count_neighbors, a dual-tree counter: the
tree counts every ordered pair (i, j), i == j included, with distance <= r. Asked at
r = nextafter(edge, 0), the largest double below each edge, that is the pairs with d < edge; the
unique pairs below an edge are then (C - n) / 2 (the n self-pairs out, each other pair counted
twice), and differencing consecutive edges gives the half-open bins [e_k, e_k+1) of pairbench.
Periodic boxes use cKDTree's boxsize (minimum image), which needs every point in [0, box): the
generated inputs are; points outside it are refused (exit 77), since pairbench's minimum image
(one shift of the absolute difference) and a wrapped copy would then differ. Histogram output
only (exit 77 for a matrix). The timed part is the tree build plus the count."""
import sys

import pbcommon


def main():
    args, np, spatial = pbcommon.start_library(
        __doc__, "scipy.spatial", "python3-scipy", "histogram",
        "ckdtree.py counts pairs only (histogram output)")
    x = pbcommon.load_points(np, args.points)
    edges = pbcommon.load_edges(np, args.edges)
    if args.box > 0 and len(x) and (x.min() < 0 or x.max() >= args.box):
        pbcommon.refuse(f"cKDTree's periodic box needs points in [0, {args.box:g}); these span "
                        f"[{x.min():g}, {x.max():g}]")

    def count(pts, radii):
        tree = spatial.cKDTree(pts, boxsize=args.box or None)
        return tree.count_neighbors(tree, radii)

    pbcommon.tree_histogram(np, args, x, edges, count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
