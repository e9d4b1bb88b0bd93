/* fileid.h — the identity of a file as bench records it: size, modification time and the
 * FNV-1a 64 hash of its bytes. A points file's is kept in NAME.json so --resume can refuse a
 * changed one; a plugin library's is kept with what the library brought. */
#ifndef PAIRBENCH_FILEID_H
#define PAIRBENCH_FILEID_H

struct pb_file_id {
    long long size;                  /* bytes */
    long long mtime_ns;              /* st_mtim in nanoseconds */
    char hash[17];                   /* FNV-1a 64 of the bytes, hex */
};

/* Fills id from the regular file at path (stat, then its bytes hashed). Returns 0, -EINVAL
 * for what is not a regular file, or -errno. */
int pb_file_identify(const char *path, struct pb_file_id *id);

#endif
