"""pool_map.py — the original study's "Pool.map": multiprocessing.Pool(threads).starmap (map
with a (first, end) row pair per task) over tasks of rows (--tasks: rows = one row per task,
workers = one chunk per worker, or a count), each task's distances computed with numpy in a
worker and returned (pickled) to the parent in input order; the parent keeps the whole list,
then assembles the matrix (numpy.vstack) or sums the counts. Minimum-image distances when
--box > 0. Needs numpy only."""
import multiprocessing
import sys

import pbcommon


def compute(np, args, n):
    """The matrix, or the counts, from Pool.map over the tasks."""
    tasks = pbcommon.task_ranges(n, args.tasks, args.threads)
    with multiprocessing.Pool(max(1, args.threads)) as pool:
        parts = pool.starmap(pbcommon.block_result, tasks, chunksize=1)
    if pbcommon.Work.edges is None:
        return np.vstack([m for _, m in parts]) if parts else np.empty((0, 0))
    return sum((c for _, c in parts), pbcommon.empty_result(np, n))


if __name__ == "__main__":
    sys.exit(pbcommon.main_multiprocessing(__doc__, compute))
