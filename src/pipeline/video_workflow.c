/*
 * video_workflow.c — target video → output video through the chain (see
 * video_workflow.h).
 *
 * Unlike FaceFusion, nothing goes through temp files or an ffmpeg process:
 * frames are decoded, processed by --execution-thread-count workers, and
 * encoded in order in one process, and the target's audio is copied packet
 * for packet when the output container accepts it.
 */
#include "pipeline/video_workflow.h"

#include <string.h>

#include "core/file.h"
#include "core/image.h"
#include "core/log.h"
#include "media/video_reader.h"
#include "pipeline/chain.h"
#include "pipeline/frame_extras.h"
#include "pipeline/provenance.h"
#include "pipeline/resume.h"
#include "pipeline/video_run.h"

typedef struct workflow {
    fu_chain *chain;
    fu_frame_extras *extras;   /* quality report, watermarks */
    int drop_alpha;      /* --temp-pixel-format bgr24 */
} workflow;

static facefuse_status process_frame(void *user, facefuse_image *frame, int64_t index, double time_s, fu_err *err)
{
    const workflow *w = user;
    if (w->drop_alpha && frame->channels == 4) {
        facefuse_image rgb = {0};
        if (fu_image_to_rgb(&rgb, frame) != FACEFUSE_OK)
            return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory dropping the alpha of frame %lld",
                           (long long)index);
        facefuse_image_free(frame);
        *frame = rgb;
    }
    return fu_frame_extras_process(w->extras, frame, index, time_s, NULL, err);
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

/* The target's rate, for processors that follow time (lip sync). */
static facefuse_status probe_fps(const char *path, double *fps, fu_err *err)
{
    fu_video_reader *r = NULL;
    facefuse_status rc = fu_video_reader_open(&r, path, 1, err);
    if (rc == FACEFUSE_OK)
        *fps = fu_video_reader_info(r)->fps;
    fu_video_reader_close(r);
    return rc;
}

facefuse_status fu_run_video(facefuse_context *ctx, const fu_run_config *cfg, const fu_run_hooks *hooks, fu_err *err)
{
    workflow w = {NULL, NULL, 0};
    facefuse_image reference = {0};
    facefuse_video_params params = fu_run_video_params(cfg);
    fu_video_job job = fu_video_job_default();
    fu_chain_target target = {1, 0, cfg->output.trim_frame_start > 0 ? cfg->output.trim_frame_start : 0};
    fu_provenance provenance;
    char tag[FU_PROVENANCE_TAG_MAX];
    facefuse_status rc;

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
    fu_video_job_from_params(&job, cfg->paths.target_path, cfg->paths.output_path, &params);
    for (int i = 0; i < cfg->paths.source_paths.n && !job.audio_path; i++) /* the first, as FaceFusion */
        if (fu_path_is_audio(cfg->paths.source_paths.v[i]))
            job.audio_path = cfg->paths.source_paths.v[i];
    /* a transparent background made by the chain must reach the file */
    job.require_alpha = fu_run_config_makes_alpha(cfg);
    /* The writer opens at the size of the first processed frame (times
     * --output-video-scale), so a frame enhancer's enlarged frames set it. */
    job.process_at = process_frame;
    job.process_user = &w;
    fu_provenance_init(&provenance);
    fu_provenance_from_config(cfg, &provenance);
    job.provenance = fu_provenance_tag(&provenance, cfg->provenance.mode, tag, sizeof tag);
    job.cancel = hooks->cancel;
    job.progress = hooks->progress;
    job.progress_user = hooks->progress_user;
    fu_info("processing %s with %d workers", cfg->paths.target_path, job.thread_count);
    rc = run_job(cfg, &job, err);
    if (rc == FACEFUSE_OK)
        rc = fu_frame_extras_finish(w.extras, err);
    fu_frame_extras_free(w.extras);
    fu_chain_free(w.chain);
    return rc;
}
