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
#include "core/log.h"
#include "media/video_reader.h"
#include "pipeline/chain.h"
#include "pipeline/provenance.h"
#include "pipeline/video_run.h"

static facefuse_status process_frame(void *user, facefuse_image *frame, int64_t index, fu_err *err)
{
    (void)index;
    return fu_chain_process((fu_chain *)user, frame, NULL, err);
}

facefuse_status fu_run_video(facefuse_context *ctx, const fu_run_config *cfg, volatile int *cancel, fu_err *err)
{
    fu_chain *chain = NULL;
    facefuse_image reference = {0};
    fu_progress_state progress = {0};
    fu_video_job job = fu_video_job_default();
    fu_provenance provenance;
    char tag[FU_PROVENANCE_TAG_MAX];
    facefuse_status rc;

    if ((rc = fu_chain_new(ctx, cfg, &chain, err)) != FACEFUSE_OK)
        return rc;
    rc = fu_video_read_frame_at(cfg->target_path, cfg->reference_frame_number, &reference, err);
    if (rc == FACEFUSE_OK)
        rc = fu_chain_set_reference(chain, &reference, err);
    facefuse_image_free(&reference);
    if (rc != FACEFUSE_OK) {
        fu_chain_free(chain);
        return rc;
    }

    fu_video_job_from_params(&job, cfg->target_path, cfg->output_path, &cfg->video);
    for (int i = 0; i < cfg->source_count; i++)
        if (fu_path_is_audio(cfg->source_paths[i]))
            job.audio_path = cfg->source_paths[i];
    /* The writer opens at the size of the first processed frame (times
     * --output-video-scale), so a frame enhancer's enlarged frames set it. */
    job.process = process_frame;
    job.process_user = chain;
    fu_provenance_init(&provenance);
    fu_provenance_from_config(cfg, &provenance);
    job.provenance = fu_provenance_tag(&provenance, NULL, tag, sizeof tag);
    job.cancel = cancel;
    if (cfg->progress_mode && strcmp(cfg->progress_mode, "json") == 0) {
        job.progress = fu_progress_json;
        job.progress_user = &progress;
    } else if (!cfg->progress_mode || strcmp(cfg->progress_mode, "bar") == 0) {
        job.progress = fu_video_progress_bar;
        job.progress_user = &progress;
    }
    fu_info("processing %s with %d workers", cfg->target_path, job.thread_count);
    rc = fu_video_run(&job, err);
    fu_chain_free(chain);
    return rc;
}
