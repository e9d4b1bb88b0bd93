/* exec-method.h — the study's Python methods as named strategies ("numba", "pool-map", ...),
 * so a config names a method instead of pasting an exec command template, and its label, the
 * progress lines, the tables and the report show the name.
 *
 * Why one small kernels/<name>.c per method: the registry is generated from the file names
 * (cmake/registry.cmake: one file, one pb_strategy_<name>), so a file per method makes each a
 * real strategy with its own `bench --list` entry, summary ("needs python3-numba") and declared
 * parameters, with no second lookup table in the config loader. The file is one
 * PB_EXEC_METHOD line; the run itself is exec.h's (pb_exec_method_run), as for a configured exec
 * command.
 *
 * Every method runs "{python} {scripts}/SCRIPT ARGS --output {output} --points {points}
 * --edges {edges} --box {box} --out {out} --time {time}", plus "--threads {threads}" when
 * parallel and "--tasks T" when it declares tasks. Its parameters: python (the interpreter),
 * timing (default script: the script's own compute seconds), cost_factor (the sweep's
 * estimate), and for the multiprocessing methods tasks = rows | workers | N (checked when the
 * config loads). A failed run whose `{python} -c 'import MODULE'` fails too is skipped with
 * "needs PACKAGE".
 */
#ifndef PAIRBENCH_EXEC_METHOD_H
#define PAIRBENCH_EXEC_METHOD_H

#include "exec.h"

#include <math.h>

/* The parameters every method declares; cost is cost_factor's default, as a string. */
#define EXEC_METHOD_PARAMS(cost)                                                             \
    {.name = "python", .def = "/usr/bin/python3", .help = "the Python interpreter to run"},  \
    {.name = "timing", .def = "script", .choices = "process|script",                         \
     .help = "script: the script's own compute seconds; process: runner's clock around all"},\
    {.name = "cost_factor", .def = cost,                                                     \
     .help = "seconds per pair as a multiple of serial naive's, for the sweep's time "       \
             "estimate; 0 = the default estimate",                                          \
     .type = PB_PARAM_NUMBER, .min = 0, .max = HUGE_VAL}

/* The multiprocessing methods' "tasks" parameter (pb_exec_tasks_valid). */
#define EXEC_METHOD_TASKS                                                                    \
    {.name = "tasks", .def = "rows",                                                         \
     .help = "rows (one row per task), workers (one chunk per worker) or a positive count"}

/* Defines pb_strategy_SYM, the method NAME: SUMMARY (then "; needs PACKAGE" in --list),
 * flags PB_EXTERNAL | FLAGS (PB_SERIAL unless PARALLEL), the script ARGS, the PACKAGE and
 * MODULE it needs, and its parameters (EXEC_METHOD_PARAMS, EXEC_METHOD_TASKS). Its time
 * estimate: every pair at the cost_factor its row states (unknown when 0). */
#define PB_EXEC_METHOD(SYM, NAME, SUMMARY, FLAGS, PARALLEL, ARGS, PACKAGE, MODULE, ...)       \
    static const struct pb_param_spec method_params[] = { __VA_ARGS__, {.name = NULL} };    \
    static const struct exec_method method = {                                               \
        .args = ARGS, .parallel = PARALLEL, .package = PACKAGE, .module = MODULE };          \
    static int run(const struct pb_problem *p, const struct pb_params *prm,                  \
                   struct pb_output *out)                                                    \
    {                                                                                        \
        return pb_exec_method_run(p, prm, out, &method);                                        \
    }                                                                                        \
    const struct pb_strategy pb_strategy_##SYM = {                                           \
        .abi_version = PB_STRATEGY_ABI, .name = NAME,                                        \
        .summary = SUMMARY "; needs " PACKAGE,                                               \
        .flags = PB_EXTERNAL | (PARALLEL ? 0u : PB_SERIAL) | (FLAGS),                        \
        .params = method_params, .run = run,                                                 \
        .cost = {.model = PB_COST_ALL_PAIRS, .pair_cost_of = pb_exec_cost_factor},              \
    }

#endif
