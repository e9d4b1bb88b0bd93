/* numba.c — the study's Numba @njit loop, serial; the JIT compile is the row's build_s. See
 * kernels/support/exec-method.h. */
#include "exec-method.h"

PB_EXEC_METHOD(numba, "numba", "Numba @njit loop, serial (JIT compile in build_s)", 0, 0,
               "numba_loop.py --setup {setup}", "python3-numba", "numba",
               EXEC_METHOD_PARAMS("0"));
