/* safetext.h — text that comes from outside the program (a command's output and last stderr
 * line, a strategy's or plugin's note, a file name, a config value quoted in a message) made
 * safe to print on a terminal and to store in a results file: no escape sequence reaches a
 * terminal, and NAME.csv, NAME.html and every message stay valid UTF-8. Every such text enters
 * through pb_fail or pb_fit (error.h), which apply it, or through pb_safe_text directly. */
#ifndef PAIRBENCH_SAFETEXT_H
#define PAIRBENCH_SAFETEXT_H

#include <stddef.h>

/* Rewrites the NUL-terminated text in buf (size >= 5 bytes) so that it is valid UTF-8 without
 * control characters: each byte of an invalid, overlong or surrogate UTF-8 sequence, each C0
 * control (tab, newline and ESC included), DEL and each C1 control (U+0080 to U+009F) becomes
 * "\xHH", byte by byte; everything else is kept. A result that no longer fits is cut on a
 * character boundary and ends with "…" (pb_copy_fit). Applying it twice changes nothing more.
 * Returns buf. */
char *pb_safe_text(char *buf, size_t size);

/* 1 when the NUL-terminated text s needs no change by pb_safe_text, else 0. */
int pb_safe_text_ok(const char *s);

#endif
