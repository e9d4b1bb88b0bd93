/* cython.c — python_loop.py's loop as typed Cython, translated by cython3 and compiled by cc;
 * the build is the row's build_s. See kernels/support/exec-method.h. */
#include "exec-method.h"

PB_EXEC_METHOD(cython, "cython", "the Python loop as typed Cython (compile in build_s)", 0, 0,
               "cython_loop.py --setup {setup}", "cython3", "Cython", EXEC_METHOD_PARAMS("0"));
