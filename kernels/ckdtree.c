/* ckdtree.c — pair counts with scipy.spatial.cKDTree.count_neighbors (histograms only). See
 * kernels/support/exec-method.h. */
#include "exec-method.h"

PB_EXEC_METHOD(ckdtree, "ckdtree", "scipy cKDTree count_neighbors (histograms only)",
               0, 0, "ckdtree.py", "python3-scipy", "scipy.spatial",
               EXEC_METHOD_PARAMS("0"));
