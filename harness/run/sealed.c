/* sealed.c — the read-only copy of a run's inputs (see sealed.h).
 *
 * Layout of the memfd, offsets from its page-aligned mapping:
 *   [problem struct][params struct][kv pairs][their strings, the tmpdir]   (header)
 *   [x y z (doubles)][xf yf zf (floats, float runs)]                      (next page)
 *   [edges (doubles)]
 * The header's pointers are those of the final mapping: its address is reserved (PROT_NONE)
 * before the contents are written with pwrite, and the sealed file is mapped over the
 * reservation. The file is sealed before it is mapped, so no writable mapping of it ever
 * exists, and the kernel refuses every later attempt to make one. */
#include "sealed.h"

#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* What the fault handler of this process looks at (set by pb_sealed_arm in the run child). */
static struct {
    const char *base;                /* the sealed mapping */
    size_t bytes;                    /* its length */
    size_t end[PB_SEALED_NPARTS];    /* part ends, as in struct pb_sealed */
    int *fault;                      /* the shared page the harness reads */
} armed;

/* n rounded up to a multiple of a (a power of two). */
static size_t round_up(size_t n, size_t a)
{
    return (n + a - 1) & ~(a - 1);
}

/* Bytes of the strings of k (each with its NUL): keys, values and the tmpdir. */
static size_t strings_bytes(const struct pb_params *k)
{
    size_t b = k->tmpdir ? strlen(k->tmpdir) + 1 : 0;
    for (size_t i = 0; i < k->nkv; i++)
        b += (k->kv[i].key ? strlen(k->kv[i].key) + 1 : 0) +
             (k->kv[i].value ? strlen(k->kv[i].value) + 1 : 0);
    return b;
}

/* Fills s->end and s->bytes for p and k. Returns the header's length. */
static size_t layout(struct pb_sealed *s, const struct pb_problem *p, const struct pb_params *k)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), n = p->x ? p->n : 0;
    size_t params_at = round_up(sizeof *p, 16);
    size_t header = params_at + round_up(sizeof *k, 16) + k->nkv * sizeof(struct pb_kv) +
                    strings_bytes(k);
    s->end[PB_SEALED_PROBLEM] = sizeof *p;
    s->end[PB_SEALED_PARAMS] = header;
    s->end[PB_SEALED_POINTS] = round_up(header, page) + 3 * n * sizeof(double) +
                               (p->xf ? 3 * n * sizeof(float) : 0);
    s->end[PB_SEALED_EDGES] = round_up(s->end[PB_SEALED_POINTS], sizeof(double)) +
                              (p->edges ? (p->nbins + 1) * sizeof(double) : 0);
    s->bytes = round_up(s->end[PB_SEALED_EDGES], page);
    return header;
}

/* Copies string src to *at (inside the header h, which will live at base) and returns its
 * address in the final mapping; NULL stays NULL. */
static const char *put_string(char *h, char *base, size_t *at, const char *src)
{
    if (!src)
        return NULL;
    size_t len = strlen(src) + 1;
    memcpy(h + *at, src, len);
    *at += len;
    return base + *at - len;
}

/* Builds the header (problem, params, kv, strings) into h for a mapping at base; the arrays'
 * pointers are set to where pb_sealed_make writes them. */
static void build_header(char *h, char *base, const struct pb_sealed *s,
                         const struct pb_problem *p, const struct pb_params *k)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), n = p->x ? p->n : 0;
    size_t params_at = round_up(sizeof *p, 16), kv_at = params_at + round_up(sizeof *k, 16);
    size_t at = kv_at + k->nkv * sizeof(struct pb_kv);
    struct pb_problem *sp = (struct pb_problem *)h;
    struct pb_params *sk = (struct pb_params *)(h + params_at);
    struct pb_kv *kv = (struct pb_kv *)(h + kv_at);
    double *pts = (double *)(base + round_up(s->end[PB_SEALED_PARAMS], page));
    float *ptf = (float *)(pts + 3 * n);
    *sp = *p;
    *sk = *k;
    sk->kv = k->nkv ? (const struct pb_kv *)(base + kv_at) : NULL;
    for (size_t i = 0; i < k->nkv; i++)
        kv[i] = (struct pb_kv){ .key = put_string(h, base, &at, k->kv[i].key),
                                .value = put_string(h, base, &at, k->kv[i].value) };
    sk->tmpdir = put_string(h, base, &at, k->tmpdir);
    if (n) {
        sp->x = pts, sp->y = pts + n, sp->z = pts + 2 * n;
        if (p->xf)
            sp->xf = ptf, sp->yf = ptf + n, sp->zf = ptf + 2 * n;
    }
    if (p->edges)
        sp->edges = (const double *)(base + s->end[PB_SEALED_EDGES] -
                                     (p->nbins + 1) * sizeof(double));
}

/* Writes the arrays of p into fd at the offsets the header points to (sp, relative to base).
 * Returns 0 or -errno. */
static int write_arrays(int fd, const char *base, const struct pb_problem *sp,
                        const struct pb_problem *p)
{
    const void *src[] = { p->x, p->y, p->z, p->xf, p->yf, p->zf, p->edges };
    const void *dst[] = { sp->x, sp->y, sp->z, sp->xf, sp->yf, sp->zf, sp->edges };
    size_t n = p->x ? p->n : 0;
    size_t len[] = { n * 8, n * 8, n * 8, n * 4, n * 4, n * 4, (p->nbins + 1) * 8 };
    for (size_t i = 0; i < sizeof src / sizeof src[0]; i++) {
        if (!src[i] || !len[i])
            continue;
        int e = pb_pwrite_all(fd, src[i], len[i], (off_t)((const char *)dst[i] - base));
        if (e)
            return e;
    }
    return 0;
}

