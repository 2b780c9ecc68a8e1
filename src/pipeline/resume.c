/*
 * resume.c — resumable video renders through checkpoint pieces (see
 * resume.h).
 *
 * The work directory holds state.json (what the pieces are of: target path,
 * size and modification time, fingerprint, ranges) and piece-NNNNN.<ext>,
 * in the output's own container so the encoder is chosen exactly as for a
 * single render. One run renders every missing piece in a single decode
 * pass (fu_video_job's segmented output), so a resumed run decodes the
 * target once, not once a piece.
 */
#include "pipeline/resume.h"

#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"
#include "core/log.h"
#include "media/video_concat.h"
#include "pipeline/segment.h"

static const fu_option resume_options[] = {
    {.name = "--resume", .section = "resume", .type = FU_OPT_BOOL, .offset = offsetof(fu_resume_settings, enabled),
     .help = "video targets: render through checkpoint pieces beside the output; the same command run again after a "
             "stop goes on from the last finished piece"},
    {.name = "--resume-checkpoint", .section = "resume", .type = FU_OPT_FLOAT, .def = "60", .min = 0.1, .max = 3600,
     .step = 0.1, .offset = offsetof(fu_resume_settings, checkpoint_s),
     .help = "seconds of video a checkpoint piece holds (the most work a stop can lose)"},
    {0}};

const fu_option_group fu_resume_options = {"resume", "resume", resume_options, sizeof(fu_resume_settings), NULL};

fu_resume_settings fu_resume_default_settings(void)
{
    fu_resume_settings s;
    memset(&s, 0, sizeof s);
    s.checkpoint_s = 60;
    return s;
}

const char *fu_resume_work_dir(const char *output_path, char *buf, size_t size)
{
    const char *slash = strrchr(output_path, '/');
    if (slash)
        snprintf(buf, size, "%.*s/.%s.facefuse-resume", (int)(slash - output_path), output_path, slash + 1);
    else
        snprintf(buf, size, ".%s.facefuse-resume", output_path);
    return buf;
}

typedef struct resume_run {
    const fu_video_job *job;
    char dir[PATH_MAX];
    char ext[16];
    int64_t first, last;        /* target frames [first, last) rendered */
    int count;
    int from;                   /* first piece this run renders */
    int64_t *start;             /* [count + 1] */
    char **paths;               /* [count] */
    char *state;                /* state.json's text */
} resume_run;

static void free_run(resume_run *r)
{
    for (int i = 0; r->paths && i < r->count; i++)
        free(r->paths[i]);
    free(r->paths);
    free(r->start);
    free(r->state);
}

/* Pieces: the plan's segments cut to the rendered range. */
static facefuse_status make_pieces(resume_run *r, const fu_video_index *ix, double checkpoint_s, fu_err *err)
{
    fu_segment_plan plan;
    facefuse_status rc = fu_segment_plan_every(ix, checkpoint_s > 0 ? checkpoint_s : 60, &plan, err);
    if (rc != FACEFUSE_OK)
        return rc;
    r->start = malloc((size_t)(plan.count + 1) * sizeof *r->start);
    r->paths = calloc((size_t)plan.count, sizeof *r->paths);
    if (!r->start || !r->paths) {
        fu_segment_plan_free(&plan);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory planning pieces");
    }
    r->count = 0;
    for (int i = 0; i < plan.count; i++) {
        int64_t s = plan.segments[i].start > r->first ? plan.segments[i].start : r->first;
        int64_t e = plan.segments[i].end < r->last ? plan.segments[i].end : r->last;
        if (e <= s)
            continue;
        r->start[r->count] = s;
        r->start[r->count + 1] = e;
        char path[PATH_MAX + 32];
        snprintf(path, sizeof path, "%s/piece-%05d.%s", r->dir, r->count, r->ext);
        if (!(r->paths[r->count] = strdup(path))) {
            fu_segment_plan_free(&plan);
            return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory planning pieces");
        }
        r->count++;
    }
    fu_segment_plan_free(&plan);
    return r->count ? FACEFUSE_OK : fu_fail(err, FACEFUSE_ERR_DECODE, "no frame of %s in the requested range",
                                            r->job->target_path);
}

