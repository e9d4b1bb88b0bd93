/* wire.h — the files the mpi strategy (kernels/mpi.c) and its worker (kernels/mpi/worker.c)
 * exchange through a directory: the problem going out, the result coming back.
 *
 * problem.bin: struct pb_mpi_problem, then edges[nbins+1] (histogram only), then x[n], y[n], z[n]
 *              as doubles. The worker derives float coordinates by rounding, as the harness does.
 * result.bin:  struct pb_mpi_result, then counts[nbins] (histogram only), written by rank 0 last,
 *              so its presence means the worker finished.
 * matrix.bin:  the n*n row-major matrix (double or float per precision), matrix output only.
 *
 * Both sides are built from one tree, so the structs are written raw; the magic and version
 * catch a worker and a bench built from different trees.
 */
#ifndef PAIRBENCH_MPI_WIRE_H
#define PAIRBENCH_MPI_WIRE_H

#include <stdint.h>

#define PB_MPI_PROBLEM_MAGIC 0x31424d50u  /* "PMB1" little-endian */
#define PB_MPI_RESULT_MAGIC 0x31524d50u   /* "PMR1" */
#define PB_MPI_WIRE_VERSION 1u

#define PB_MPI_PROBLEM_FILE "problem.bin"
#define PB_MPI_RESULT_FILE "result.bin"
#define PB_MPI_MATRIX_FILE "matrix.bin"

enum pb_mpi_matrix_io {
    PB_MPI_GATHER = 0,               /* rows gathered at rank 0, which writes matrix.bin */
    PB_MPI_MPIIO = 1                 /* every rank writes its rows with MPI_File_write_at_all */
};

struct pb_mpi_problem {
    uint32_t magic;                  /* PB_MPI_PROBLEM_MAGIC */
    uint32_t version;                /* PB_MPI_WIRE_VERSION */
    uint64_t n;                      /* number of points; 0 is the empty-work problem */
    uint32_t output;                 /* enum pb_output_kind */
    uint32_t precision;              /* enum pb_precision */
    uint32_t matrix_io;              /* enum pb_mpi_matrix_io */
    int32_t threads;                 /* OpenMP threads per rank, >= 1 */
    double box;                      /* periodic box side; 0 = open */
    uint64_t nbins;                  /* histogram bins; 0 for the matrix */
};

struct pb_mpi_result {
    uint32_t magic;                  /* PB_MPI_RESULT_MAGIC */
    int32_t ranks;                   /* ranks that took part */
    double wall_s;                   /* slowest rank, barrier to barrier, output assembled */
    double compute_max_s;            /* slowest rank's own compute, without the assembly */
    double compute_min_s;            /* fastest rank's own compute: the balance of the split */
    int64_t rank_max_kib;            /* largest ru_maxrss of one rank */
    int64_t rank_sum_kib;            /* ru_maxrss summed over ranks */
    uint64_t nbins;                  /* counts that follow */
};

#endif
