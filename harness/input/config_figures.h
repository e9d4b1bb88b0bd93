/* config_figures.h — the config's "figures" section, parsed in config_figures.c for config.c
 * (and, from a result set's NAME.json, for the figures drawn again by `bench plot`). */
#ifndef PAIRBENCH_CONFIG_FIGURES_H
#define PAIRBENCH_CONFIG_FIGURES_H

#include "config_check.h"

/* "figures" of root into c->e->figures: at most the schema's count of objects, each with a
 * distinct name that is no built-in figure's, a quantity, and series among c->e's strategy
 * labels (unchecked when c->e has no strategies). Returns 0 or a negative errno with the
 * message in c. */
int cfg_parse_figures(struct cfg *c, json_t *root);

#endif
