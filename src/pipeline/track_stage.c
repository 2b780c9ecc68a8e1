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

static facefuse_status chain_stage_analyse(void *user, const facefuse_image *frame, int64_t index, double time_s,
                                           fu_err *err)
{
    const fu_chain_track_stage *s = user;
    return fu_tracker_push(s->tracker, frame, index, time_s, err);
}

/* In frame order: the frame's tracked faces, selected. */
static facefuse_status chain_stage_release(void *user, int64_t index, void **data, fu_err *err)
{
    const fu_chain_track_stage *s = user;
    fu_track_frame f;
    facefuse_status rc;
    fu_frame_faces *faces = calloc(1, sizeof *faces);
    if (!faces)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the faces of frame %lld", (long long)index);
    if (!fu_tracker_pop(s->tracker, 1, &f) || f.frame_index != index) {
        fu_track_frame_clear(&f);
        free(faces);
        return fu_fail(err, FACEFUSE_ERR_INTERNAL, "the face tracker has no result for frame %lld",
                       (long long)index);
    }
    rc = fu_chain_select(s->chain, f.faces, f.count, f.track_ids, faces, err);
    fu_track_frame_clear(&f);
    if (rc != FACEFUSE_OK) {
        free(faces);
        return rc;
    }
    *data = faces;
    return FACEFUSE_OK;
}

static void chain_stage_free(void *user, void *data)
{
    (void)user;
    fu_frame_faces_free(data);
    free(data);
}

void fu_track_stage_attach_chain(fu_video_job *job, fu_chain_track_stage *stage)
{
    job->analyse = chain_stage_analyse;
    job->release = chain_stage_release;
    job->free_data = chain_stage_free;
    job->analyse_user = stage;
    job->analyse_lookahead = fu_tracker_lookahead(stage->tracker);
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
