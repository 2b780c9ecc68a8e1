/*
 * file.c — atomic output files and small path helpers (see file.h).
 */
#include "core/file.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"

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

int fu_partial_track(const char *path)
{
    return claim_slot(path);
}

void fu_partial_untrack(int slot)
{
    release_slot(slot);
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

static const char *kind_of(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO (named pipe)";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    return "not a regular file";
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
    /* The output is renamed into place: over /dev/null, a FIFO or a link to a
     * device that would replace the special file itself. */
    if (stat(final_path, &st) == 0 && !S_ISREG(st.st_mode))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "output %s is %s, not a regular file; refused", final_path,
                       kind_of(st.st_mode));
    return FACEFUSE_OK;
}

/* 1 when name is "<base>.partial-XXXXXX" (mkstemp's six characters). */
static int is_partial_of(const char *name, const char *base)
{
    static const char tag[] = ".partial-";
    size_t n = strlen(base);
    return strncmp(name, base, n) == 0 && strncmp(name + n, tag, sizeof tag - 1) == 0 &&
           strlen(name + n + sizeof tag - 1) == 6;
}

/* Removes the partial files of final_path that no live run holds locked:
 * those a killed run left behind. One held by a running process stays. */
static void remove_stale_partials(const char *final_path)
{
    char dir[PATH_MAX], path[PATH_MAX];
    const char *slash = strrchr(final_path, '/');
    const char *base = slash ? slash + 1 : final_path;
    struct dirent *e;

    directory_of(final_path, dir, sizeof dir);
    DIR *d = opendir(dir);
    if (!d)
        return;
    while ((e = readdir(d))) {
        if (!is_partial_of(e->d_name, base))
            continue;
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path)
            continue;
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (fd < 0)
            continue;
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && flock(fd, LOCK_EX | LOCK_NB) == 0) {
            if (unlink(path) == 0)
                fu_info("removed %s, left by an interrupted run", path);
        } else if (S_ISREG(st.st_mode)) {
            fu_warn("%s is being written by another running facefuse", path);
        }
        close(fd);
    }
    closedir(d);
}

facefuse_status fu_output_begin(fu_output *out, const char *final_path, fu_err *err)
{
    facefuse_status rc;

    memset(out, 0, sizeof *out);
    out->slot = -1;
    out->lock_fd = -1;
    if ((rc = fu_output_check(final_path, err)) != FACEFUSE_OK)
        return rc;

    remove_stale_partials(final_path);
    snprintf(out->final_path, sizeof out->final_path, "%s", final_path);
    snprintf(out->temp_path, sizeof out->temp_path, "%s.partial-XXXXXX", final_path);
    int fd = mkostemp(out->temp_path, O_CLOEXEC);
    if (fd < 0)
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot create %s: %s", out->temp_path, strerror(errno));
    /* mkstemp makes the file 0600; the output should get the usual mode. */
    fchmod(fd, 0666 & ~process_umask());
    /* Held until commit or abort (or the process dies): tells the next run
     * that this partial file is alive. */
    flock(fd, LOCK_EX | LOCK_NB);
    out->lock_fd = fd;
    out->slot = claim_slot(out->temp_path);
    return FACEFUSE_OK;
}

static void release_lock(fu_output *out)
{
    if (out->lock_fd >= 0)
        close(out->lock_fd);
    out->lock_fd = -1;
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
    release_lock(out);
    release_slot(out->slot);
    out->slot = -1;
    out->temp_path[0] = '\0';
    return FACEFUSE_OK;
}

void fu_output_abort(fu_output *out)
{
    if (out->temp_path[0]) { /* a zeroed, never begun output holds no descriptor */
        unlink(out->temp_path);
        release_lock(out);
    }
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

const char *fu_first_audio_path(const char *const *paths, int n)
{
    for (int i = 0; paths && i < n; i++)
        if (fu_path_is_audio(paths[i]))
            return paths[i];
    return NULL;
}

int fu_file_exists(const char *path)
{
    struct stat st;
    return path && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}


/* The message for a path that stat/open refused with errno e. */
static facefuse_status refuse_errno(const char *path, const char *what, int e, fu_err *err)
{
    if (e == ENOENT || e == ENOTDIR)
        return fu_fail(err, FACEFUSE_ERR_NOT_FOUND, "%s %s does not exist", what, path);
    if (e == ELOOP)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "%s %s: symbolic link loop (too many levels of links)",
                       what, path);
    return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "%s %s cannot be read: %s", what, path, strerror(e));
}

static facefuse_status refuse_kind(const char *path, const char *what, mode_t mode, fu_err *err)
{
    return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "%s %s is %s, not a regular file; refused", what, path,
                   kind_of(mode));
}

facefuse_status fu_input_check(const char *path, const char *what, fu_err *err)
{
    struct stat st;

    if (!path || !*path)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "no %s given", what);
    if (stat(path, &st) != 0)
        return refuse_errno(path, what, errno, err);
    if (!S_ISREG(st.st_mode))
        return refuse_kind(path, what, st.st_mode, err);
    if (access(path, R_OK) != 0)
        return refuse_errno(path, what, errno, err);
    return FACEFUSE_OK;
}

int fu_open_regular(const char *path, int flags, const char *what, fu_err *err)
{
    struct stat st;
    /* O_NONBLOCK: opening a FIFO without a writer returns at once. */
    int fd = open(path, flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        refuse_errno(path, what, errno, err);
        return -1;
    }
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        refuse_errno(path, what, e, err);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        refuse_kind(path, what, st.st_mode, err);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
}

int fu_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return a && b && stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
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
