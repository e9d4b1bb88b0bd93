"""process_queue.py — the original study's "Process": one multiprocessing.Process per worker,
worker w taking tasks w, w+threads, ... of the rows (--tasks: rows = one row per task, workers
= one chunk per worker, or a count) and putting each (first row, answer) on one Queue; the
parent takes as many answers as there were tasks, in whatever order they come, writes each into
the preallocated matrix (or adds it to the counts), then joins the workers. Memory and output
are the script's own business, as the study says. Minimum-image distances when --box > 0.
Needs numpy only."""
import multiprocessing
import sys

import pbcommon


def worker(queue, tasks):
    """Computes each task and puts its (i0, answer) on the queue; a failure is put there too
    (as (None, message)) so the parent does not wait for answers that will never come."""
    try:
        for i0, i1 in tasks:
            queue.put(pbcommon.block_result(i0, i1))
    except Exception as exc:      # reported by the parent, which exits non-zero
        queue.put((None, repr(exc)))


def compute(np, args, n):
    """The matrix, or the counts, from threads Processes and one result Queue."""
    tasks = pbcommon.task_ranges(n, args.tasks, args.threads)
    workers = max(1, min(args.threads, len(tasks)))
    queue = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=worker, args=(queue, tasks[w::workers]))
             for w in range(workers)]
    for p in procs:
        p.start()
    result = pbcommon.empty_result(np, n)
    for _ in tasks:
        i0, part = queue.get()
        if i0 is None:
            raise RuntimeError(f"a worker failed: {part}")
        pbcommon.merge(result, i0, part)
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise RuntimeError(f"worker {p.name} exited {p.exitcode}")
    return result


if __name__ == "__main__":
    sys.exit(pbcommon.main_multiprocessing(__doc__, compute))
