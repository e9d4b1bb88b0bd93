/* history.h — result sets that accumulate: `bench --history` writes each sweep of config NAME
 * into a run folder of its own, DIR/NAME/<UTC time>/ (e.g. results/scaling/2026-12-07T23-40-12Z/,
 * "-2", "-3"... appended when two start in the same second), so a later sweep never replaces an
 * earlier one; DIR/NAME/latest is a symbolic link to the newest run that finished. Run folders
 * are named so that their names sort as their start times. It never prints. */
#ifndef PAIRBENCH_HISTORY_H
#define PAIRBENCH_HISTORY_H

#include "error.h"

#include <stddef.h>

#define PB_HISTORY_LATEST "latest"

/* Creates DIR, DIR/NAME when missing, then a new run folder in DIR/NAME named after the UTC
 * time now, claimed by mkdir (never one that exists). Writes its path ("DIR/NAME/STAMP") into
 * run. Returns 0, or -errno with err naming the folder. */
int pb_history_new_run(const char *dir, const char *name, char *run, size_t size,
                       struct pb_err *err);

/* The newest run folder of set (a DIR/NAME folder) that holds CSV csv_name ("NAME.csv"; NULL:
 * any run folder) and whose name sorts before `before` (NULL: no bound): its path "SET/STAMP"
 * into run. Returns 1 when found, 0 when there is none, -errno when set cannot be read. */
int pb_history_newest(const char *set, const char *csv_name, const char *before, char *run,
                      size_t size);

/* Points set/latest at the run folder named stamp (a relative link), atomically: a link made
 * under a temporary name is renamed over the old one. Returns 0, or -errno with err. */
int pb_history_mark_latest(const char *set, const char *stamp, struct pb_err *err);

/* The run that set/latest names, as "SET/STAMP" into run. Returns 1 when the link names an
 * existing run folder, 0 when there is no such link, -errno otherwise. */
int pb_history_latest(const char *set, char *run, size_t size);

/* Removes run folder run ("SET/STAMP") when the sweep left nothing in it but its lock file
 * .NAME.lock (a sweep refused before its first row), and SET when that leaves it empty.
 * Returns 0 when run was removed, -errno when not. */
int pb_history_drop_empty(const char *run, const char *name);

/* Whether base is a run folder's name (YYYY-MM-DDTHH-MM-SSZ, optionally "-K"). */
int pb_history_is_stamp(const char *base);

#endif
