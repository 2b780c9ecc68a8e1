/*
 * job_store.c — the SQLite job store (see job_store.h).
 *
 * Two tables: jobs (one row a job) and steps (job_id, idx, args, status).
 * Every public call takes the handle's mutex and runs one transaction
 * (BEGIN IMMEDIATE for writes, so two processes never interleave a
 * read-modify-write); SQLite's busy timeout makes a second process wait
 * instead of failing while the first one commits.
 */
#include "pipeline/jobs/job_store.h"

#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <sqlite3.h>

#include "core/file.h"
#include "pipeline/jobs/job_args.h"

#define SCHEMA_VERSION 1
#define BUSY_TIMEOUT_MS 15000

struct fu_job_store {
    sqlite3 *db;
    char jobs_path[PATH_MAX];
    pthread_mutex_t lock;
    pthread_cond_t changed;
    uint64_t version;
};

static const char *const job_status_names[FU_JOB_STATUS_COUNT] = {"drafted",   "queued", "running",
                                                                  "completed", "failed", "cancelled"};
static const char *const step_status_names[] = {"drafted", "queued", "started", "completed", "failed"};

const char *fu_job_status_name(fu_job_status status)
{
    return status >= 0 && status < FU_JOB_STATUS_COUNT ? job_status_names[status] : "unknown";
}

int fu_job_status_parse(const char *name, fu_job_status *status)
{
    for (int i = 0; name && i < FU_JOB_STATUS_COUNT; i++)
        if (strcmp(name, job_status_names[i]) == 0) {
            *status = (fu_job_status)i;
            return 0;
        }
    return -1;
}

const char *fu_step_status_name(fu_step_status status)
{
    return status >= FU_STEP_DRAFTED && status <= FU_STEP_FAILED ? step_status_names[status] : "unknown";
}

static int step_status_of(const char *name)
{
    for (int i = 0; i <= FU_STEP_FAILED; i++)
        if (name && strcmp(name, step_status_names[i]) == 0)
            return i;
    return FU_STEP_FAILED;
}

/* ------------------------------------------------------------ SQL helpers */

static facefuse_status db_fail(fu_job_store *s, fu_err *err, const char *what)
{
    return fu_fail(err, FACEFUSE_ERR_IO, "job store %s/jobs.db: %s: %s", s->jobs_path, what, sqlite3_errmsg(s->db));
}

static facefuse_status exec(fu_job_store *s, const char *sql, fu_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fu_fail(err, FACEFUSE_ERR_IO, "job store %s/jobs.db: %s", s->jobs_path, msg ? msg : "error");
        sqlite3_free(msg);
        return FACEFUSE_ERR_IO;
    }
    return FACEFUSE_OK;
}

/* Prepares sql and binds the text arguments of fmt ('s' text, 'i' int,
 * 'd' double, 'I' int64) in order. */
static facefuse_status prepare(fu_job_store *s, sqlite3_stmt **st, const char *sql, fu_err *err, const char *fmt,
                               ...)
{
    va_list ap;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
    if (rc != SQLITE_OK)
        return db_fail(s, err, "prepare");
    va_start(ap, fmt);
    for (int i = 0; fmt && fmt[i]; i++) {
        switch (fmt[i]) {
        case 's': {
            const char *v = va_arg(ap, const char *);
            rc = v ? sqlite3_bind_text(*st, i + 1, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(*st, i + 1);
            break;
        }
        case 'i': rc = sqlite3_bind_int(*st, i + 1, va_arg(ap, int)); break;
        case 'I': rc = sqlite3_bind_int64(*st, i + 1, va_arg(ap, int64_t)); break;
        case 'd': rc = sqlite3_bind_double(*st, i + 1, va_arg(ap, double)); break;
        default: rc = SQLITE_MISUSE; break;
        }
        if (rc != SQLITE_OK)
            break;
    }
    va_end(ap);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(*st);
        *st = NULL;
        return db_fail(s, err, "bind");
    }
    return FACEFUSE_OK;
}

/* Runs a statement that returns no rows, then finalizes it. */
static facefuse_status run(fu_job_store *s, sqlite3_stmt *st, fu_err *err)
{
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return db_fail(s, err, "write");
    return FACEFUSE_OK;
}

static facefuse_status begin(fu_job_store *s, fu_err *err)
{
    return exec(s, "BEGIN IMMEDIATE", err);
}

/* Commits when st is OK, else rolls back; returns st (or the commit error). */
static facefuse_status end(fu_job_store *s, facefuse_status st, fu_err *err)
{
    if (st == FACEFUSE_OK) {
        st = exec(s, "COMMIT", err);
        if (st == FACEFUSE_OK) {
            s->version++;
            pthread_cond_broadcast(&s->changed);
            return FACEFUSE_OK;
        }
    }
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return st;
}

static void now_iso(char *out, size_t size)
{
    struct timeval tv;
    struct tm tm;
    char base[24];
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, size, "%s.%06ldZ", base, (long)tv.tv_usec);
}

