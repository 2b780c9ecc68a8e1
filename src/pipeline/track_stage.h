/*
 * track_stage.h — the face tracker as the video engine's ordered analysis
 * stage, and as the analysis step of a live session.
 *
 * Video: fu_track_stage_attach sets a job's analyse/release/free_data so the
 * tracker sees every frame in order and each worker gets its frame's
 * fu_track_frame (faces, track ids) as the frame data of process_analysed
 * (or, with a chain, the chain's selection among them).
 * Live: fu_live_session_run is what `facefuse live` calls: camera → tracker
 * (live settings: no look-ahead) → the caller's processors on the faces →
 * output, with the real-time policy of live_run.h.
 */
#ifndef FU_TRACK_STAGE_H
#define FU_TRACK_STAGE_H

#include "face/track.h"
#include "pipeline/chain.h"
#include "pipeline/live_run.h"
#include "pipeline/video_run.h"

/* job->analyse, release, free_data, analyse_user and analyse_lookahead for
 * tracker t (which must outlive the run). The caller sets
 * job->process_analysed; its frame_data is a const fu_track_frame *. */
void fu_track_stage_attach(fu_video_job *job, fu_tracker *t);

/* The same for a processor chain: each frame's tracked faces are selected
 * with fu_chain_select (track ids, in frame order, so the choice follows
 * people the same way whatever the workers' timing), and the frame data of
 * process_analysed is a const fu_frame_faces * for fu_chain_apply. The
 * stage must outlive the run. */
typedef struct fu_chain_track_stage {
    fu_tracker *tracker;
    fu_chain *chain;
} fu_chain_track_stage;

void fu_track_stage_attach_chain(fu_video_job *job, fu_chain_track_stage *stage);

/* Applies the processors to a frame given its faces (the chain's second
 * step). *faces_used: how many it worked on (for the stats). */
typedef facefuse_status (*fu_apply_faces_fn)(void *user, facefuse_image *frame, const fu_track_frame *faces,
                                             int *faces_used, fu_err *err);

typedef struct fu_live_session {
    fu_live_job live;                      /* camera, output, stats, cancel, limits (its process is ours) */
    facefuse_analysis_params analysis;     /* the run's detector/landmarker/recognizer */
    fu_track_settings track;               /* interval, smoothing, tracker score (live is forced) */
    fu_apply_faces_fn apply;               /* NULL: faces are found and counted only */
    void *apply_user;
} fu_live_session;

/* Defaults chosen from bench_track_video (720p, SCRFD-2.5G, 2 cores): full
 * detection every 4th frame (1.9x less CPU a frame than every frame, past the
 * 1.3x naive bound; landmarks 0.17 px from every-frame detection on
 * average; a face entering is found at most 3 frames late, a cut at once)
 * and smoothing on (files: the zero-lag line fit, 2.2x less jitter and
 * closer to the true motion; live: One-Euro, 1.45x less jitter on a walking
 * face, 4.75x on a still one). YuNet detects every frame regardless. */
fu_track_settings fu_video_track_defaults(void);
fu_track_settings fu_live_track_defaults(void);

facefuse_status fu_live_session_run(facefuse_context *ctx, const fu_live_session *s, fu_live_summary *summary,
                                    fu_err *err);

#endif
