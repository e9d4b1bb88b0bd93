/* scipy-cdist.c — the full matrix with scipy.spatial.distance.cdist (matrix only: a histogram
 * run is skipped). See kernels/support/exec-method.h. */
#include "exec-method.h"

PB_EXEC_METHOD(scipy_cdist, "scipy-cdist", "scipy.spatial.distance.cdist (matrix only)", 0, 0,
               "cdist.py", "python3-scipy", "scipy.spatial", EXEC_METHOD_PARAMS("0"));