/* ------------------------------------------------------------ open / close */

static const char *const schema =
    "CREATE TABLE IF NOT EXISTS jobs ("
    "  id TEXT PRIMARY KEY,"
    "  status TEXT NOT NULL,"
    "  date_created TEXT NOT NULL,"
    "  date_updated TEXT,"
    "  progress REAL NOT NULL DEFAULT 0,"
    "  frames_done INTEGER NOT NULL DEFAULT 0,"
    "  frames_total INTEGER NOT NULL DEFAULT 0,"
    "  fps REAL NOT NULL DEFAULT 0,"
    "  auto_run INTEGER NOT NULL DEFAULT 0,"
    "  cancel_requested INTEGER NOT NULL DEFAULT 0,"
    "  label TEXT NOT NULL DEFAULT '',"
    "  error TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE IF NOT EXISTS steps ("
    "  job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
    "  idx INTEGER NOT NULL,"
    "  args TEXT NOT NULL,"
    "  status TEXT NOT NULL,"
    "  PRIMARY KEY (job_id, idx));"
    "CREATE INDEX IF NOT EXISTS jobs_by_status ON jobs(status);";

static facefuse_status create_schema(fu_job_store *s, fu_err *err)
{
    sqlite3_stmt *st;
    int version = 0;
    facefuse_status rc = begin(s, err);
    if (rc != FACEFUSE_OK)
        return rc;
    if ((rc = prepare(s, &st, "PRAGMA user_version", err, NULL)) == FACEFUSE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            version = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    if (rc == FACEFUSE_OK && version > SCHEMA_VERSION)
        rc = fu_fail(err, FACEFUSE_ERR_UNSUPPORTED, "job store %s/jobs.db was made by a newer facefuse (schema %d)",
                     s->jobs_path, version);
    if (rc == FACEFUSE_OK && version < SCHEMA_VERSION) {
        rc = exec(s, schema, err);
        if (rc == FACEFUSE_OK)
            rc = exec(s, "PRAGMA user_version = 1", err);
    }
    return end(s, rc, err);
}

facefuse_status fu_job_store_open(const char *jobs_path, fu_job_store **out, fu_err *err)
{
    char path[PATH_MAX + 16];
    facefuse_status rc;
    fu_job_store *s;

    *out = NULL;
    if (!jobs_path || !*jobs_path)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "no jobs path given (--jobs-path)");
    if (strlen(jobs_path) >= PATH_MAX - 16)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "jobs path too long: %s", jobs_path);
    if ((rc = fu_mkdirs(jobs_path, err)) != FACEFUSE_OK)
        return rc;
    s = calloc(1, sizeof *s);
    if (!s)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory opening the job store");
    snprintf(s->jobs_path, sizeof s->jobs_path, "%s", jobs_path);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->changed, NULL);
    snprintf(path, sizeof path, "%s/jobs.db", jobs_path);
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) !=
        SQLITE_OK) {
        rc = fu_fail(err, FACEFUSE_ERR_IO, "cannot open the job store %s: %s", path,
                     s->db ? sqlite3_errmsg(s->db) : "out of memory");
        fu_job_store_close(s);
        return rc;
    }
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    rc = exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;", err);
    if (rc == FACEFUSE_OK)
        rc = create_schema(s, err);
    if (rc != FACEFUSE_OK) {
        fu_job_store_close(s);
        return rc;
    }
    *out = s;
    return FACEFUSE_OK;
}

