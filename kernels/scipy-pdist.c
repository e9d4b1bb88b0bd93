/* scipy-pdist.c — pair counts with scipy.spatial.distance.pdist and a histogram (histograms
 * only). See kernels/support/exec-method.h. */
#include "exec-method.h"

PB_EXEC_METHOD(scipy_pdist, "scipy-pdist", "scipy pdist + histogram (histograms only)",
               0, 0, "pdist_hist.py", "python3-scipy", "scipy.spatial",
               EXEC_METHOD_PARAMS("0"));
