/* label.h — the sizes of the names that travel from a config to the results: a strategy's
 * name or label and its parameters string, as the results' fixed-size columns (struct pb_row)
 * hold them. Where a longer one enters (the registry, the config loader) it is refused, never
 * cut. */
#ifndef PAIRBENCH_LABEL_H
#define PAIRBENCH_LABEL_H

/* Bytes a strategy name or label may take, its NUL included: the CSV's strategy column. */
#define PB_LABEL_MAX 64

/* Bytes a canonical "k=v;k=v" parameters string may take, its NUL included: the CSV's params
 * column. */
#define PB_PARAMS_MAX 1024

#endif
