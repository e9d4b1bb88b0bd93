/* numba-parallel.c — the study's Numba loop with parallel=True (prange) at the run's thread
 * count; the JIT compile is the row's build_s. See kernels/support/exec-method.h. */
#include "exec-method.h"

PB_EXEC_METHOD(numba_parallel, "numba-parallel", "Numba @njit(parallel=True) prange loop "
               "(JIT compile in build_s)", 0, 1, "numba_loop.py --parallel --setup {setup}",
               "python3-numba", "numba", EXEC_METHOD_PARAMS("0"));
