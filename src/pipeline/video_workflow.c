/*
 * video_workflow.c — target video → output video through the chain (see
 * video_workflow.h).
 *
 * Unlike FaceFusion, nothing goes through temp files or an ffmpeg process:
 * frames are decoded, processed by --execution-thread-count workers, and
 * encoded in order in one process, and the target's audio is copied packet
 * for packet when the output container accepts it.
 *
 * When a processor works on faces, they are tracked (face/track.h): the
 * video engine's ordered stage runs the tracker on every frame in order
 * (full detection every --face-detector-interval frames, landmarks
 * smoothed) and selects among the tracked faces, and the workers apply the
 * processors to those faces without analysing the frame again.
 */
#include "pipeline/video_workflow.h"

#include <string.h>

#include <libavcodec/avcodec.h>

#include "core/file.h"
#include "core/image.h"
#include "core/log.h"
#include "media/video_reader.h"
#include "pipeline/chain.h"
#include "pipeline/frame_extras.h"
#include "pipeline/provenance.h"
#include "pipeline/resume.h"
#include "pipeline/run_check.h"
#include "pipeline/track_stage.h"
#include "pipeline/video_run.h"

typedef struct workflow {
    fu_chain *chain;
    fu_chain_track_stage stage;  /* tracker NULL when faces are not used */
    fu_frame_extras *extras;     /* quality report, watermarks */
    int drop_alpha;              /* --temp-pixel-format bgr24 */
} workflow;

static facefuse_status drop_alpha(const workflow *w, facefuse_image *frame, int64_t index, fu_err *err)
{
    if (w->drop_alpha && frame->channels == 4) {
        facefuse_image rgb = {0};
        if (fu_image_to_rgb(&rgb, frame) != FACEFUSE_OK)
            return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory dropping the alpha of frame %lld",
                           (long long)index);
        facefuse_image_free(frame);
        *frame = rgb;
    }
    return FACEFUSE_OK;
}

/* --resume: through checkpoint pieces that a re-run with the same settings reuses. */
static facefuse_status run_job(const fu_run_config *cfg, const fu_video_job *job, fu_err *err)
{
    fu_resume_settings rs = cfg->resume;
    char fingerprint[17];
    if (!rs.enabled)
        return fu_video_run(job, err);
    fu_run_config_fingerprint(cfg, fingerprint);
    rs.fingerprint = fingerprint;
    return fu_video_run_resumable(job, &rs, err);
}

static facefuse_status process_frame(void *user, facefuse_image *frame, int64_t index, double time_s, fu_err *err)
{
    const workflow *w = user;
    facefuse_status rc = drop_alpha(w, frame, index, err);
    return rc == FACEFUSE_OK ? fu_frame_extras_process(w->extras, frame, index, time_s, NULL, err) : rc;
}

/* A worker's frame once the ordered stage tracked and selected its faces. */
static facefuse_status process_tracked_frame(void *user, facefuse_image *frame, int64_t index, double time_s,
                                             void *data, fu_err *err)
{
    const workflow *w = user;
    fu_frame_faces none = {0};
    facefuse_status rc = drop_alpha(w, frame, index, err);
    return rc == FACEFUSE_OK ? fu_frame_extras_apply(w->extras, frame, data ? data : &none, index, time_s, err) : rc;
}

/* Faces followed from frame to frame when a processor uses them. */
static facefuse_status attach_tracker(facefuse_context *ctx, const fu_run_config *cfg, workflow *w,
                                      fu_video_job *job, fu_err *err)
{
    fu_track_settings ts = fu_track_settings_of(&cfg->tracker);
    facefuse_status rc;
    if (!fu_chain_uses_faces(w->chain))
        return FACEFUSE_OK;
    rc = fu_tracker_new(ctx, fu_chain_analysis(w->chain), &ts, &w->stage.tracker, err);
    if (rc != FACEFUSE_OK)
        return rc;
    w->stage.chain = w->chain;
    fu_track_stage_attach_chain(job, &w->stage);
    job->process_analysed = process_tracked_frame;
    return FACEFUSE_OK;
}

/* A single picture in a still-image format: a photo with a video's name. */
static int is_single_still(const fu_video_info *info)
{
    static const int stills[] = {AV_CODEC_ID_PNG, AV_CODEC_ID_MJPEG, AV_CODEC_ID_WEBP, AV_CODEC_ID_BMP,
                                 AV_CODEC_ID_TIFF, AV_CODEC_ID_JPEG2000};
    for (size_t i = 0; i < sizeof stills / sizeof stills[0]; i++)
        if (info->codec_id == stills[i])
            return info->frame_count <= 1;
    return 0;
}