void fu_job_store_close(fu_job_store *s)
{
    if (!s)
        return;
    sqlite3_close(s->db);
    pthread_cond_destroy(&s->changed);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

const char *fu_job_store_jobs_path(const fu_job_store *s)
{
    return s->jobs_path;
}

facefuse_status fu_job_store_check(fu_job_store *s, fu_err *err)
{
    sqlite3_stmt *st;
    facefuse_status rc;
    pthread_mutex_lock(&s->lock);
    rc = prepare(s, &st, "PRAGMA integrity_check", err, NULL);
    if (rc == FACEFUSE_OK) {
        const char *v = sqlite3_step(st) == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
        if (!v || strcmp(v, "ok") != 0)
            rc = fu_fail(err, FACEFUSE_ERR_IO, "job store %s/jobs.db is damaged: %s", s->jobs_path,
                         v ? v : sqlite3_errmsg(s->db));
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

uint64_t fu_job_store_version(fu_job_store *s)
{
    pthread_mutex_lock(&s->lock);
    uint64_t v = s->version;
    pthread_mutex_unlock(&s->lock);
    return v;
}

void fu_job_store_wait(fu_job_store *s, uint64_t *seen, int timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&s->lock);
    while (s->version == *seen)
        if (pthread_cond_timedwait(&s->changed, &s->lock, &until) == ETIMEDOUT)
            break;
    *seen = s->version;
    pthread_mutex_unlock(&s->lock);
}

/* ------------------------------------------------------------ reading */

#define JOB_COLUMNS                                                                                               \
    "j.id, j.status, j.date_created, COALESCE(j.date_updated, ''), "                                              \
    "(SELECT COUNT(*) FROM steps WHERE job_id = j.id), j.progress, j.frames_done, j.frames_total, j.fps, "        \
    "j.auto_run, j.cancel_requested, j.label, j.error"
#define JOB_ORDER " ORDER BY COALESCE(j.date_updated, j.date_created), j.rowid"

static void copy_column(sqlite3_stmt *st, int col, char *out, size_t size)
{
    const char *v = (const char *)sqlite3_column_text(st, col);
    snprintf(out, size, "%s", v ? v : "");
}

static void read_job_row(sqlite3_stmt *st, fu_job_info *j)
{
    char status[16];
    memset(j, 0, sizeof *j);
    copy_column(st, 0, j->id, sizeof j->id);
    copy_column(st, 1, status, sizeof status);
    if (fu_job_status_parse(status, &j->status) != 0)
        j->status = FU_JOB_FAILED;
    copy_column(st, 2, j->date_created, sizeof j->date_created);
    copy_column(st, 3, j->date_updated, sizeof j->date_updated);
    j->step_count = sqlite3_column_int(st, 4);
    j->progress = sqlite3_column_double(st, 5);
    j->frames_done = sqlite3_column_int64(st, 6);
    j->frames_total = sqlite3_column_int64(st, 7);
    j->fps = sqlite3_column_double(st, 8);
    j->auto_run = sqlite3_column_int(st, 9);
    j->cancel_requested = sqlite3_column_int(st, 10);
    copy_column(st, 11, j->label, sizeof j->label);
    copy_column(st, 12, j->error, sizeof j->error);
}

/* Reads one job (caller holds the lock). */
static facefuse_status load_job(fu_job_store *s, const char *id, fu_job_info *info, fu_err *err)
{
    sqlite3_stmt *st;
    facefuse_status rc = prepare(s, &st, "SELECT " JOB_COLUMNS " FROM jobs j WHERE j.id = ?1", err, "s", id);
    if (rc != FACEFUSE_OK)
        return rc;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        read_job_row(st, info);
    else if (step == SQLITE_DONE)
        rc = fu_fail(err, FACEFUSE_ERR_NOT_FOUND, "job %s does not exist", id);
    else
        rc = db_fail(s, err, "read");
    sqlite3_finalize(st);
    return rc;
}

facefuse_status fu_job_get(fu_job_store *s, const char *id, fu_job_info *info, fu_err *err)
{
    pthread_mutex_lock(&s->lock);
    facefuse_status rc = load_job(s, id, info, err);
    pthread_mutex_unlock(&s->lock);
    return rc;
}

static facefuse_status list_locked(fu_job_store *s, int status, fu_job_info **jobs, int *count, fu_err *err)
{
    sqlite3_stmt *st;
    facefuse_status rc;
    int n = 0, cap = 16;
    fu_job_info *v = malloc((size_t)cap * sizeof *v);

    *jobs = NULL;
    *count = 0;
    if (!v)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory listing jobs");
    if (status >= 0)
        rc = prepare(s, &st, "SELECT " JOB_COLUMNS " FROM jobs j WHERE j.status = ?1" JOB_ORDER, err, "s",
                     fu_job_status_name((fu_job_status)status));
    else
        rc = prepare(s, &st, "SELECT " JOB_COLUMNS " FROM jobs j" JOB_ORDER, err, NULL);
    if (rc != FACEFUSE_OK) {
        free(v);
        return rc;
    }
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            fu_job_info *bigger = realloc(v, (size_t)cap * 2 * sizeof *v);
            if (!bigger) {
                rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory listing jobs");
                break;
            }
            v = bigger;
            cap *= 2;
        }
        read_job_row(st, &v[n++]);
    }
    if (rc == FACEFUSE_OK && step != SQLITE_DONE)
        rc = db_fail(s, err, "list");
    sqlite3_finalize(st);
    if (rc != FACEFUSE_OK) {
        free(v);
        return rc;
    }
    *jobs = v;
    *count = n;
    return FACEFUSE_OK;
}

facefuse_status fu_job_list(fu_job_store *s, int status, fu_job_info **jobs, int *count, fu_err *err)
{
    pthread_mutex_lock(&s->lock);
    facefuse_status rc = list_locked(s, status, jobs, count, err);
    pthread_mutex_unlock(&s->lock);
    return rc;
}

