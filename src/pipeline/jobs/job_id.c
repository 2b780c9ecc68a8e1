/*
 * job_id.c — job id sanitising and step output names (see job_id.h).
 */
#include "pipeline/jobs/job_id.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libavutil/mem.h>
#include <libavutil/sha.h>

static int is_kept(const char *raw)
{
    size_t n = strlen(raw);
    int alnum = 0;
    if (n > FU_JOB_ID_MAX - 1)
        return 0;
    for (const char *c = raw; *c; c++) {
        if (*c == '-')
            continue;
        if (!isalnum((unsigned char)*c) || (unsigned char)*c >= 0x80)
            return 0;
        alnum = 1;
    }
    return alnum; /* FaceFusion: "" (an id of dashes only) is not alphanumeric */
}

static facefuse_status sha1_hex(const char *raw, char *out, fu_err *err)
{
    uint8_t digest[20];
    struct AVSHA *sha = av_sha_alloc();
    if (!sha)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory hashing a job id");
    av_sha_init(sha, 160);
    av_sha_update(sha, (const uint8_t *)raw, (unsigned)strlen(raw));
    av_sha_final(sha, digest);
    av_free(sha);
    for (int i = 0; i < 20; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
    return FACEFUSE_OK;
}

facefuse_status fu_job_id_sanitize(const char *raw, char *out, fu_err *err)
{
    out[0] = '\0';
    if (!raw || !*raw)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "no job id given");
    if (is_kept(raw)) {
        snprintf(out, FU_JOB_ID_MAX, "%s", raw);
        return FACEFUSE_OK;
    }
    return sha1_hex(raw, out, err);
}

int fu_job_id_is_valid(const char *id)
{
    return id && is_kept(id);
}

facefuse_status fu_job_step_output_path(const char *job_id, int step_index, const char *output_path,
                                        char *out, size_t size, fu_err *err)
{
    const char *slash, *file, *dot;
    size_t dir_len;
    int n;

    if (!output_path || !*output_path)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "step %d has no output path", step_index);
    slash = strrchr(output_path, '/');
    file = slash ? slash + 1 : output_path;
    dir_len = slash ? (size_t)(slash - output_path) + 1 : 0;
    /* os.path.splitext: leading dots belong to the name. */
    const char *body = file;
    while (*body == '.')
        body++;
    dot = strrchr(body, '.');
    if (!*file || !dot || dot == file || !dot[1])
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                       "step %d: output path %s needs a file name with an extension", step_index, output_path);
    n = snprintf(out, size, "%.*s%.*s-%s-%d%s", (int)dir_len, output_path, (int)(dot - file), file, job_id,
                 step_index, dot);
    if (n < 0 || (size_t)n >= size)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "step %d: output path %s is too long", step_index,
                       output_path);
    return FACEFUSE_OK;
}

void fu_job_suggest_id(const char *prefix, char *out, size_t size)
{
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%d-%H-%M-%S", &tm);
    snprintf(out, size, "%s-%s", prefix, stamp);
}
