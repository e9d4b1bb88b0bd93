/* sklearn.c — pair counts with sklearn.neighbors.KDTree.two_point_correlation (histograms
 * only). See kernels/support/exec-method.h. */
#include "exec-method.h"

PB_EXEC_METHOD(sklearn, "sklearn", "scikit-learn KDTree two_point_correlation (histograms "
               "only)", 0, 0, "sklearn_2pcf.py", "python3-sklearn",
               "sklearn.neighbors", EXEC_METHOD_PARAMS("0"));
