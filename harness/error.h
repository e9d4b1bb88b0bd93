/* error.h — how harness modules report what went wrong without printing: they fill a pb_err
 * and return a negative errno; only main and runner print. */
#ifndef PAIRBENCH_ERROR_H
#define PAIRBENCH_ERROR_H

#include <stdarg.h>

struct pb_err {
    char msg[1024];                  /* one line, "where: what", no trailing newline */
};

/* Formats the message into e (when e is non-NULL) and returns code, so callers can write
 * `return pb_fail(e, -EINVAL, "%s:%d:%d: sizes[2]: ...", ...)`. */
int pb_fail(struct pb_err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