/* The target's rate, for processors that follow time (lip sync); a photo
 * named like a video is refused here, before any model is loaded. */
static facefuse_status probe_fps(const char *path, double *fps, fu_err *err)
{
    fu_video_reader *r = NULL;
    facefuse_status rc = fu_video_reader_open(&r, path, 1, err);
    if (rc == FACEFUSE_OK) {
        const fu_video_info *info = fu_video_reader_info(r);
        *fps = info->fps;
        if (is_single_still(info))
            rc = fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                         "target %s is a still image (%s) named like a video; give it its image extension", path,
                         avcodec_get_name(info->codec_id));
    }
    fu_video_reader_close(r);
    return rc;
}

facefuse_status fu_run_video(facefuse_context *ctx, const fu_run_config *cfg, const fu_run_hooks *hooks,
                             fu_run_result *result, fu_err *err)
{
    workflow w;
    facefuse_image reference = {0};
    facefuse_video_params params = fu_run_video_params(cfg);
    fu_video_job job = fu_video_job_default();
    fu_chain_target target = {1, 0, cfg->output.trim_frame_start > 0 ? cfg->output.trim_frame_start : 0};
    fu_provenance provenance;
    char tag[FU_PROVENANCE_TAG_MAX];
    facefuse_status rc;

    memset(&w, 0, sizeof w);
    fu_video_job_from_params(&job, cfg->paths.target_path, cfg->paths.output_path, &params);
    job.audio_path = fu_first_audio_path(cfg->paths.source_paths.v, cfg->paths.source_paths.n);
    /* a transparent background made by the chain must reach the file */
    job.require_alpha = fu_run_config_makes_alpha(cfg);
    job.frame_scale = fu_run_frame_scale(cfg);
    job.cancel = hooks->cancel;
    /* The container, encoders, audio and output size, before any model is
     * loaded or frame decoded. */
    if ((rc = fu_video_preflight(&job, err)) != FACEFUSE_OK)
        return rc;
    if ((rc = probe_fps(cfg->paths.target_path, &target.fps, err)) != FACEFUSE_OK)
        return rc;
    if ((rc = fu_chain_new(ctx, cfg, &target, &w.chain, err)) != FACEFUSE_OK)
        return rc;
    rc = fu_video_read_frame_at(cfg->paths.target_path, cfg->selector_settings.reference_frame_number, &reference,
                                err);
    if (rc == FACEFUSE_OK)
        rc = fu_chain_set_reference(w.chain, &reference, err);
    facefuse_image_free(&reference);
    if (rc == FACEFUSE_OK)
        rc = fu_frame_extras_open(ctx, cfg, w.chain, &w.extras, err);
    if (rc != FACEFUSE_OK) {
        fu_chain_free(w.chain);
        return rc;
    }
    w.drop_alpha = cfg->output.temp_pixel_format && strcmp(cfg->output.temp_pixel_format, "bgr24") == 0;
    /* The writer opens at the size of the first processed frame (times
     * --output-video-scale), so a frame enhancer's enlarged frames set it. */
    job.process_at = process_frame;
    job.process_user = &w;
    fu_provenance_init(&provenance);
    fu_provenance_from_config(cfg, &provenance);
    job.provenance = fu_provenance_tag(&provenance, cfg->provenance.mode, tag, sizeof tag);
    job.progress = hooks->progress;
    job.progress_user = hooks->progress_user;
    rc = attach_tracker(ctx, cfg, &w, &job, err);
    if (rc == FACEFUSE_OK) {
        fu_info("processing %s with %d workers", cfg->paths.target_path, job.thread_count);
        rc = run_job(cfg, &job, err);
    }
    if (rc == FACEFUSE_OK)
        rc = fu_frame_extras_finish(w.extras, err);
    if (w.stage.tracker) {
        fu_track_stats st = fu_tracker_stats(w.stage.tracker);
        fu_debug("face tracking: %lld frames, %lld full detections, %lld region searches, %lld faces refilled",
                 (long long)st.frames, (long long)st.full_detections, (long long)st.region_detections,
                 (long long)st.refilled);
        if (result) {
            result->tracked_frames = st.frames;
            result->full_detections = st.full_detections;
        }
    }
    fu_tracker_free(w.stage.tracker);
    fu_frame_extras_free(w.extras);
    fu_chain_free(w.chain);
    return rc;
}
