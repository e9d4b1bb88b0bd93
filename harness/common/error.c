/* error.c — the single formatter behind every harness error message, and pb_fit, which marks
 * a text it had to shorten. Both make what they format safe to print (safetext.h): messages
 * and statuses quote file names, config values and the output of strategies and commands. */
#include "error.h"

#include "fdio.h"
#include "safetext.h"

#include <stdio.h>

/* vsnprintf into buf; when the text was longer, its end becomes "…" on a UTF-8 boundary.
 * Then escapes what a terminal or a UTF-8 file must not receive (pb_safe_text). */
static void vfit(char *buf, size_t size, const char *fmt, va_list ap)
{
    int n = vsnprintf(buf, size, fmt, ap);
    if (n >= 0 && (size_t)n >= size && size >= 5)
        pb_copy_fit(buf, size, buf, (size_t)n);   /* the cut text is its own source */
    if (size >= 5)
        pb_safe_text(buf, size);
}

int pb_fail(struct pb_err *e, int code, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vfit(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

char *pb_fit(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfit(buf, size, fmt, ap);
    va_end(ap);
    return buf;
}