static facefuse_status steps_locked(fu_job_store *s, const char *id, fu_job_step **steps, int *count, fu_err *err)
{
    sqlite3_stmt *st;
    int n = 0, cap = 8, step;
    fu_job_step *v;
    facefuse_status rc;

    *steps = NULL;
    *count = 0;
    if ((rc = prepare(s, &st, "SELECT args, status FROM steps WHERE job_id = ?1 ORDER BY idx", err, "s", id)) !=
        FACEFUSE_OK)
        return rc;
    v = malloc((size_t)cap * sizeof *v);
    if (!v) {
        sqlite3_finalize(st);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory reading steps");
    }
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            fu_job_step *bigger = realloc(v, (size_t)cap * 2 * sizeof *v);
            if (!bigger)
                break;
            v = bigger;
            cap *= 2;
        }
        v[n].args = strdup((const char *)sqlite3_column_text(st, 0));
        v[n].status = (fu_step_status)step_status_of((const char *)sqlite3_column_text(st, 1));
        if (!v[n].args)
            break;
        n++;
    }
    sqlite3_finalize(st);
    if (step != SQLITE_DONE) {
        fu_job_steps_free(v, n);
        return step == SQLITE_ROW ? fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory reading steps")
                                  : db_fail(s, err, "read steps");
    }
    *steps = v;
    *count = n;
    return FACEFUSE_OK;
}

facefuse_status fu_job_steps(fu_job_store *s, const char *id, fu_job_step **steps, int *count, fu_err *err)
{
    fu_job_info info;
    pthread_mutex_lock(&s->lock);
    facefuse_status rc = load_job(s, id, &info, err);
    if (rc == FACEFUSE_OK)
        rc = steps_locked(s, id, steps, count, err);
    pthread_mutex_unlock(&s->lock);
    return rc;
}

void fu_job_steps_free(fu_job_step *steps, int count)
{
    for (int i = 0; steps && i < count; i++)
        free(steps[i].args);
    free(steps);
}

/* ------------------------------------------------------------ writing */

/* Runs fn inside a write transaction under the lock. */
typedef facefuse_status (*write_fn)(fu_job_store *s, const void *arg, fu_err *err);

static facefuse_status in_transaction(fu_job_store *s, write_fn fn, const void *arg, fu_err *err)
{
    pthread_mutex_lock(&s->lock);
    facefuse_status rc = begin(s, err);
    if (rc == FACEFUSE_OK)
        rc = end(s, fn(s, arg, err), err);
    pthread_mutex_unlock(&s->lock);
    return rc;
}

static facefuse_status touch(fu_job_store *s, const char *id, fu_err *err)
{
    char now[32];
    sqlite3_stmt *st;
    now_iso(now, sizeof now);
    facefuse_status rc = prepare(s, &st, "UPDATE jobs SET date_updated = ?1 WHERE id = ?2", err, "ss", now, id);
    return rc == FACEFUSE_OK ? run(s, st, err) : rc;
}

static facefuse_status set_status(fu_job_store *s, const char *id, fu_job_status status, fu_err *err)
{
    sqlite3_stmt *st;
    facefuse_status rc =
        prepare(s, &st, "UPDATE jobs SET status = ?1 WHERE id = ?2", err, "ss", fu_job_status_name(status), id);
    if (rc == FACEFUSE_OK)
        rc = run(s, st, err);
    return rc == FACEFUSE_OK ? touch(s, id, err) : rc;
}

static facefuse_status set_all_steps(fu_job_store *s, const char *id, fu_step_status status, fu_err *err)
{
    sqlite3_stmt *st;
    facefuse_status rc = prepare(s, &st, "UPDATE steps SET status = ?1 WHERE job_id = ?2", err, "ss",
                                 fu_step_status_name(status), id);
    return rc == FACEFUSE_OK ? run(s, st, err) : rc;
}

static facefuse_status wrong_status(const fu_job_info *j, const char *what, fu_err *err)
{
    return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "job %s is %s; %s", j->id, fu_job_status_name(j->status),
                   what);
}

typedef struct job_arg {
    const char *id;
    int index;
    const char *args;
    int flag;
    const char *text;
    double d[3];
    int64_t n[2];
} job_arg;

static facefuse_status do_create(fu_job_store *s, const void *p, fu_err *err)
{
    const job_arg *a = p;
    fu_job_info j;
    char now[32];
    sqlite3_stmt *st;
    fu_err ignore;
    if (!fu_job_id_is_valid(a->id))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "invalid job id '%s'", a->id);
    if (load_job(s, a->id, &j, &ignore) == FACEFUSE_OK)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "job %s already exists (%s)", a->id,
                       fu_job_status_name(j.status));
    now_iso(now, sizeof now);
    facefuse_status rc = prepare(s, &st, "INSERT INTO jobs (id, status, date_created) VALUES (?1, 'drafted', ?2)",
                                 err, "ss", a->id, now);
    return rc == FACEFUSE_OK ? run(s, st, err) : rc;
}

facefuse_status fu_job_create(fu_job_store *s, const char *id, fu_err *err)
{
    job_arg a = {.id = id};
    return in_transaction(s, do_create, &a, err);
}

