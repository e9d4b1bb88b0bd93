/* exec-check.h — what the config loader asks of the exec strategies before anything runs:
 * that a command template is complete and well formed, so a mistake is a config error (exit 2,
 * nothing written) instead of a failed row per run. Defined in kernels/exec.c. */
#ifndef PAIRBENCH_EXEC_CHECK_H
#define PAIRBENCH_EXEC_CHECK_H

#include "strategy.h"

#include <stddef.h>

/* When s is exec or exec-parallel, checks its command template (NULL or "" = missing):
 * non-empty, only known placeholders, every '{' closed, {threads} only for exec-parallel.
 * Returns 0 (also for any other strategy) or -EINVAL with the reason in why. */
int pb_exec_check_command(const struct pb_strategy *s, const char *command, char *why,
                          size_t size);

/* When s runs an external program and declares "tasks" (the multiprocessing methods,
 * kernels/support/exec-method.h), checks its value: rows, workers or a positive count. Returns
 * 0 (also for any other strategy or a NULL tasks), or -EINVAL with the reason in why. */
int pb_exec_check_tasks(const struct pb_strategy *s, const char *tasks, char *why, size_t size);

#endif