static facefuse_status make_state(resume_run *r, const fu_resume_settings *s, fu_err *err)
{
    const fu_video_job *job = r->job;
    struct stat st;
    char fingerprint[512];
    if (stat(job->target_path, &st) != 0)
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot read %s: %s", job->target_path, strerror(errno));
    if (s->fingerprint)
        snprintf(fingerprint, sizeof fingerprint, "%s", s->fingerprint);
    else
        snprintf(fingerprint, sizeof fingerprint, "encoder=%s preset=%s quality=%d scale=%g",
                 job->video_encoder ? job->video_encoder : "", job->video_preset ? job->video_preset : "",
                 job->video_quality, job->output_scale);
    size_t cap = strlen(job->target_path) + strlen(fingerprint) * 2 + 256 + (size_t)r->count * 48, len = 0;
    char *t = malloc(cap);
    if (!t)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    len += (size_t)snprintf(t + len, cap - len, "{\"target\": \"");
    for (const char *c = job->target_path; *c && len + 8 < cap; c++)
        len += (size_t)snprintf(t + len, cap - len, *c == '"' || *c == '\\' ? "\\%c" : "%c", *c);
    len += (size_t)snprintf(t + len, cap - len, "\", \"target_bytes\": %lld, \"target_mtime\": %lld, \"fingerprint\": \"",
                            (long long)st.st_size, (long long)st.st_mtime);
    for (const char *c = fingerprint; *c && len + 8 < cap; c++)
        len += (size_t)snprintf(t + len, cap - len, *c == '"' || *c == '\\' ? "\\%c" : (unsigned char)*c < 32 ? " " : "%c", *c);
    len += (size_t)snprintf(t + len, cap - len, "\", \"pieces\": [");
    for (int i = 0; i < r->count; i++)
        len += (size_t)snprintf(t + len, cap - len, "%s[%lld, %lld]", i ? ", " : "", (long long)r->start[i],
                                (long long)r->start[i + 1]);
    snprintf(t + len, cap - len, "]}\n");
    r->state = t;
    return FACEFUSE_OK;
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[4096];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            char *b = realloc(buf, cap);
            if (!b) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = b;
        }
        memcpy(buf + len, chunk, n);
        len += n;
    }
    fclose(f);
    if (buf)
        buf[len] = '\0';
    return buf;
}

static facefuse_status write_text(const char *path, const char *text, fu_err *err)
{
    fu_output out;
    facefuse_status rc = fu_output_begin(&out, path, err);
    if (rc != FACEFUSE_OK)
        return rc;
    FILE *f = fopen(out.temp_path, "wb");
    int ok = f && fputs(text, f) >= 0;
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok) {
        fu_output_abort(&out);
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    }
    return fu_output_commit(&out, err);
}

/* Removes the work directory's files: all of them, or only the partial
 * files an interrupted run left behind. */
static void clean_dir(const char *dir, int everything)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[PATH_MAX + 256];
    if (!d)
        return;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        int ours = !strncmp(e->d_name, "piece-", 6) || !strncmp(e->d_name, "state.json", 10);
        if (ours && (everything || strstr(e->d_name, ".partial-"))) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    }
    closedir(d);
    if (everything)
        rmdir(dir);
}

/* Reuses the pieces of the same work, or starts the directory afresh. */
static facefuse_status prepare_dir(resume_run *r, fu_err *err)
{
    char path[PATH_MAX + 32];
    facefuse_status rc = fu_mkdirs(r->dir, err);
    if (rc != FACEFUSE_OK)
        return rc;
    snprintf(path, sizeof path, "%s/state.json", r->dir);
    char *old = read_text(path);
    int same = old && !strcmp(old, r->state);
    free(old);
    if (same) {
        clean_dir(r->dir, 0);
        return FACEFUSE_OK;
    }
    if (old)
        fu_info("the target or the settings changed since the pieces in %s were made: starting over", r->dir);
    clean_dir(r->dir, 1);
    rc = fu_mkdirs(r->dir, err);
    return rc == FACEFUSE_OK ? write_text(path, r->state, err) : rc;
}

/* Index of the first piece that is missing or fails its check. */
static int first_missing(const resume_run *r)
{
    for (int i = 0; i < r->count; i++) {
        fu_err e;
        fu_err_clear(&e);
        if (!fu_file_exists(r->paths[i]))
            return i;
        /* our own pieces, committed whole: reading them through (no decoding) catches a truncated or
         * unreadable one without decoding hours of finished video on every resume */
        if (fu_video_piece_check(r->paths[i], r->start[i + 1] - r->start[i], 0, NULL, &e) != FACEFUSE_OK) {
            fu_warn("%s; rendering it again", e.msg);
            return i;
        }
    }
    return r->count;
}

static void log_piece(void *user, int piece)
{
    const resume_run *r = user;
    int i = r->from + piece;
    fu_info("checkpoint: frames %lld-%lld done (%s)", (long long)r->start[i], (long long)r->start[i + 1], r->paths[i]);
}

static facefuse_status render_from(resume_run *r, int from, fu_err *err)
{
    fu_video_job piece_job = *r->job;
    r->from = from;
    piece_job.trim_start = r->start[from];
    piece_job.trim_end = r->start[r->count];
    piece_job.piece_count = r->count - from;
    piece_job.piece_start = &r->start[from];
    piece_job.piece_paths = (const char *const *)&r->paths[from];
    piece_job.piece_done = log_piece;
    piece_job.piece_user = r;
    piece_job.audio_volume = 0; /* the join puts the audio in */
    return fu_video_run(&piece_job, err);
}

/* The target's timing over the rendered range, starting at 0 when trimmed
 * (as a trimmed single render rebases its timestamps). */