static facefuse_status do_submit(fu_job_store *s, const void *p, fu_err *err)
{
    const job_arg *a = p;
    fu_job_info j;
    facefuse_status rc = load_job(s, a->id, &j, err);
    if (rc != FACEFUSE_OK)
        return rc;
    if (j.status != FU_JOB_DRAFTED)
        return wrong_status(&j, "only a drafted job can be submitted", err);
    if (j.step_count == 0)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "job %s has no steps to submit", a->id);
    rc = set_all_steps(s, a->id, FU_STEP_QUEUED, err);
    return rc == FACEFUSE_OK ? set_status(s, a->id, FU_JOB_QUEUED, err) : rc;
}

facefuse_status fu_job_submit(fu_job_store *s, const char *id, fu_err *err)
{
    job_arg a = {.id = id};
    return in_transaction(s, do_submit, &a, err);
}

/* Applies one-job fn to each job of status: FaceFusion's "all" commands. */
static facefuse_status for_all(fu_job_store *s, int status, facefuse_status (*fn)(fu_job_store *, const char *, fu_err *),
                               int halt_on_error, const char *none, fu_err *err)
{
    fu_job_info *jobs;
    int n, failed = 0;
    fu_err first;
    facefuse_status rc = fu_job_list(s, status, &jobs, &n, err);
    if (rc != FACEFUSE_OK)
        return rc;
    fu_err_clear(&first);
    if (n == 0) {
        free(jobs);
        return fu_fail(err, FACEFUSE_ERR_NOT_FOUND, "%s", none);
    }
    for (int i = 0; i < n; i++) {
        fu_err e;
        fu_err_clear(&e);
        if (fn(s, jobs[i].id, &e) != FACEFUSE_OK) {
            if (!failed++)
                first = e;
            if (halt_on_error)
                break;
        }
    }
    free(jobs);
    if (failed) {
        if (err) {
            *err = first;
            if (failed > 1) {
                size_t len = strlen(err->msg);
                snprintf(err->msg + len, sizeof err->msg - len, " (and %d more)", failed - 1);
            }
        }
        return first.code;
    }
    return FACEFUSE_OK;
}

facefuse_status fu_job_submit_all(fu_job_store *s, int halt_on_error, fu_err *err)
{
    return for_all(s, FU_JOB_DRAFTED, fu_job_submit, halt_on_error, "no drafted job to submit", err);
}

static facefuse_status do_delete(fu_job_store *s, const void *p, fu_err *err)
{
    const job_arg *a = p;
    fu_job_info j;
    sqlite3_stmt *st;
    facefuse_status rc = load_job(s, a->id, &j, err);
    if (rc != FACEFUSE_OK)
        return rc;
    if (j.status == FU_JOB_RUNNING)
        return wrong_status(&j, "cancel it before deleting it", err);
    rc = prepare(s, &st, "DELETE FROM jobs WHERE id = ?1", err, "s", a->id);
    return rc == FACEFUSE_OK ? run(s, st, err) : rc;
}

facefuse_status fu_job_delete(fu_job_store *s, const char *id, fu_err *err)
{
    job_arg a = {.id = id};
    return in_transaction(s, do_delete, &a, err);
}

facefuse_status fu_job_delete_all(fu_job_store *s, int halt_on_error, fu_err *err)
{
    return for_all(s, -1, fu_job_delete, halt_on_error, "no job to delete", err);
}

/* Loads a drafted job and turns step_index (negative = from the end) into
 * 0..count-1; fails for other statuses and out-of-range indexes. */
static facefuse_status drafted_step(fu_job_store *s, const char *id, int *step_index, fu_job_info *j,
                                    fu_err *err)
{
    facefuse_status rc = load_job(s, id, j, err);
    if (rc != FACEFUSE_OK)
        return rc;
    if (j->status != FU_JOB_DRAFTED)
        return wrong_status(j, "steps can only be changed while it is drafted", err);
    int index = *step_index < 0 ? j->step_count + *step_index : *step_index;
    if (index < 0 || index >= j->step_count)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "job %s has no step %d (it has %d step%s)", id,
                       *step_index, j->step_count, j->step_count == 1 ? "" : "s");
    *step_index = index;
    return FACEFUSE_OK;
}

static facefuse_status insert_at(fu_job_store *s, const char *id, int index, const char *args, fu_err *err)
{
    sqlite3_stmt *st;
    facefuse_status rc;
    /* Shift idx >= index up by one in two passes through negative values,
     * so the (job_id, idx) key is never duplicated mid-update. */
    rc = prepare(s, &st, "UPDATE steps SET idx = -idx - 2 WHERE job_id = ?1 AND idx >= ?2", err, "si", id, index);
    if (rc == FACEFUSE_OK)
        rc = run(s, st, err);
    if (rc == FACEFUSE_OK && (rc = prepare(s, &st, "UPDATE steps SET idx = -idx - 1 WHERE job_id = ?1 AND idx < 0",
                                           err, "s", id)) == FACEFUSE_OK)
        rc = run(s, st, err);
    if (rc == FACEFUSE_OK &&
        (rc = prepare(s, &st, "INSERT INTO steps (job_id, idx, args, status) VALUES (?1, ?2, ?3, 'drafted')", err,
                      "sis", id, index, args)) == FACEFUSE_OK)
        rc = run(s, st, err);
    return rc == FACEFUSE_OK ? touch(s, id, err) : rc;
}

