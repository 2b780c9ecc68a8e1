/*
 * chain.h — one frame through analysis, selection and the processor chain.
 *
 * A fu_chain is prepared once for a run (each processor's prepare: models,
 * source identity) and then processes frames, from several threads at once
 * if needed. A frame goes through two steps, which a caller may run apart
 * (the video pipeline analyses frames in order, for tracking, and applies
 * the processors in parallel):
 *   fu_chain_analyse  detection, landmarks, embedding, classification, and
 *                     selection (reference / one / many, filters);
 *   fu_chain_apply    every processor in order on the frame, with those
 *                     faces (rescaled when a processor enlarges the frame).
 * Faces are analysed only when a processor needs them; selection in
 * reference mode compares with the reference frame's faces, set once with
 * fu_chain_set_reference.
 */
#ifndef FU_CHAIN_H
#define FU_CHAIN_H

#include <stdint.h>

#include "core/error.h"
#include "pipeline/config.h"

typedef struct fu_chain fu_chain;

/* The faces of one frame: all detected, and those selected. */
typedef struct fu_frame_faces {
    facefuse_face *all;
    int all_count;
    facefuse_face *selected;
    int selected_count;
} fu_frame_faces;

void fu_frame_faces_free(fu_frame_faces *faces);

/* Frame facts a processor may need (lip sync): the target's rate and the
 * first frame processed. */
typedef struct fu_chain_target {
    int is_video;
    double fps;
    int64_t trim_frame_start;
} fu_chain_target;

facefuse_status fu_chain_new(facefuse_context *ctx, const fu_run_config *cfg, const fu_chain_target *target,
                             fu_chain **out, fu_err *err);
void fu_chain_free(fu_chain *chain);

/* Analyses the reference frame (the target image itself, or the video's
 * --reference-frame-number frame). */
facefuse_status fu_chain_set_reference(fu_chain *chain, const facefuse_image *frame, fu_err *err);

facefuse_status fu_chain_analyse(fu_chain *chain, const facefuse_image *frame, fu_frame_faces *out, fu_err *err);
/* The frame's time is taken as its index at the target's rate, counted
 * from the trim start (0 for an image). */
facefuse_status fu_chain_apply(fu_chain *chain, facefuse_image *frame, const fu_frame_faces *faces,
                               int64_t frame_index, fu_err *err);
/* With the frame's presentation time, seconds after the first frame
 * processed (what the lip syncer's audio window follows). */
facefuse_status fu_chain_apply_at(fu_chain *chain, facefuse_image *frame, const fu_frame_faces *faces,
                                  int64_t frame_index, double time_s, fu_err *err);

/* Both steps. *faces_selected, if not NULL, receives the number of faces selected. */
facefuse_status fu_chain_process(fu_chain *chain, facefuse_image *frame, int64_t frame_index, int *faces_selected,
                                 fu_err *err);
facefuse_status fu_chain_process_at(fu_chain *chain, facefuse_image *frame, int64_t frame_index, double time_s,
                                    int *faces_selected, fu_err *err);

/* The analysis settings the chain uses (after it decided which models it needs). */
const facefuse_analysis_params *fu_chain_analysis(const fu_chain *chain);
/* 1 when some processor works on faces. */
int fu_chain_uses_faces(const fu_chain *chain);

#endif
