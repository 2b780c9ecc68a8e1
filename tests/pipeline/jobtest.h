/*
 * jobtest.h — helpers for the job store and runner tests: step options as
 * JSON, and a step callback that "processes" by copying the target to the
 * output (as FaceFusion's own job runner tests do), reporting progress and
 * honouring cancel.
 */
#ifndef FU_JOBTEST_H
#define FU_JOBTEST_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/file.h"
#include "pipeline/jobs/job_args.h"
#include "pipeline/jobs/job_runner.h"
#include "pipeline/jobs/job_store.h"
#include "testlib.h"

/* {"--source-paths":[s],"--target-path":[t],"--output-path":[o]} into buf. */
static inline const char *jt_args(char *buf, size_t size, const char *s, const char *t, const char *o)
{
    if (snprintf(buf, size, "{\"--source-paths\":[\"%s\"],\"--target-path\":[\"%s\"],\"--output-path\":[\"%s\"]}", s,
                 t, o) >= (int)size)
        buf[0] = '\0'; /* too long: not JSON, the test fails saying so */
    return buf;
}

typedef struct jt_copy {
    int frames;          /* progress reports per step */
    int frame_ms;        /* sleep per report */
    int calls;           /* steps run */
    int fail_at_call;    /* 1-based call that fails, 0 = none */
} jt_copy;

/* Copies --target-path to --output-path through fu_output, in `frames`
 * chunks with progress. */
static inline facefuse_status jt_copy_step(void *user, const char *args, const fu_job_progress *progress,
                                           volatile int *cancel, fu_err *err)
{
    jt_copy *c = user;
    char target[PATH_MAX], output[PATH_MAX];
    int has_t, has_o;
    fu_output out;
    facefuse_status st;
    c->calls++;
    if (c->fail_at_call == c->calls)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "test step %d fails on purpose", c->calls);
    if ((st = fu_job_args_first(args, FU_ARG_TARGET_PATH, target, sizeof target, &has_t, err)) != FACEFUSE_OK ||
        (st = fu_job_args_first(args, FU_ARG_OUTPUT_PATH, output, sizeof output, &has_o, err)) != FACEFUSE_OK)
        return st;
    FILE *in = fopen(target, "rb");
    if (!in)
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot open %s", target);
    if ((st = fu_output_begin(&out, output, err)) != FACEFUSE_OK) {
        fclose(in);
        return st;
    }
    FILE *o = fopen(out.temp_path, "wb");
    struct stat sb;
    fstat(fileno(in), &sb);
    long chunk = sb.st_size / (c->frames > 0 ? c->frames : 1) + 1;
    char *buf = malloc((size_t)chunk);
    int n = c->frames > 0 ? c->frames : 1;
    for (int i = 0; i < n && st == FACEFUSE_OK; i++) {
        size_t got = fread(buf, 1, (size_t)chunk, in);
        if (got && fwrite(buf, 1, got, o) != got)
            st = fu_fail(err, FACEFUSE_ERR_IO, "write failed");
        fflush(o);
        if (c->frame_ms) {
            struct timespec ts = {0, (long)c->frame_ms * 1000000L};
            nanosleep(&ts, NULL);
        }
        if (progress)
            progress->fn(progress->ctx, i + 1, n, 25.0);
        if (*cancel)
            st = fu_fail(err, FACEFUSE_ERR_CANCELLED, "cancelled");
    }
    free(buf);
    fclose(in);
    fclose(o);
    if (st == FACEFUSE_OK)
        return fu_output_commit(&out, err);
    fu_output_abort(&out);
    return st;
}

static inline long jt_file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static inline int jt_files_equal(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int same = fa && fb;
    while (same) {
        int ca = fgetc(fa), cb = fgetc(fb);
        if (ca != cb)
            same = 0;
        if (ca == EOF || cb == EOF)
            break;
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return same;
}

static inline fu_job_status jt_status(fu_job_store *s, const char *id)
{
    fu_job_info j;
    return fu_job_get(s, id, &j, NULL) == FACEFUSE_OK ? j.status : (fu_job_status)-1;
}

#endif