static facefuse_status slice_timing(const fu_video_index *ix, int64_t first, int64_t last, fu_video_index *out,
                                    fu_err *err)
{
    *out = *ix;
    out->count = last - first;
    out->pts = malloc((size_t)out->count * sizeof *out->pts);
    out->keyframe = malloc((size_t)out->count);
    if (!out->pts || !out->keyframe) {
        fu_video_index_free(out);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    }
    int64_t base = first > 0 ? ix->pts[first] : 0;
    for (int64_t i = 0; i < out->count; i++) {
        out->pts[i] = ix->pts[first + i] - base;
        out->keyframe[i] = ix->keyframe[first + i];
    }
    return FACEFUSE_OK;
}

static facefuse_status join_pieces(resume_run *r, const fu_video_index *ix, fu_err *err)
{
    const fu_video_job *job = r->job;
    fu_video_index timing;
    int64_t *frames = malloc((size_t)r->count * sizeof *frames), *starts = malloc((size_t)r->count * sizeof *starts);
    facefuse_status rc = frames && starts ? slice_timing(ix, r->first, r->last, &timing, err)
                                          : fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    if (rc == FACEFUSE_OK) {
        for (int i = 0; i < r->count; i++) {
            starts[i] = r->start[i] - r->first;
            frames[i] = r->start[i + 1] - r->start[i];
        }
        fu_concat_params cp;
        memset(&cp, 0, sizeof cp);
        cp.output_path = job->output_path;
        cp.pieces = (const char *const *)r->paths;
        cp.piece_count = r->count;
        cp.piece_start = starts;
        cp.piece_frames = frames;
        cp.timing = &timing;
        if (job->audio_volume > 0) {
            cp.audio.path = job->audio_path ? job->audio_path : job->target_path;
            cp.audio.replace = job->audio_path != NULL;
            /* as video_run.c: a trimmed render's audio starts at its first frame */
            cp.audio.cut_start = !cp.audio.replace && r->first > 0;
            cp.audio.start_s = cp.audio.cut_start ? ix->pts[r->first] * ((double)ix->tb_num / ix->tb_den) : 0;
            cp.audio.encoder = job->audio_encoder;
            cp.audio.quality = job->audio_quality;
            cp.audio.volume = job->audio_volume > 100 ? 100 : job->audio_volume;
        }
        cp.audio_cut_end = job->audio_path != NULL || job->trim_end >= 0;
        cp.check_decode = 0; /* as first_missing: read through, not decoded */
        cp.provenance = job->provenance;
        cp.cancel = job->cancel;
        rc = fu_video_concat(&cp, err);
        fu_video_index_free(&timing);
    }
    free(frames);
    free(starts);
    return rc;
}

facefuse_status fu_video_run_resumable(const fu_video_job *job, const fu_resume_settings *settings, fu_err *err)
{
    fu_resume_settings defaults = fu_resume_default_settings();
    resume_run r;
    fu_video_index ix;

    if (!settings)
        settings = &defaults;
    if (!job || !job->target_path || !job->output_path)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "video job needs a target and output");
    memset(&r, 0, sizeof r);
    r.job = job;
    fu_path_extension(job->output_path, r.ext, sizeof r.ext);
    if (job->output_fps > 0 || !strcmp(r.ext, "avi"))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                       "--resume keeps the target's timing: it cannot change the frame rate or write .avi (%s)",
                       job->output_path);
    if (fu_output_check(job->output_path, err) != FACEFUSE_OK)
        return err->code;
    fu_resume_work_dir(job->output_path, r.dir, sizeof r.dir);
    facefuse_status rc = fu_video_index_build(job->target_path, &ix, err);
    if (rc != FACEFUSE_OK)
        return rc;
    r.first = job->trim_start > 0 ? job->trim_start : 0;
    r.last = job->trim_end >= 0 && job->trim_end < ix.count ? job->trim_end : ix.count;
    if (r.last <= r.first)
        rc = fu_fail(err, FACEFUSE_ERR_DECODE, "no frame of %s in the requested range", job->target_path);
    if (rc == FACEFUSE_OK)
        rc = make_pieces(&r, &ix, settings->checkpoint_s, err);
    if (rc == FACEFUSE_OK)
        rc = make_state(&r, settings, err);
    if (rc == FACEFUSE_OK)
        rc = prepare_dir(&r, err);
    if (rc == FACEFUSE_OK) {
        int from = first_missing(&r);
        if (from > 0)
            fu_info("resuming %s: %d of %d pieces already done (frames %lld-%lld)", job->output_path, from, r.count,
                    (long long)r.first, (long long)r.start[from]);
        if (from < r.count)
            rc = render_from(&r, from, err);
    }
    if (rc == FACEFUSE_OK)
        rc = join_pieces(&r, &ix, err);
    if (rc == FACEFUSE_OK && !settings->keep_work_dir)
        clean_dir(r.dir, 1);
    if (rc != FACEFUSE_OK && r.state)
        fu_info("the finished pieces are kept in %s; the same command with --resume continues from them", r.dir);
    fu_video_index_free(&ix);
    free_run(&r);
    return rc;
}
