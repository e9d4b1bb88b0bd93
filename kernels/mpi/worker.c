/* worker.c — pairbench-mpi-worker, the MPI program behind the mpi strategy (kernels/mpi.c).
 *
 * Usage: pairbench-mpi-worker DIR   (started by a launcher: mpirun, srun, ...)
 *
 * Rank 0 reads DIR/problem.bin and broadcasts it. The histogram is split over ranks by pairs of
 * the i<j triangle (each rank an equal share of pairs, each OpenMP thread an equal share of its
 * rank's) and reduced at rank 0 with MPI_Reduce. The matrix is split by whole rows (every row has
 * n entries, so equal row counts are balanced) and either gathered at rank 0, which writes
 * DIR/matrix.bin, or written by every rank into its own rows with MPI-IO. Rank 0 writes
 * DIR/result.bin last: the slowest rank's time between barriers and each rank's peak RSS.
 *
 * This program knows nothing of the harness beyond wire.h and the kernels every strategy shares
 * (pairkern.h, team.h), so mpi and the in-process strategies differ only in how they split the
 * work. It reports errors on stderr (the strategy captures them) and exits nonzero via
 * MPI_Abort.
 */
#include "team.h"
#include "wire.h"

#include <mpi.h>
#include <omp.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

struct job {
    struct pb_mpi_problem h;         /* the problem header, identical on every rank */
    double *edges;                   /* histogram: nbins+1 edges (owned) */
    double *x, *y, *z;               /* coordinates, n each (owned) */
    float *xf, *yf, *zf;             /* float precision: the coordinates rounded (owned) */
    int rank, size;                  /* this rank and the number of ranks */
    const char *dir;                 /* the exchange directory */
};

/* Prints one line naming the rank and aborts every rank: an error in one rank ends the job. */
static _Noreturn void die(const struct job *jb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "pairbench-mpi-worker: rank %d: ", jb->rank);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    MPI_Abort(MPI_COMM_WORLD, 1);
    exit(1);                          /* MPI_Abort does not return; this keeps the compiler sure */
}

/* malloc that cannot fail quietly: count elements of size bytes, at least one byte. */
static void *xalloc(const struct job *jb, size_t count, size_t size)
{
    size_t bytes = count * size;
    void *p = malloc(bytes > 0 ? bytes : 1);
    if (!p)
        die(jb, "out of memory allocating %zu bytes", count * size);
    return p;
}

/* Reads exactly len bytes from f or dies naming what was being read. */
static void read_exact(const struct job *jb, FILE *f, void *buf, size_t len, const char *what)
{
    if (len && fread(buf, 1, len, f) != len)
        die(jb, "%s/%s: short read of %s", jb->dir, PB_MPI_PROBLEM_FILE, what);
}

/* Rank 0: reads the header from the open problem file and checks it is one this worker reads. */
static void read_header(struct job *jb, FILE *f)
{
    read_exact(jb, f, &jb->h, sizeof jb->h, "the header");
    if (jb->h.magic != PB_MPI_PROBLEM_MAGIC || jb->h.version != PB_MPI_WIRE_VERSION)
        die(jb, "%s/%s: not a problem file of wire version %u", jb->dir, PB_MPI_PROBLEM_FILE,
            PB_MPI_WIRE_VERSION);
    if (jb->h.threads < 1)
        die(jb, "threads = %d, expected >= 1", (int)jb->h.threads);
}

/* Allocates edges and coordinates for the header already in jb->h (every rank). */
static void alloc_arrays(struct job *jb)
{
    size_t n = jb->h.n;
    jb->edges = xalloc(jb, jb->h.nbins + 1, sizeof(double));
    jb->x = xalloc(jb, n, sizeof(double));
    jb->y = xalloc(jb, n, sizeof(double));
    jb->z = xalloc(jb, n, sizeof(double));
}

/* Rank 0 reads the problem file; every rank receives a copy. Counts go in chunks of at most
 * INT_MAX/2 elements because MPI counts are int. */
