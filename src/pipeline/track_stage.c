/*
 * track_stage.c — the tracker plugged into the video engine's ordered stage
 * and into the live loop (see track_stage.h).
 */
#include "pipeline/track_stage.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ video */

static facefuse_status stage_analyse(void *user, const facefuse_image *frame, int64_t index, double time_s,
                                     fu_err *err)
{
    return fu_tracker_push(user, frame, index, time_s, err);
}

/* Called once frame `index` is due: its result is final, so it pops with
 * flush (the last frames of a video have no look-ahead behind them). */
static facefuse_status stage_release(void *user, int64_t index, void **data, fu_err *err)
{
    fu_track_frame *f = calloc(1, sizeof *f);
    if (!f)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the faces of frame %lld", (long long)index);
    if (!fu_tracker_pop(user, 1, f) || f->frame_index != index) {
        fu_track_frame_clear(f);
        free(f);
        return fu_fail(err, FACEFUSE_ERR_INTERNAL, "the face tracker has no result for frame %lld",
                       (long long)index);
    }
    *data = f;
    return FACEFUSE_OK;
}

static void stage_free(void *user, void *data)
{
    fu_track_frame_clear(data);
    free(data);
}

void fu_track_stage_attach(fu_video_job *job, fu_tracker *t)
{
    job->analyse = stage_analyse;
    job->release = stage_release;
    job->free_data = stage_free;
    job->analyse_user = t;
    job->analyse_lookahead = fu_tracker_lookahead(t);
}

/* ------------------------------------------------------------ live */

fu_track_settings fu_video_track_defaults(void)
{
    fu_track_settings s = fu_track_default_settings();
    s.detector_interval = 4;
    s.smoothing = 1;
    s.frame_amount = 2; /* FaceFusion's --target-frame-amount; used with --face-tracker-score > 0 */
    return s;
}

fu_track_settings fu_live_track_defaults(void)
{
    fu_track_settings s = fu_video_track_defaults();
    s.live = 1;
    return s;
}

typedef struct live_state {
    const fu_live_session *s;
    fu_tracker *tracker;
    int64_t frames;
} live_state;

static facefuse_status live_frame(void *user, facefuse_image *frame, double time_s, int *faces, fu_err *err)
{
    live_state *ls = user;
    fu_track_frame f;
    facefuse_status rc = fu_tracker_push(ls->tracker, frame, ls->frames++, time_s, err);
    if (rc != FACEFUSE_OK)
        return rc;
    if (!fu_tracker_pop(ls->tracker, 1, &f))
        return fu_fail(err, FACEFUSE_ERR_INTERNAL, "the face tracker has no result for a live frame");
    *faces = f.count;
    if (ls->s->apply)
        rc = ls->s->apply(ls->s->apply_user, frame, &f, faces, err);
    fu_track_frame_clear(&f);
    return rc;
}

facefuse_status fu_live_session_run(facefuse_context *ctx, const fu_live_session *s, fu_live_summary *summary,
                                    fu_err *err)
{
    live_state ls;
    fu_track_settings ts = s->track;
    facefuse_status rc;

    memset(&ls, 0, sizeof ls);
    ls.s = s;
    ts.live = 1;
    if ((rc = fu_tracker_new(ctx, &s->analysis, &ts, &ls.tracker, err)) != FACEFUSE_OK)
        return rc;
    fu_live_job job = s->live;
    job.process = live_frame;
    job.process_user = &ls;
    rc = fu_live_run(&job, summary, err);
    fu_tracker_free(ls.tracker);
    return rc;
}
