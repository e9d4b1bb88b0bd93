/* pool-map.c — multiprocessing Pool.map over tasks of rows (tasks: rows, workers or a count).
 * See kernels/support/exec-method.h. */
#include "exec-method.h"

PB_EXEC_METHOD(pool_map, "pool-map", "multiprocessing Pool.map over tasks of rows", 0, 1,
               "pool_map.py", "python3-numpy", "numpy", EXEC_METHOD_PARAMS("0"),
               EXEC_METHOD_TASKS);
