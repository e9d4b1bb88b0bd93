/* jsonpos.c — a small scanner over JSON text that walks a path of keys and indexes to the
 * byte offset of a value. It trusts that jansson accepted the text already, so it checks
 * nothing beyond what it needs to stay inside the buffer. */
#include "jsonpos.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct scan {
    const char *s;                   /* the text */
    size_t len;                      /* its length in bytes */
    size_t pos;                      /* current offset */
};

/* One step of a path: a key (name, klen) or an index (key NULL). */
struct step {
    const char *key;                 /* points into the path; NULL for an index */
    size_t klen;
    size_t index;
};

/* Moves past JSON whitespace. */
static void skip_ws(struct scan *sc)
{
    while (sc->pos < sc->len && strchr(" \t\r\n", sc->s[sc->pos]) && sc->s[sc->pos])
        sc->pos++;
}

/* Moves past a string whose opening quote is at pos. */
static void skip_string(struct scan *sc)
{
    sc->pos++;
    while (sc->pos < sc->len && sc->s[sc->pos] != '"')
        sc->pos += sc->s[sc->pos] == '\\' ? 2 : 1;
    if (sc->pos < sc->len)
        sc->pos++;
}

/* Moves past one value of any kind: a scalar ends at the first delimiter, a string at its
 * closing quote, a container at its matching bracket (brackets inside strings skipped). */
static void skip_value(struct scan *sc)
{
    int depth = 0;
    while (sc->pos < sc->len) {
        char c = sc->s[sc->pos];
        if (c == '"') {
            skip_string(sc);
            if (depth == 0)
                return;
            continue;
        }
        if (depth == 0 && (c == '\0' || strchr(",:]} \t\r\n", c)))
            return;
        int was = depth;
        depth += (c == '{' || c == '[') - (c == '}' || c == ']');
        sc->pos++;
        if (was > 0 && depth == 0)
            return;                  /* the container closed */
    }
}

/* Reads the next step of path starting at *p; returns 0, 1 at the end, -EINVAL if malformed. */
static int next_step(const char **p, struct step *st)
{
    if (**p == '\0')
        return 1;
    if (**p == '.')
        (*p)++;
    if (**p == '[') {
        char *end;
        st->key = NULL;
        st->index = strtoul(*p + 1, &end, 10);
        if (*end != ']')
            return -EINVAL;
        *p = end + 1;
        return 0;
    }
    st->key = *p;
    st->klen = strcspn(*p, ".[");
    *p += st->klen;
    return st->klen ? 0 : -EINVAL;
}

/* With pos on a value of an object or array, moves past it and its ',' onto the next item.
 * Returns 0, or -ENOENT when no ',' follows (the value was the last). */
static int skip_item(struct scan *sc)
{
    skip_value(sc);
    skip_ws(sc);
    if (sc->pos >= sc->len || sc->s[sc->pos] != ',')
        return -ENOENT;
    sc->pos++;
    return 0;
}

/* With pos on a '{', leaves pos on the value of key (or on its quote when want_key).
 * Returns 0 or -ENOENT. */
static int enter_key(struct scan *sc, const struct step *st, int want_key)
{
    sc->pos++;
    for (;;) {
        skip_ws(sc);
        if (sc->pos >= sc->len || sc->s[sc->pos] != '"')
            return -ENOENT;
        size_t kpos = sc->pos;
        skip_string(sc);
        int match = sc->pos - kpos - 2 == st->klen &&
                    memcmp(sc->s + kpos + 1, st->key, st->klen) == 0;
        skip_ws(sc);
        sc->pos++;                   /* the ':' */
        skip_ws(sc);
        if (match) {
            if (want_key)
                sc->pos = kpos;
            return 0;
        }
        if (skip_item(sc))
            return -ENOENT;
    }
}

/* With pos on a '[', leaves pos on element st->index. Returns 0 or -ENOENT. */
static int enter_index(struct scan *sc, const struct step *st)
{
    sc->pos++;
    for (size_t i = 0;; i++) {
        skip_ws(sc);
        if (sc->pos >= sc->len || sc->s[sc->pos] == ']')
            return -ENOENT;
        if (i == st->index)
            return 0;
        if (skip_item(sc))
            return -ENOENT;
    }
}

void pb_jsonpos_linecol(const char *text, size_t off, int *line, int *col)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < off && text[i]; i++) {
        unsigned char b = (unsigned char)text[i];
        if (b == '\n') {
            l++;
            c = 1;
        } else if ((b & 0xC0) != 0x80) {
            c++;                     /* continuation bytes belong to the previous character */
        }
    }
    *line = l;
    *col = c;
}

int pb_jsonpos_find(const char *text, size_t len, const char *path, int want_key,
                    int *line, int *col)
{
    struct scan sc = { .s = text, .len = len, .pos = 0 };
    struct step st;
    int rc;
    skip_ws(&sc);
    while ((rc = next_step(&path, &st)) == 0) {
        if (sc.pos >= len)
            return -ENOENT;
        int last = *path == '\0';
        if (st.key && text[sc.pos] == '{')
            rc = enter_key(&sc, &st, want_key && last);
        else if (!st.key && text[sc.pos] == '[')
            rc = enter_index(&sc, &st);
        else
            rc = -ENOENT;
        if (rc)
            return rc;
    }
    if (rc < 0 || sc.pos > len)
        return -ENOENT;
    pb_jsonpos_linecol(text, sc.pos, line, col);
    return 0;
}
