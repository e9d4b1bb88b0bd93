/* edges.h — explicit bin edges read from text: a comma-separated list ("0,1,2.5,10") or a file.
 *
 * A file holds either one edge per line, or one bin per line as "lo hi" (Corrfunc's bin file),
 * whichever its first data line shows; every line after it must have the same shape. Numbers
 * are separated by spaces, tabs or commas; blank lines and lines starting with '#' are skipped.
 * In a bin file consecutive bins must touch: each lo equals the hi of the line before, exactly.
 *
 * Every edge must be a finite number >= 0, the edges strictly increasing, and there must be at
 * least 2 and at most max_edges of them. Errors name the place: "FILE:LINE: ..." for a file,
 * "LABEL: edges[K]: ..." for a list. The edges are used exactly as read (strtod). */
#ifndef PAIRBENCH_EDGES_H
#define PAIRBENCH_EDGES_H

#include "error.h"

#include <stddef.h>

/* Parses the list text (at least one comma) into *edges (malloc'd, the caller frees it) and
 * *n; label prefixes messages. Returns 0, -EINVAL with err, or -ENOMEM. */
int pb_edges_parse_list(const char *text, const char *label, size_t max_edges, double **edges,
                        size_t *n, struct pb_err *err);

/* Reads the edges file at path into *edges (malloc'd, the caller frees it) and *n. Returns 0,
 * -errno when the file cannot be read, -EINVAL for bad contents (err says where), or -ENOMEM. */
int pb_edges_read_file(const char *path, size_t max_edges, double **edges, size_t *n,
                       struct pb_err *err);

#endif
