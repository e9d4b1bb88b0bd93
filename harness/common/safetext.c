/* safetext.c — see safetext.h: the one rule for text from outside on its way to a terminal or
 * a results file. */
#include "safetext.h"

#include "fdio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length (1 to 4) of the character at s when it is valid UTF-8 and no control character, else
 * 0. Reads no byte past a NUL (a NUL is no continuation byte). */
static size_t safe_char(const unsigned char *s)
{
    unsigned c = s[0];
    if (c >= 0x20 && c < 0x7f)
        return 1;
    if (c < 0xc2 || c > 0xf4)              /* C0, DEL, stray continuation, overlong, > U+10FFFF */
        return 0;
    size_t n = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((c == 0xc2 && s[1] < 0xa0) ||      /* C1 controls: U+009B is a CSI of its own */
        (c == 0xe0 && s[1] < 0xa0) || (c == 0xf0 && s[1] < 0x90) ||   /* overlong */
        (c == 0xed && s[1] > 0x9f) ||      /* UTF-16 surrogates */
        (c == 0xf4 && s[1] > 0x8f))        /* beyond U+10FFFF */
        return 0;
    return n;
}

int pb_safe_text_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n;
    while (*p && (n = safe_char(p)) > 0)
        p += n;
    return *p == '\0';
}

/* Without memory for the escaped copy: each unsafe byte becomes '?' in place. */
static char *replace_in_place(char *buf)
{
    unsigned char *p = (unsigned char *)buf;
    while (*p) {
        size_t n = safe_char(p);
        if (n == 0)
            *p = '?';
        p += n ? n : 1;
    }
    return buf;
}

char *pb_safe_text(char *buf, size_t size)
{
    if (pb_safe_text_ok(buf))
        return buf;
    size_t len = strlen(buf), o = 0;
    char *tmp = malloc(4 * len + 1);       /* "\xHH" for every byte at worst */
    if (!tmp)
        return replace_in_place(buf);
    for (const unsigned char *s = (const unsigned char *)buf; *s;) {
        size_t n = safe_char(s);
        if (n)
            memcpy(tmp + o, s, n);
        else
            snprintf(tmp + o, 5, "\\x%02x", *s);
        o += n ? n : 4;
        s += n ? n : 1;
    }
    pb_copy_fit(buf, size, tmp, o);
    free(tmp);
    return buf;
}
