"""pool_async.py — the original study's "apply_async": one Pool.apply_async per task of rows
(--tasks: rows = one row per task, workers = one chunk per worker, or a count), the handles
kept and each result collected with get() in submission order, written into the preallocated
matrix (or added to the counts) and dropped. The pool finishes tasks in any order; get() gives
them back in order, and results that arrive early wait in the parent. Minimum-image distances
when --box > 0. Needs numpy only."""
import multiprocessing
import sys

import pbcommon


def compute(np, args, n):
    """The matrix, or the counts, from apply_async per task and get() in order."""
    result = pbcommon.empty_result(np, n)
    with multiprocessing.Pool(max(1, args.threads)) as pool:
        handles = [pool.apply_async(pbcommon.block_result, t)
                   for t in pbcommon.task_ranges(n, args.tasks, args.threads)]
        for h in handles:
            pbcommon.merge(result, *h.get())
    return result


if __name__ == "__main__":
    sys.exit(pbcommon.main_multiprocessing(__doc__, compute))