static facefuse_status do_add_step(fu_job_store *s, const void *p, fu_err *err)
{
    const job_arg *a = p;
    fu_job_info j;
    facefuse_status rc = fu_job_args_check(a->args, err);
    if (rc == FACEFUSE_OK)
        rc = load_job(s, a->id, &j, err);
    if (rc != FACEFUSE_OK)
        return rc;
    if (j.status != FU_JOB_DRAFTED)
        return wrong_status(&j, "steps can only be added while it is drafted", err);
    return insert_at(s, a->id, j.step_count, a->args, err);
}

facefuse_status fu_job_add_step(fu_job_store *s, const char *id, const char *args_json, fu_err *err)
{
    job_arg a = {.id = id, .args = args_json};
    return in_transaction(s, do_add_step, &a, err);
}

static facefuse_status do_remix_step(fu_job_store *s, const void *p, fu_err *err)
{
    const job_arg *a = p;
    fu_job_info j;
    fu_job_step *steps = NULL;
    int count = 0, index = a->index, found;
    char output[PATH_MAX], step_output[PATH_MAX], *remixed = NULL;
    facefuse_status rc = fu_job_args_check(a->args, err);

    if (rc == FACEFUSE_OK)
        rc = drafted_step(s, a->id, &index, &j, err);
    if (rc == FACEFUSE_OK)
        rc = steps_locked(s, a->id, &steps, &count, err);
    if (rc == FACEFUSE_OK)
        rc = fu_job_args_first(steps[index].args, FU_ARG_OUTPUT_PATH, output, sizeof output, &found, err);
    if (rc == FACEFUSE_OK)
        rc = fu_job_step_output_path(a->id, index, found ? output : NULL, step_output, sizeof step_output, err);
    if (rc == FACEFUSE_OK) {
        const char *words[1] = {step_output};
        rc = fu_job_args_set(a->args, FU_ARG_TARGET_PATH, words, 1, &remixed, err);
    }
    if (rc == FACEFUSE_OK)
        rc = insert_at(s, a->id, j.step_count, remixed, err);
    free(remixed);
    fu_job_steps_free(steps, count);
    return rc;
}

facefuse_status fu_job_remix_step(fu_job_store *s, const char *id, int step_index, const char *args_json,
                                  fu_err *err)
{
    job_arg a = {.id = id, .index = step_index, .args = args_json};
    return in_transaction(s, do_remix_step, &a, err);
}

static facefuse_status do_insert_step(fu_job_store *s, const void *p, fu_err *err)
{
    const job_arg *a = p;
    fu_job_info j;
    int index = a->index;
    facefuse_status rc = fu_job_args_check(a->args, err);
    if (rc == FACEFUSE_OK)
        rc = drafted_step(s, a->id, &index, &j, err);
    return rc == FACEFUSE_OK ? insert_at(s, a->id, index, a->args, err) : rc;
}

facefuse_status fu_job_insert_step(fu_job_store *s, const char *id, int step_index, const char *args_json,
                                   fu_err *err)
{
    job_arg a = {.id = id, .index = step_index, .args = args_json};
    return in_transaction(s, do_insert_step, &a, err);
}

static facefuse_status do_remove_step(fu_job_store *s, const void *p, fu_err *err)
{
    const job_arg *a = p;
    fu_job_info j;
    sqlite3_stmt *st;
    int index = a->index;
    facefuse_status rc = drafted_step(s, a->id, &index, &j, err);
    if (rc == FACEFUSE_OK &&
        (rc = prepare(s, &st, "DELETE FROM steps WHERE job_id = ?1 AND idx = ?2", err, "si", a->id, index)) ==
            FACEFUSE_OK)
        rc = run(s, st, err);
    if (rc == FACEFUSE_OK &&
        (rc = prepare(s, &st, "UPDATE steps SET idx = -idx WHERE job_id = ?1 AND idx > ?2", err, "si", a->id,
                      index)) == FACEFUSE_OK)
        rc = run(s, st, err);
    if (rc == FACEFUSE_OK && (rc = prepare(s, &st, "UPDATE steps SET idx = -idx - 1 WHERE job_id = ?1 AND idx < 0",
                                           err, "s", a->id)) == FACEFUSE_OK)
        rc = run(s, st, err);
    return rc == FACEFUSE_OK ? touch(s, a->id, err) : rc;
}

