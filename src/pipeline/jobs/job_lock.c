/*
 * job_lock.c — flock-based slots and job liveness locks (see job_lock.h).
 */
#include "pipeline/jobs/job_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"

/* 1 if fd is still the file at path (not unlinked by the holder before us). */
static int still_linked(int fd, const char *path)
{
    struct stat a, b;
    return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

int fu_lock_try(const char *path, fu_lock *lock, fu_err *err)
{
    lock->fd = -1;
    for (int attempt = 0; attempt < 8; attempt++) {
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) {
            fu_fail(err, FACEFUSE_ERR_IO, "cannot open the lock file %s: %s", path, strerror(errno));
            return -1;
        }
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            int e = errno;
            close(fd);
            if (e == EWOULDBLOCK)
                return 0;
            fu_fail(err, FACEFUSE_ERR_IO, "cannot lock %s: %s", path, strerror(e));
            return -1;
        }
        if (still_linked(fd, path)) {
            lock->fd = fd;
            return 1;
        }
        close(fd); /* the holder removed it as we took it: take the new file */
    }
    fu_fail(err, FACEFUSE_ERR_IO, "cannot lock %s: it keeps being replaced", path);
    return -1;
}

void fu_lock_release_remove(fu_lock *lock, const char *path)
{
    if (lock->fd >= 0)
        unlink(path);
    fu_lock_release(lock);
}

void fu_lock_release(fu_lock *lock)
{
    if (lock->fd >= 0) {
        flock(lock->fd, LOCK_UN);
        close(lock->fd);
    }
    lock->fd = -1;
}

facefuse_status fu_job_default_lock_dir(char *out, size_t size, fu_err *err)
{
    const char *env = getenv("FACEFUSE_LOCK_DIR");
    const char *runtime = getenv("XDG_RUNTIME_DIR");
    if (env && *env)
        snprintf(out, size, "%s", env);
    else if (runtime && *runtime)
        snprintf(out, size, "%s/facefuse", runtime);
    else
        snprintf(out, size, "/tmp/facefuse-%ld", (long)getuid());
    return fu_mkdirs(out, err);
}

int fu_job_slot_try(const char *lock_dir, int concurrency, fu_lock *lock, int *slot, fu_err *err)
{
    char path[PATH_MAX];
    if (concurrency < 1)
        concurrency = 1;
    for (int k = 0; k < concurrency; k++) {
        snprintf(path, sizeof path, "%s/slot-%d.lock", lock_dir, k);
        int got = fu_lock_try(path, lock, err);
        if (got != 0) {
            *slot = k;
            return got;
        }
    }
    return 0;
}

void fu_job_lock_path(const char *jobs_path, const char *job_id, char *out, size_t size)
{
    snprintf(out, size, "%s/locks/%s.lock", jobs_path, job_id);
}
