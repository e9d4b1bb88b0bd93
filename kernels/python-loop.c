/* python-loop.c — the study's pure Python double loop (math.sqrt per pair), about 100 times
 * slower per pair than serial naive (cost_factor). See kernels/support/exec-method.h. */
#include "exec-method.h"

PB_EXEC_METHOD(python_loop, "python-loop", "the study's pure Python double loop", 0, 0,
               "python_loop.py", "python3", "math", EXEC_METHOD_PARAMS("100"));