facefuse_status fu_job_remove_step(fu_job_store *s, const char *id, int step_index, fu_err *err)
{
    job_arg a = {.id = id, .index = step_index};
    return in_transaction(s, do_remove_step, &a, err);
}

static facefuse_status do_set_meta(fu_job_store *s, const void *p, fu_err *err)
{
    const job_arg *a = p;
    fu_job_info j;
    sqlite3_stmt *st;
    facefuse_status rc = load_job(s, a->id, &j, err);
    if (rc == FACEFUSE_OK &&
        (rc = prepare(s, &st, "UPDATE jobs SET auto_run = ?1, label = COALESCE(?2, label) WHERE id = ?3", err, "iss",
                      a->flag, a->text, a->id)) == FACEFUSE_OK)
        rc = run(s, st, err);
    return rc;
}

facefuse_status fu_job_set_meta(fu_job_store *s, const char *id, int auto_run, const char *label, fu_err *err)
{
    job_arg a = {.id = id, .flag = auto_run, .text = label};
    return in_transaction(s, do_set_meta, &a, err);
}

static facefuse_status do_set_step_status(fu_job_store *s, const void *p, fu_err *err)
{
    const job_arg *a = p;
    fu_job_info j;
    sqlite3_stmt *st;
    facefuse_status rc = load_job(s, a->id, &j, err);
    if (rc != FACEFUSE_OK)
        return rc;
    if (a->index < 0 || a->index >= j.step_count)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "job %s has no step %d", a->id, a->index);
    rc = prepare(s, &st, "UPDATE steps SET status = ?1 WHERE job_id = ?2 AND idx = ?3", err, "ssi",
                 fu_step_status_name((fu_step_status)a->flag), a->id, a->index);
    if (rc == FACEFUSE_OK)
        rc = run(s, st, err);
    return rc == FACEFUSE_OK ? touch(s, a->id, err) : rc;
}

facefuse_status fu_job_set_step_status(fu_job_store *s, const char *id, int step_index, fu_step_status status,
                                       fu_err *err)
{
    job_arg a = {.id = id, .index = step_index, .flag = (int)status};
    return in_transaction(s, do_set_step_status, &a, err);
}

static facefuse_status do_set_steps_status(fu_job_store *s, const void *p, fu_err *err)
{
    const job_arg *a = p;
    fu_job_info j;
    facefuse_status rc = load_job(s, a->id, &j, err);
    if (rc == FACEFUSE_OK)
        rc = set_all_steps(s, a->id, (fu_step_status)a->flag, err);
    return rc == FACEFUSE_OK ? touch(s, a->id, err) : rc;
}

facefuse_status fu_job_set_steps_status(fu_job_store *s, const char *id, fu_step_status status, fu_err *err)
{
    job_arg a = {.id = id, .flag = (int)status};
    return in_transaction(s, do_set_steps_status, &a, err);
}

static facefuse_status do_claim(fu_job_store *s, const void *p, fu_err *err)
{
    const job_arg *a = p;
    fu_job_info j;
    sqlite3_stmt *st;
    facefuse_status rc = load_job(s, a->id, &j, err);
    if (rc != FACEFUSE_OK)
        return rc;
    if (j.status != FU_JOB_QUEUED)
        return wrong_status(&j, "only a queued job can be run", err);
    rc = prepare(s, &st,
                 "UPDATE jobs SET progress = 0, frames_done = 0, frames_total = 0, fps = 0, error = '', "
                 "cancel_requested = 0 WHERE id = ?1",
                 err, "s", a->id);
    if (rc == FACEFUSE_OK)
        rc = run(s, st, err);
    return rc == FACEFUSE_OK ? set_status(s, a->id, FU_JOB_RUNNING, err) : rc;
}

facefuse_status fu_job_claim(fu_job_store *s, const char *id, fu_err *err)
{
    job_arg a = {.id = id};
    return in_transaction(s, do_claim, &a, err);
}

static facefuse_status do_finish(fu_job_store *s, const void *p, fu_err *err)
{
    const job_arg *a = p;
    fu_job_info j;
    sqlite3_stmt *st;
    facefuse_status rc = load_job(s, a->id, &j, err);
    if (rc != FACEFUSE_OK)
        return rc;
    if (j.status != FU_JOB_RUNNING)
        return wrong_status(&j, "only a running job can finish", err);
    rc = prepare(s, &st,
                 "UPDATE jobs SET error = ?1, cancel_requested = 0, "
                 "progress = CASE WHEN ?2 = 'completed' THEN 1 ELSE progress END WHERE id = ?3",
                 err, "sss", a->text ? a->text : "", fu_job_status_name((fu_job_status)a->flag), a->id);
    if (rc == FACEFUSE_OK)
        rc = run(s, st, err);
    return rc == FACEFUSE_OK ? set_status(s, a->id, (fu_job_status)a->flag, err) : rc;
}