static void bcast_doubles(double *buf, size_t count)
{
    const size_t chunk = 1u << 28;
    for (size_t off = 0; off < count; off += chunk) {
        size_t m = count - off < chunk ? count - off : chunk;
        MPI_Bcast(buf + off, (int)m, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    }
}

/* Loads the problem on every rank: rank 0 from DIR/problem.bin, the others by broadcast, so
 * only rank 0 needs to see the file. */
static void load_problem(struct job *jb)
{
    FILE *f = NULL;
    if (jb->rank == 0) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", jb->dir, PB_MPI_PROBLEM_FILE);
        f = fopen(path, "rb");
        if (!f)
            die(jb, "%s: %s", path, strerror(errno));
        read_header(jb, f);
    }
    MPI_Bcast(&jb->h, (int)sizeof jb->h, MPI_BYTE, 0, MPI_COMM_WORLD);
    alloc_arrays(jb);
    size_t n = jb->h.n, ne = jb->h.nbins ? jb->h.nbins + 1 : 0;
    if (jb->rank == 0) {
        read_exact(jb, f, jb->edges, ne * sizeof(double), "the bin edges");
        read_exact(jb, f, jb->x, n * sizeof(double), "x");
        read_exact(jb, f, jb->y, n * sizeof(double), "y");
        read_exact(jb, f, jb->z, n * sizeof(double), "z");
        fclose(f);
    }
    bcast_doubles(jb->edges, ne);
    bcast_doubles(jb->x, n);
    bcast_doubles(jb->y, n);
    bcast_doubles(jb->z, n);
}

/* Float precision: the coordinates rounded to float, as the harness rounds them. */
static void make_float(struct job *jb)
{
    size_t n = jb->h.n;
    jb->xf = xalloc(jb, n, sizeof(float));
    jb->yf = xalloc(jb, n, sizeof(float));
    jb->zf = xalloc(jb, n, sizeof(float));
    for (size_t i = 0; i < n; i++) {
        jb->xf[i] = (float)jb->x[i];
        jb->yf[i] = (float)jb->y[i];
        jb->zf[i] = (float)jb->z[i];
    }
}

/* The job's problem as the shared kernels of pairkern.h read it. */
static struct pb_problem problem_of(const struct job *jb)
{
    return (struct pb_problem){ .n = jb->h.n, .x = jb->x, .y = jb->y, .z = jb->z, .xf = jb->xf,
                                .yf = jb->yf, .zf = jb->zf, .precision = jb->h.precision,
                                .box = jb->h.box, .output = jb->h.output,
                                .nbins = jb->h.nbins, .edges = jb->edges };
}

/* This rank's share of the triangle: rows cut into ranks x threads parts of equal pair counts,
 * part rank*threads + t for thread t, binned by the same table kernel (pairkern.h) as every
 * in-process strategy, so counts match naive exactly. counts receives the rank's sum. */
static void hist_rank(const struct job *jb, uint64_t *counts)
{
    size_t n = jb->h.n, nt = jb->h.threads > 0 ? (size_t)jb->h.threads : 1;
    struct pb_problem p = problem_of(jb);
    struct pb_params prm = { .threads = (int)nt, .ranks = jb->size };
    struct pb_output out = { .counts = counts };
    struct pb_team tm;
    memset(counts, 0, jb->h.nbins * sizeof *counts);
    if (n < 2)
        return;
    if (pb_team_begin(&tm, &p, &prm, &out, nt, 0) < 0)
        die(jb, "out of memory for the histogram tables");
    size_t parts = (size_t)jb->size * nt;
#pragma omp parallel for num_threads((int)nt) schedule(static, 1)
    for (size_t t = 0; t < nt; t++) {
        size_t w = (size_t)jb->rank * nt + t;
        pb_hist_rows(&p, &tm.b, pb_tri_split(n, parts, w), pb_tri_split(n, parts, w + 1),
                     pb_team_hist(&tm, t));
    }
    pb_team_end(&tm, &out, 0);
}

/* Rows [r0, r1) of the full matrix (both triangles and the zero diagonal) into block, which
 * holds (r1-r0)*n entries of the precision's type: the rows cut evenly over the threads, each
 * thread's rows by the shared row kernel (pairkern.h: tiles, vector square roots, its pages
 * populated by the thread that writes them), exactly as the in-process strategies write them. */
static void matrix_rows(const struct job *jb, size_t r0, size_t r1, void *block)
{
    struct pb_problem p = problem_of(jb);
    size_t rows = r1 - r0, nt = jb->h.threads > 0 ? (size_t)jb->h.threads : 1;
#pragma omp parallel for num_threads((int)nt) schedule(static, 1)
    for (size_t t = 0; t < nt; t++)
        pb_matrix_rows(&p, r0 + pb_row_split(rows, nt, t), r0 + pb_row_split(rows, nt, t + 1),
                       block, r0);
}

