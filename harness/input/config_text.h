/* config_text.h — a config file's bytes, read and parsed into a JSON document (config_text.c),
 * for config.c: the file must be a regular file of at most 4 MiB of UTF-8 text holding one JSON
 * object without duplicate keys. Used by config.c only. */
#ifndef PAIRBENCH_CONFIG_TEXT_H
#define PAIRBENCH_CONFIG_TEXT_H

#include "config_check.h"

/* Reads the file c->path into c->e->text, c->text and c->len, then parses it into *root (the
 * caller releases it with json_decref). Returns 0, or -EINVAL (-errno for I/O) with one
 * message in c->err naming the file and, for bad bytes or JSON, the line and column. */
int cfg_read_text(struct cfg *c, json_t **root);

#endif
