/* error.h — how harness modules report what went wrong without printing: they fill a pb_err
 * and return a negative errno; callers pass it up to a command in harness/cli, which prints
 * it (or, for what does not stop the command, write it as a warning on the stream they were
 * given). Only harness/cli writes to stdout and stderr. Other modules write to files they
 * create (CSVs, JSON, HTML, gnuplot scripts) or to a FILE* the command hands them: the
 * warnings of sweep.c and summary.c go to the `warn` stream (stderr), the compare table and
 * the limits report to stdout. The runner prints nothing: it sends each run's stdout and
 * stderr to a file and keeps its last line (pb_file_last_line). */
#ifndef PAIRBENCH_ERROR_H
#define PAIRBENCH_ERROR_H

#include "safetext.h"

#include <stdarg.h>
#include <stddef.h>

struct pb_err {
    char msg[1024];                  /* one line, "where: what", no trailing newline */
};

/* Formats the message into e (when e is non-NULL; a message longer than e->msg ends with "…",
 * as pb_fit) and returns code, so callers can write
 * `return pb_fail(e, -EINVAL, "%s:%d:%d: sizes[2]: ...", ...)`. */
int pb_fail(struct pb_err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Formats into buf (size > 4 bytes) like snprintf, but a text that does not fit ends with
 * "…" (U+2026), cut on a UTF-8 character boundary, so that a shortened status or message says
 * it was shortened. Returns buf. */
char *pb_fit(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