/* Bytes of one matrix entry. */
static size_t elem_size(const struct job *jb)
{
    return jb->h.precision == PB_PRECISION_FLOAT ? sizeof(float) : sizeof(double);
}

/* First row of rank r's block: equal row counts, since every row has n entries. */
static size_t first_row(const struct job *jb, int r)
{
    return (size_t)((uint64_t)jb->h.n * (uint64_t)r / (uint64_t)jb->size);
}

/* Writes len bytes of buf to path (rank 0, gather mode). */
static void write_file(const struct job *jb, const char *name, const void *buf, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", jb->dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        die(jb, "%s: %s", path, strerror(errno));
    int bad = len && fwrite(buf, 1, len, f) != len;
    bad |= fclose(f) != 0;            /* closed whether or not the write failed */
    if (bad)
        die(jb, "%s: write failed: %s", path, strerror(errno));
}

/* A datatype of one matrix row, so that counts and displacements are in rows and stay within
 * int up to n = 2^31 - 1. */
static MPI_Datatype row_type(const struct job *jb)
{
    MPI_Datatype t;
    MPI_Type_contiguous((int)jb->h.n, elem_size(jb) == sizeof(float) ? MPI_FLOAT : MPI_DOUBLE,
                        &t);
    MPI_Type_commit(&t);
    return t;
}

/* An untouched private mapping for rows * n matrix entries into blk (huge pages asked for, as
 * the in-process strategies map the matrix; each thread populates the pages of its own rows).
 * Dies when out of memory; munmap(blk->matrix, blk->matrix_bytes) releases it. */
static void *rows_alloc(const struct job *jb, size_t rows, struct pb_output *blk)
{
    size_t bytes = rows * jb->h.n * elem_size(jb);
    if (pb_matrix_alloc(blk, 1, bytes ? bytes : 1, 0) < 0)
        die(jb, "out of memory mapping %zu bytes of matrix rows", bytes);
    return blk->matrix;
}

/* Gather mode: rank 0 holds the whole matrix (its own rows computed in place), receives every
 * other rank's rows with MPI_Gatherv and writes matrix.bin. */
static void matrix_gather(const struct job *jb, double *compute_s)
{
    size_t n = jb->h.n, r0 = first_row(jb, jb->rank), r1 = first_row(jb, jb->rank + 1);
    size_t rows = jb->rank == 0 ? n : r1 - r0;
    struct pb_output blk = { 0 };
    void *buf = rows_alloc(jb, rows, &blk);
    double t0 = MPI_Wtime();
    matrix_rows(jb, r0, r1, buf);
    *compute_s = MPI_Wtime() - t0;
    int *counts = xalloc(jb, (size_t)jb->size, sizeof(int));
    int *displs = xalloc(jb, (size_t)jb->size, sizeof(int));
    for (int r = 0; r < jb->size; r++) {
        displs[r] = (int)first_row(jb, r);
        counts[r] = (int)(first_row(jb, r + 1) - first_row(jb, r));
    }
    if (n > 0) {
        MPI_Datatype row = row_type(jb);
        MPI_Gatherv(jb->rank == 0 ? MPI_IN_PLACE : buf, (int)(r1 - r0), row, buf, counts,
                    displs, row, 0, MPI_COMM_WORLD);
        MPI_Type_free(&row);
    }
    if (jb->rank == 0)
        write_file(jb, PB_MPI_MATRIX_FILE, buf, n * n * elem_size(jb));
    free(counts);
    free(displs);
    munmap(blk.matrix, blk.matrix_bytes);
}

/* MPI-IO mode: every rank writes its own rows at their offset in matrix.bin, collectively. */
static void matrix_mpiio(const struct job *jb, double *compute_s)
{
    size_t n = jb->h.n, r0 = first_row(jb, jb->rank), r1 = first_row(jb, jb->rank + 1);
    struct pb_output blk = { 0 };
    void *buf = rows_alloc(jb, r1 - r0, &blk);
    double t0 = MPI_Wtime();
    matrix_rows(jb, r0, r1, buf);
    *compute_s = MPI_Wtime() - t0;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", jb->dir, PB_MPI_MATRIX_FILE);
    MPI_File fh;
    int rc = MPI_File_open(MPI_COMM_WORLD, path, MPI_MODE_CREATE | MPI_MODE_WRONLY,
                           MPI_INFO_NULL, &fh);
    if (rc != MPI_SUCCESS)
        die(jb, "%s: MPI_File_open failed (error %d)", path, rc);
    MPI_Datatype row = row_type(jb);
    MPI_Offset off = (MPI_Offset)(r0 * n * elem_size(jb));
    rc = n > 0 ? MPI_File_write_at_all(fh, off, buf, (int)(r1 - r0), row, MPI_STATUS_IGNORE)
               : MPI_SUCCESS;
    MPI_Type_free(&row);
    if (rc != MPI_SUCCESS)
        die(jb, "%s: MPI_File_write_at_all failed (error %d)", path, rc);
    MPI_File_close(&fh);
    munmap(blk.matrix, blk.matrix_bytes);
}

