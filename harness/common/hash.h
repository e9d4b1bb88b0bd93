/* hash.h — FNV-1a 64 (Fowler, Noll, Vo): the hash of a config's bytes (which keys --resume)
 * and of a summary group's key (which seeds its bootstrap). Both are stored or repeat across
 * runs, so the constants must never change. Not for security. */
#ifndef PAIRBENCH_HASH_H
#define PAIRBENCH_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The FNV-1a 64 offset basis: the hash of no bytes, where every hash starts. */
#define PB_FNV1A64_INIT 0xcbf29ce484222325ull

/* FNV-1a 64 of len bytes continuing from h (PB_FNV1A64_INIT to start), so a text may be
 * hashed piece by piece: the pieces' hash is the hash of their concatenation. */
static inline uint64_t pb_fnv1a64(uint64_t h, const void *bytes, size_t len)
{
    const unsigned char *b = bytes;
    for (size_t i = 0; i < len; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

/* h as 16 lower-case hex digits and a NUL into hex[17]. Returns hex. */
static inline char *pb_fnv1a64_hex(uint64_t h, char hex[17])
{
    snprintf(hex, 17, "%016llx", (unsigned long long)h);
    return hex;
}

#endif
