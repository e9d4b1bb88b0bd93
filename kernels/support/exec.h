/* exec.h — the body of the exec strategies: run an external command on the problem and read its
 * answer back, so baselines in other languages (scipy, numpy, multiprocessing) are measured by
 * the same runner and verified from the file they write. Used by kernels/exec.c (serial
 * commands, run once per n), kernels/exec-parallel.c (commands that take {threads}) and the
 * named methods (exec-method.h); defined in kernels/support/exec-run.c, on the launcher of
 * launch.h (template expansion, fork and exec, exit statuses).
 *
 * A run: write the points to TMP/points.txt ("x y z" per line, %.17g, the format
 * pb_points_read accepts) and the histogram edges to TMP/edges.txt (one %.17g per line, nbins+1
 * lines: scripts use these exact doubles rather than rebuilding them), expand the command
 * template, run it with /bin/sh -c in a forked child of this process (pb_launch_run: same
 * process group, so the runner's memory sampling and kill reach it), wait, then read TMP/out.csv (histogram:
 * "lo,hi,count" per bin, an optional header line) or TMP/out.npy (matrix: float64, C order,
 * shape (n, n)).
 *
 * Placeholders: {n} {threads} {points} {edges} {out} {output} (matrix|histogram) {bins}
 * ("MIN,MAX,COUNT,linear|log|explicit", "" for a matrix; explicit edges are only in {edges}) {box} (periodic side, 0 = open) {python}
 * {scripts} (kernels/python of the source tree, or $PB_SCRIPTS_DIR) {time} {setup} {tmpdir}.
 * Paths and {python} are substituted already single-quoted for the shell; do not quote them
 * again.
 *
 * Exit status 77 means "a dependency is missing": the run returns -ENOTSUP and the row reads
 * "skipped: <the command's last output line>". Any other failure returns a negative errno
 * with the exit status and that last line in out->note.
 *
 * n = 0 runs the command too, on an empty points file: the overhead row then shows what the
 * baseline costs before any pair (interpreter start, imports, file round trip).
 *
 * timing = "process" (default): the row's wall time is the runner's clock around the whole
 * run, file writing and reading included. timing = "script": the command writes its own compute
 * seconds to {time} and that is reported (out->self_wall_s), for comparing the computation
 * alone with in-process strategies.
 *
 * Setup: a command may write to {setup} the seconds it spent before its computation that a
 * reader must see apart, such as Numba's JIT compile (a warm-up call before the timed one); they
 * are reported as out->build_s (the row's build_s column). With timing = "script" they are not
 * part of the row's wall time; with timing = "process" they are.
 *
 * cost_factor (a parameter the command never sees) tells the sweep's time estimate how many
 * times slower per pair than serial naive the command is (the pure Python loop: about 100), so
 * the plan and its skip rule know it; 0 keeps the default estimate.
 */
#ifndef PAIRBENCH_EXEC_H
#define PAIRBENCH_EXEC_H

#include "strategy.h"

#include <stddef.h>

/* The parameters of exec and exec-parallel: command, python, timing, cost_factor. */
extern const struct pb_param_spec pb_exec_params[];

/* struct pb_cost.pair_cost_of of the exec strategies: the row's cost_factor (seconds per pair
 * as a multiple of serial naive's), 0 when absent or not a positive number. */
double pb_exec_cost_factor(const struct pb_params *prm);

/* What a named method (kernels/support/exec-method.h) needs to run: NULL for a configured
 * exec command. */
struct exec_method {
    const char *args;                      /* script and its own flags: "numba_loop.py --setup
                                              {setup}"; the shared arguments are added */
    int parallel;                          /* 1: the script takes {threads} */
    const char *package;                   /* the Debian package it needs: "python3-numba" */
    const char *module;                    /* what `{python} -c 'import MODULE'` proves there */
};

/* Checks a command template without running it: non-empty, every '{' closed by a '}' that
 * ends a known placeholder, and {threads} only when parallel. Returns 0, or -EINVAL with the
 * reason in why (size bytes), the same words the config loader and a run give. */
int pb_exec_template_check(const char *tpl, int parallel, char *why, size_t size);

/* 1 when tasks is a named method's "tasks" value: rows, workers or a positive count of at
 * most 9 digits (pbcommon.py's --tasks). */
int pb_exec_tasks_valid(const char *tasks);

/* The run of the configured "command" (the exec and exec-parallel strategies). Returns 0 or
 * a negative errno with out->note set; -ENOTSUP (skipped) for exit status 77. */
int pb_exec_run(const struct pb_problem *p, const struct pb_params *prm, struct pb_output *out,
                int parallel);

/* One run of named method m: its command from exec-method.h's fixed template. When the run
 * fails and m's module cannot be imported, returns -ENOTSUP with "needs PACKAGE (...)". */
int pb_exec_method_run(const struct pb_problem *p, const struct pb_params *prm,
                       struct pb_output *out, const struct exec_method *m);

#endif