/* Histogram: this rank's counts, summed at rank 0 with MPI_Reduce into total (rank 0 only). */
static void histogram(const struct job *jb, uint64_t *total, double *compute_s)
{
    size_t nb = jb->h.nbins;
    uint64_t *mine = xalloc(jb, nb, sizeof *mine);
    double t0 = MPI_Wtime();
    hist_rank(jb, mine);
    *compute_s = MPI_Wtime() - t0;
    MPI_Reduce(mine, total, (int)nb, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
    free(mine);
}

/* Rank 0: result.bin with the timings, the ranks' memory and the counts. */
static void write_result(const struct job *jb, const struct pb_mpi_result *res,
                         const uint64_t *counts)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", jb->dir, PB_MPI_RESULT_FILE);
    FILE *f = fopen(path, "wb");
    if (!f)
        die(jb, "%s: %s", path, strerror(errno));
    size_t nb = res->nbins;
    int bad = fwrite(res, sizeof *res, 1, f) != 1;
    bad |= nb && fwrite(counts, sizeof *counts, nb, f) != nb;
    bad |= fclose(f) != 0;
    if (bad)
        die(jb, "%s: write failed", path);
}

/* Runs the timed part on every rank: barrier, compute and assemble the output, barrier. Fills
 * res at rank 0 (times reduced by max/min, memory by max/sum) and counts for the histogram. */
static void run(const struct job *jb, struct pb_mpi_result *res, uint64_t *counts)
{
    double compute_s = 0;
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    if (jb->h.output == PB_OUTPUT_HISTOGRAM)
        histogram(jb, counts, &compute_s);
    else if (jb->h.matrix_io == PB_MPI_MPIIO)
        matrix_mpiio(jb, &compute_s);
    else
        matrix_gather(jb, &compute_s);
    MPI_Barrier(MPI_COMM_WORLD);
    double wall = MPI_Wtime() - t0;

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    int64_t kib = ru.ru_maxrss;      /* Linux reports KiB */
    MPI_Reduce(&wall, &res->wall_s, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    MPI_Reduce(&compute_s, &res->compute_max_s, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    MPI_Reduce(&compute_s, &res->compute_min_s, 1, MPI_DOUBLE, MPI_MIN, 0, MPI_COMM_WORLD);
    MPI_Reduce(&kib, &res->rank_max_kib, 1, MPI_INT64_T, MPI_MAX, 0, MPI_COMM_WORLD);
    MPI_Reduce(&kib, &res->rank_sum_kib, 1, MPI_INT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
}

int main(int argc, char **argv)
{
    struct job jb = {.rank = 0};
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &jb.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &jb.size);
    if (argc != 2)
        die(&jb, "usage: pairbench-mpi-worker DIR (DIR holds %s)", PB_MPI_PROBLEM_FILE);
    jb.dir = argv[1];
    load_problem(&jb);
    omp_set_num_threads(jb.h.threads);
    if (jb.h.precision == PB_PRECISION_FLOAT)
        make_float(&jb);

    struct pb_mpi_result res = {.magic = PB_MPI_RESULT_MAGIC, .ranks = jb.size,
                                .nbins = jb.h.output == PB_OUTPUT_HISTOGRAM ? jb.h.nbins : 0};
    uint64_t *counts = xalloc(&jb, res.nbins, sizeof *counts);
    run(&jb, &res, counts);
    if (jb.rank == 0)
        write_result(&jb, &res, counts);
    free(counts);
    free(jb.edges);
    free(jb.x), free(jb.y), free(jb.z);
    free(jb.xf), free(jb.yf), free(jb.zf);
    MPI_Finalize();
    return 0;
}
