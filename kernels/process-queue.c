/* process-queue.c — multiprocessing Processes and one result Queue over tasks of rows (tasks:
 * rows, workers or a count). See kernels/support/exec-method.h. */
#include "exec-method.h"

PB_EXEC_METHOD(process_queue, "process-queue", "multiprocessing Process workers and a result "
               "Queue", 0, 1, "process_queue.py", "python3-numpy", "numpy",
               EXEC_METHOD_PARAMS("0"), EXEC_METHOD_TASKS);
