/* pool-async.c — multiprocessing Pool.apply_async per task of rows (tasks: rows, workers or a
 * count). See kernels/support/exec-method.h. */
#include "exec-method.h"

PB_EXEC_METHOD(pool_async, "pool-async", "multiprocessing Pool.apply_async per task of rows", 0,
               1, "pool_async.py", "python3-numpy", "numpy", EXEC_METHOD_PARAMS("0"),
               EXEC_METHOD_TASKS);
