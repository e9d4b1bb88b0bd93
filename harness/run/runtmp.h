/* runtmp.h — the temporary state of runs, for runner.c: each run's private folder
 * "pb-run-PID-XXXXXX" under pb_runner_tmp_root(), its removal with the POSIX shared-memory
 * objects the run made, and the last line of the run's output kept there. What killed
 * harnesses left behind is removed by pb_runner_clean_stale (runner.h), defined here. */
#ifndef PAIRBENCH_RUNTMP_H
#define PAIRBENCH_RUNTMP_H

#include "memory.h"

#include <stddef.h>

/* Makes the private directory "pb-run-PID-XXXXXX" under pb_runner_tmp_root(), PID the
 * harness's, into dir (size bytes), and holds an flock on its ".owner" file (into *owner_fd;
 * -1 when it could not be made) while the run lasts, so a later sweep can tell the leftovers
 * of a dead one (pb_runner_clean_stale), even from another pid namespace sharing the folder.
 * Returns 0 or -errno. */
int pb_runtmp_make(char *dir, size_t size, int *owner_fd);

/* Removes the run's directory tree tmpdir and its POSIX shared-memory objects: those named
 * after tmpdir's base name, and the registration files the LLVM OpenMP runtime makes per
 * process of the run (the processes mem saw). */
void pb_runtmp_remove(const char *tmpdir, const struct pb_memory_sampler *mem);

/* The last non-empty line of the run's output file (tmpdir/output.log), trimmed to fit tail
 * (size bytes). */
void pb_runtmp_tail(const char *tmpdir, char *tail, size_t size);

#endif