facefuse_status fu_job_finish(fu_job_store *s, const char *id, fu_job_status status, const char *error,
                              fu_err *err)
{
    job_arg a = {.id = id, .flag = (int)status, .text = error};
    if (status != FU_JOB_COMPLETED && status != FU_JOB_FAILED && status != FU_JOB_CANCELLED)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "a job finishes completed, failed or cancelled");
    return in_transaction(s, do_finish, &a, err);
}

static facefuse_status do_set_progress(fu_job_store *s, const void *p, fu_err *err)
{
    const job_arg *a = p;
    sqlite3_stmt *st;
    /* Progress is not a change of the job: date_updated stays (list order). */
    facefuse_status rc = prepare(s, &st,
                                 "UPDATE jobs SET progress = ?1, frames_done = ?2, frames_total = ?3, fps = ?4 "
                                 "WHERE id = ?5 AND status = 'running'",
                                 err, "dIIds", a->d[0], a->n[0], a->n[1], a->d[1], a->id);
    return rc == FACEFUSE_OK ? run(s, st, err) : rc;
}

facefuse_status fu_job_set_progress(fu_job_store *s, const char *id, double progress, int64_t frames_done,
                                    int64_t frames_total, double fps, fu_err *err)
{
    job_arg a = {.id = id, .d = {progress < 0 ? 0 : progress > 1 ? 1 : progress, fps, 0}, .n = {frames_done, frames_total}};
    return in_transaction(s, do_set_progress, &a, err);
}

static facefuse_status do_request_cancel(fu_job_store *s, const void *p, fu_err *err)
{
    const job_arg *a = p;
    fu_job_info j;
    sqlite3_stmt *st;
    facefuse_status rc = load_job(s, a->id, &j, err);
    if (rc != FACEFUSE_OK)
        return rc;
    if (j.status == FU_JOB_QUEUED) {
        rc = prepare(s, &st, "UPDATE jobs SET error = 'cancelled before it started' WHERE id = ?1", err, "s", a->id);
        if (rc == FACEFUSE_OK)
            rc = run(s, st, err);
        return rc == FACEFUSE_OK ? set_status(s, a->id, FU_JOB_CANCELLED, err) : rc;
    }
    if (j.status != FU_JOB_RUNNING)
        return wrong_status(&j, "only a queued or running job can be cancelled", err);
    rc = prepare(s, &st, "UPDATE jobs SET cancel_requested = 1 WHERE id = ?1", err, "s", a->id);
    return rc == FACEFUSE_OK ? run(s, st, err) : rc;
}

facefuse_status fu_job_request_cancel(fu_job_store *s, const char *id, fu_err *err)
{
    job_arg a = {.id = id};
    return in_transaction(s, do_request_cancel, &a, err);
}

int fu_job_cancel_requested(fu_job_store *s, const char *id)
{
    fu_job_info j;
    return fu_job_get(s, id, &j, NULL) == FACEFUSE_OK && j.cancel_requested;
}

static facefuse_status do_requeue(fu_job_store *s, const void *p, fu_err *err)
{
    const job_arg *a = p;
    fu_job_info j;
    sqlite3_stmt *st;
    facefuse_status rc = load_job(s, a->id, &j, err);
    if (rc != FACEFUSE_OK)
        return rc;
    if (j.status != FU_JOB_FAILED && j.status != FU_JOB_CANCELLED)
        return wrong_status(&j, "only a failed or cancelled job can be retried", err);
    rc = prepare(s, &st, "UPDATE jobs SET error = '', progress = 0, frames_done = 0, frames_total = 0, fps = 0 "
                         "WHERE id = ?1",
                 err, "s", a->id);
    if (rc == FACEFUSE_OK)
        rc = run(s, st, err);
    if (rc == FACEFUSE_OK)
        rc = set_all_steps(s, a->id, FU_STEP_QUEUED, err);
    return rc == FACEFUSE_OK ? set_status(s, a->id, FU_JOB_QUEUED, err) : rc;
}

facefuse_status fu_job_requeue(fu_job_store *s, const char *id, fu_err *err)
{
    job_arg a = {.id = id};
    return in_transaction(s, do_requeue, &a, err);
}

facefuse_status fu_job_next_queued(fu_job_store *s, int auto_run_only, char *id, int *found, fu_err *err)
{
    sqlite3_stmt *st;
    facefuse_status rc;
    *found = 0;
    id[0] = '\0';
    pthread_mutex_lock(&s->lock);
    rc = prepare(s, &st,
                 "SELECT j.id FROM jobs j WHERE j.status = 'queued' AND (?1 = 0 OR j.auto_run = 1)" JOB_ORDER
                 " LIMIT 1",
                 err, "i", auto_run_only);
    if (rc == FACEFUSE_OK) {
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            copy_column(st, 0, id, FU_JOB_ID_MAX);
            *found = 1;
        } else if (step != SQLITE_DONE) {
            rc = db_fail(s, err, "read");
        }
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}
