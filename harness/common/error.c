/* error.c — the single formatter behind every harness error message, and pb_fit, which marks
 * a text it had to shorten. */
#include "error.h"

#include <stdio.h>
#include <string.h>

/* vsnprintf into buf; when the text was longer, its end becomes "…" on a UTF-8 boundary. */
static void vfit(char *buf, size_t size, const char *fmt, va_list ap)
{
    int n = vsnprintf(buf, size, fmt, ap);
    if (n < 0 || (size_t)n < size || size < 5)
        return;
    size_t end = size - 4;                 /* room for the 3 bytes of U+2026 and the NUL */
    while (end > 0 && ((unsigned char)buf[end] & 0xC0) == 0x80)
        end--;                             /* never split a multi-byte character */
    memcpy(buf + end, "\xE2\x80\xA6", 4);  /* "…" and its NUL */
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
