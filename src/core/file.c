/*
 * file.c — atomic output files and small path helpers (see file.h).
 */
#include "core/file.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_PARTIAL 64

/* Paths of partial files in flight. A slot is claimed under the lock; the
 * signal handler only reads the fixed arrays and calls unlink(). */
static char partial_paths[MAX_PARTIAL][PATH_MAX];
static volatile sig_atomic_t partial_used[MAX_PARTIAL];
static pthread_mutex_t partial_lock = PTHREAD_MUTEX_INITIALIZER;

static int claim_slot(const char *path)
{
    pthread_mutex_lock(&partial_lock);
    for (int i = 0; i < MAX_PARTIAL; i++) {
        if (!partial_used[i]) {
            snprintf(partial_paths[i], PATH_MAX, "%s", path);
            partial_used[i] = 1;
            pthread_mutex_unlock(&partial_lock);
            return i;
        }
    }
    pthread_mutex_unlock(&partial_lock);
    return -1;
}

static void release_slot(int slot)
{
    if (slot < 0)
        return;
    pthread_mutex_lock(&partial_lock);
    partial_used[slot] = 0;
    pthread_mutex_unlock(&partial_lock);
}

void fu_output_remove_all_partial(void)
{
    for (int i = 0; i < MAX_PARTIAL; i++)
        if (partial_used[i])
            unlink(partial_paths[i]);
}

static mode_t umask_value;
static pthread_once_t umask_once = PTHREAD_ONCE_INIT;

static void read_umask(void)
{
    umask_value = umask(022);
    umask(umask_value);
}

static mode_t process_umask(void)
{
    pthread_once(&umask_once, read_umask);
    return umask_value;
}

static void directory_of(const char *path, char *dir, size_t size)
{
    snprintf(dir, size, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, size, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
}

int fu_output_remove_stale(const char *final_path, int older_than_s)
{
    char dir[PATH_MAX], prefix[PATH_MAX], path[2 * PATH_MAX];
    struct stat st;
    int removed = 0;
    directory_of(final_path, dir, sizeof dir);
    const char *slash = strrchr(final_path, '/');
    snprintf(prefix, sizeof prefix, "%s.partial-", slash ? slash + 1 : final_path);
    DIR *d = opendir(dir);
    struct dirent *e;
    time_t now = time(NULL);
    while (d && (e = readdir(d))) {
        if (strncmp(e->d_name, prefix, strlen(prefix)))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && now - st.st_mtime > older_than_s && unlink(path) == 0)
            removed++;
    }
    if (d)
        closedir(d);
    return removed;
}

facefuse_status fu_output_check(const char *final_path, fu_err *err)
{
    char dir[PATH_MAX];
    struct stat st;

    if (!final_path || !*final_path)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "no output path given");
    if (strlen(final_path) + 20 >= PATH_MAX)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "output path too long: %s", final_path);
    directory_of(final_path, dir, sizeof dir);
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return fu_fail(err, FACEFUSE_ERR_IO, "output directory %s does not exist (for %s)", dir,
                       final_path);
    if (access(dir, W_OK) != 0)
        return fu_fail(err, FACEFUSE_ERR_IO, "output directory %s is not writable", dir);
    if (stat(final_path, &st) == 0 && S_ISDIR(st.st_mode))
        return fu_fail(err, FACEFUSE_ERR_IO, "output path %s is a directory", final_path);
    return FACEFUSE_OK;
}

facefuse_status fu_output_begin(fu_output *out, const char *final_path, fu_err *err)
{
    facefuse_status rc;

    memset(out, 0, sizeof *out);
    out->slot = -1;
    if ((rc = fu_output_check(final_path, err)) != FACEFUSE_OK)
        return rc;

    snprintf(out->final_path, sizeof out->final_path, "%s", final_path);
    snprintf(out->temp_path, sizeof out->temp_path, "%s.partial-XXXXXX", final_path);
    int fd = mkstemp(out->temp_path);
    if (fd < 0)
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot create %s: %s", out->temp_path, strerror(errno));
    /* mkstemp makes the file 0600; the output should get the usual mode. */
    fchmod(fd, 0666 & ~process_umask());
    close(fd);
    out->slot = claim_slot(out->temp_path);
    return FACEFUSE_OK;
}

facefuse_status fu_output_commit(fu_output *out, fu_err *err)
{
    if (!out->temp_path[0])
        return fu_fail(err, FACEFUSE_ERR_INTERNAL, "output %s was not begun", out->final_path);
    if (rename(out->temp_path, out->final_path) != 0) {
        int e = errno;
        fu_output_abort(out);
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot rename to %s: %s", out->final_path, strerror(e));
    }
    release_slot(out->slot);
    out->slot = -1;
    out->temp_path[0] = '\0';
    return FACEFUSE_OK;
}

void fu_output_abort(fu_output *out)
{
    if (out->temp_path[0])
        unlink(out->temp_path);
    release_slot(out->slot);
    out->slot = -1;
    out->temp_path[0] = '\0';
}

const char *fu_path_extension(const char *path, char *buf, size_t size)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(path, '.');
    size_t i = 0;

    if (size == 0)
        return buf;
    if (dot && (!slash || dot > slash))
        for (dot++; *dot && i + 1 < size; dot++)
            buf[i++] = (char)tolower((unsigned char)*dot);
    buf[i] = '\0';
    return buf;
}

const char *fu_path_stem(const char *path, char *buf, size_t size)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    snprintf(buf, size, "%s", name);
    char *dot = strrchr(buf, '.');
    if (dot && dot != buf)
        *dot = '\0';
    return buf;
}

int fu_path_is_audio(const char *path)
{
    static const char *const audio[] = {"mp3", "wav", "flac", "aac", "m4a", "ogg", "opus", "wma", "aiff", "aif"};
    char ext[16];
    fu_path_extension(path, ext, sizeof ext);
    for (size_t i = 0; i < sizeof audio / sizeof audio[0]; i++)
        if (strcmp(ext, audio[i]) == 0)
            return 1;
    return 0;
}

int fu_file_exists(const char *path)
{
    struct stat st;
    return path && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

facefuse_status fu_mkdirs(const char *path, fu_err *err)
{
    char buf[PATH_MAX];
    struct stat st;

    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return fu_fail(err, FACEFUSE_ERR_IO, "cannot create directory %s: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot create directory %s: %s", buf, strerror(errno));
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
        return fu_fail(err, FACEFUSE_ERR_IO, "%s is not a directory", buf);
    return FACEFUSE_OK;
}