/* Writes the header and arrays into the memfd fd for a mapping at base, then seals it.
 * Returns 0 or -errno. */
static int fill_and_seal(int fd, char *base, struct pb_sealed *s, size_t header,
                         const struct pb_problem *p, const struct pb_params *k)
{
    char *h = calloc(1, header);
    if (!h)
        return -ENOMEM;
    build_header(h, base, s, p, k);
    int e = pb_pwrite_all(fd, h, header, 0);
    if (e == 0)
        e = write_arrays(fd, base, (const struct pb_problem *)h, p);
    free(h);
    if (e == 0 && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE |
                                             F_SEAL_SEAL) != 0)
        e = -errno;
    return e;
}

/* Reads one byte of every page of the bytes at base, so that this process maps them all. */
static void touch_pages(const char *base, size_t bytes)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    for (size_t off = 0; off < bytes; off += page)
        (void)*(volatile const char *)(base + off);
}

/* Maps the sealed memfd read-only over the reservation at base, every page mapped here too so
 * that a run's PSS counts half of each. Returns 0 or -errno. */
static int map_sealed(int fd, char *base, size_t bytes)
{
    void *m = mmap(base, bytes, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);
    if (m == MAP_FAILED)
        return -errno;
    touch_pages(base, bytes);
    return 0;
}

int pb_sealed_make(struct pb_sealed *s, const struct pb_problem *p, const struct pb_params *k)
{
    *s = (struct pb_sealed){ 0 };
    size_t header = layout(s, p, k);
    int e = 0, fd = memfd_create("pb-input", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return -errno;
    char *base = mmap(NULL, s->bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int *fault = mmap(NULL, sizeof *fault, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                      -1, 0);
    if (base == MAP_FAILED || fault == MAP_FAILED)
        e = -errno;
    else if (ftruncate(fd, (off_t)s->bytes) != 0)
        e = -errno;
    if (e == 0)
        e = fill_and_seal(fd, base, s, header, p, k);
    if (e == 0)
        e = map_sealed(fd, base, s->bytes);
    close(fd);
    s->base = base == MAP_FAILED ? NULL : base;
    s->fault = fault == MAP_FAILED ? NULL : fault;
    if (e) {
        pb_sealed_free(s);
        return e;
    }
    s->p = (const struct pb_problem *)base;
    s->k = (const struct pb_params *)(base + round_up(sizeof *p, 16));
    return 0;
}

/* The SIGSEGV handler of the run child: records the part a fault inside the sealed copy hit.
 * SA_RESETHAND has restored the default action, so the faulting store runs again on return
 * and the signal ends the process as any crash does. */
static void on_fault(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    const char *a = si->si_addr;
    if (!armed.base || a < armed.base || a >= armed.base + armed.bytes)
        return;
    size_t off = (size_t)(a - armed.base);
    int part = 0;
    while (part < PB_SEALED_NPARTS - 1 && off >= armed.end[part])
        part++;
    *armed.fault = part + 1;
}

int pb_sealed_arm(const struct pb_sealed *s)
{
    armed.base = s->base;
    armed.bytes = s->bytes;
    memcpy(armed.end, s->end, sizeof armed.end);
    armed.fault = s->fault;
    struct sigaction sa = { .sa_sigaction = on_fault,
                            .sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER };
    sigemptyset(&sa.sa_mask);
    touch_pages(s->base, s->bytes);  /* fork maps no page of a shared mapping: map them before
                                        the memory floor and the timed call, as the inherited
                                        arrays were */
    return sigaction(SIGSEGV, &sa, NULL) == 0 ? 0 : -errno;
}

/* Drops this process's pages wholly inside the len bytes at a (MADV_DONTNEED: a private page
 * reads as zero afterwards; the harness's own copy is untouched). */
static void drop_pages(const void *a, size_t len)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = ((uintptr_t)a + page - 1) & ~(page - 1), hi = ((uintptr_t)a + len) & ~(page - 1);
    if (a && hi > lo)
        madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

void pb_sealed_drop_original(const struct pb_problem *p)
{
    size_t n = p->x ? p->n : 0;
    const void *d[] = { p->x, p->y, p->z }, *f[] = { p->xf, p->yf, p->zf };
    for (int c = 0; c < 3; c++) {
        drop_pages(d[c], n * sizeof(double));
        drop_pages(f[c], n * sizeof(float));
    }
}

const char *pb_sealed_written(const struct pb_sealed *s)
{
    static const char *const names[PB_SEALED_NPARTS] = { "problem", "parameters", "points",
                                                         "edges" };
    int f = s->fault ? *s->fault : 0;
    return f >= 1 && f <= PB_SEALED_NPARTS ? names[f - 1] : NULL;
}

void pb_sealed_free(struct pb_sealed *s)
{
    if (s->base)
        munmap(s->base, s->bytes);
    if (s->fault)
        munmap(s->fault, sizeof *s->fault);
    *s = (struct pb_sealed){ 0 };
}
