/*
 * video_api.c — the public video calls: a frame-by-frame reader over
 * fu_video_reader, and facefuse_process_video over the threaded engine
 * (video_run.c) with the caller's frame callback.
 */
#include <stdlib.h>
#include <unistd.h>

#include "infer/context.h"
#include "media/video_reader.h"
#include "pipeline/video_run.h"

struct facefuse_video {
    fu_video_reader *reader;
};

facefuse_status facefuse_video_open(facefuse_context *ctx, const char *path, facefuse_video **out)
{
    fu_err err;
    fu_err_clear(&err);
    if (!ctx || !path || !out)
        return FACEFUSE_ERR_INVALID_ARGUMENT;
    *out = calloc(1, sizeof **out);
    if (!*out)
        return FACEFUSE_ERR_NO_MEMORY;
    if (fu_video_reader_open(&(*out)->reader, path, 0, &err) != FACEFUSE_OK) {
        free(*out);
        *out = NULL;
        return fu_context_fail(ctx, &err);
    }
    return FACEFUSE_OK;
}

facefuse_video_info facefuse_video_get_info(const facefuse_video *video)
{
    facefuse_video_info info = {0, 0, 0, 0, 0};
    if (video && video->reader) {
        const fu_video_info *v = fu_video_reader_info(video->reader);
        info.width = v->width;
        info.height = v->height;
        info.fps = v->fps;
        info.frame_count = v->frame_count;
        info.duration_s = v->duration_s;
    }
    return info;
}

facefuse_status facefuse_video_read(facefuse_context *ctx, facefuse_video *video, facefuse_image *frame, int *got)
{
    fu_err err;
    int64_t pts;
    fu_err_clear(&err);
    if (!ctx || !video || !frame || !got)
        return FACEFUSE_ERR_INVALID_ARGUMENT;
    if (fu_video_reader_next(video->reader, frame, &pts, got, &err) != FACEFUSE_OK)
        return fu_context_fail(ctx, &err);
    return FACEFUSE_OK;
}

void facefuse_video_close(facefuse_video *video)
{
    if (!video)
        return;
    fu_video_reader_close(video->reader);
    free(video);
}

facefuse_video_params facefuse_video_default_params(void)
{
    facefuse_video_params p = {0};
    p.video_quality = 80;
    p.output_scale = 1.0;
    p.audio_quality = 80;
    p.audio_volume = 100;
    p.trim_frame_start = p.trim_frame_end = -1;
    return p;
}

void fu_video_job_from_params(fu_video_job *job, const char *target_path, const char *output_path,
                              const facefuse_video_params *p)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    job->target_path = target_path;
    job->output_path = output_path;
    job->audio_path = p->audio_path;
    job->trim_start = p->trim_frame_start;
    job->trim_end = p->trim_frame_end;
    job->video_encoder = p->video_encoder;
    job->video_preset = p->video_preset;
    job->video_quality = p->video_quality;
    job->output_fps = p->output_fps;
    job->output_scale = p->output_scale;
    job->audio_encoder = p->audio_encoder;
    job->audio_quality = p->audio_quality;
    job->audio_volume = p->audio_volume;
    job->thread_count = p->thread_count > 0 ? p->thread_count : cores > 0 ? (int)cores : 2;
    job->cancel = p->cancel;
}

typedef struct callbacks {
    const facefuse_video_params *params;
} callbacks;

static facefuse_status on_frame(void *user, facefuse_image *frame, int64_t index, fu_err *err)
{
    const facefuse_video_params *p = ((callbacks *)user)->params;
    facefuse_status rc = p->on_frame(frame, index, p->on_frame_user_data);
    if (rc != FACEFUSE_OK)
        return fu_fail(err, rc, "frame callback failed at frame %lld: %s", (long long)index, facefuse_strerror(rc));
    return FACEFUSE_OK;
}

static void on_progress(void *user, int64_t done, int64_t total, double fps)
{
    const facefuse_video_params *p = ((callbacks *)user)->params;
    p->on_progress(done, total, fps, p->on_progress_user_data);
}

facefuse_status facefuse_process_video(facefuse_context *ctx, const char *target_path, const char *output_path,
                                       const facefuse_video_params *params)
{
    facefuse_video_params defaults = facefuse_video_default_params();
    fu_video_job job = fu_video_job_default();
    callbacks cb;
    fu_err err;

    fu_err_clear(&err);
    if (!ctx || !target_path || !output_path)
        return FACEFUSE_ERR_INVALID_ARGUMENT;
    if (!params)
        params = &defaults;
    cb.params = params;
    fu_video_job_from_params(&job, target_path, output_path, params);
    job.process = params->on_frame ? on_frame : NULL;
    job.process_user = &cb;
    job.progress = params->on_progress ? on_progress : NULL;
    job.progress_user = &cb;
    if (fu_video_preflight(&job, &err) != FACEFUSE_OK || fu_video_run(&job, &err) != FACEFUSE_OK)
        return fu_context_fail(ctx, &err);
    return FACEFUSE_OK;
}
