/* jsonpos.h — where a value sits in a JSON text. jansson keeps no positions for values, so
 * config errors find their line:col again by scanning the raw text along a path. */
#ifndef PAIRBENCH_JSONPOS_H
#define PAIRBENCH_JSONPOS_H

#include <stddef.h>

/* Finds the value at path in text (len bytes, already accepted by a JSON parser). A path is
 * "" for the root, or keys and indexes like "strategies[1].transport" or "output.bins.min".
 * With want_key set, the position is that of the last key's opening quote instead of its value.
 * Writes a 1-based line and column (column counted in UTF-8 characters). Returns 0, or -ENOENT
 * when the path is not in the text (then line and col are left alone). */
int pb_jsonpos_find(const char *text, size_t len, const char *path, int want_key,
                    int *line, int *col);

/* The 1-based line and column of byte offset off in text. */
void pb_jsonpos_linecol(const char *text, size_t off, int *line, int *col);

#endif
