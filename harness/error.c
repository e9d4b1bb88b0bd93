/* error.c — the single formatter behind every harness error message. */
#include "error.h"

#include <stdio.h>

int pb_fail(struct pb_err *e, int code, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}
