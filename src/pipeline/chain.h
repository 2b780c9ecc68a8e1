/*
 * chain.h — one frame through analysis, selection and the processor chain.
 *
 * A fu_chain is prepared once for a run (each processor's prepare: models,
 * source identity) and then processes frames, from several threads at once
 * if needed. Faces are analysed once a frame and shared by the processors;
 * selection in reference mode compares with the reference frame's faces,
 * set once with fu_chain_set_reference.
 */
#ifndef FU_CHAIN_H
#define FU_CHAIN_H

#include "core/error.h"
#include "pipeline/config.h"

typedef struct fu_chain fu_chain;

facefuse_status fu_chain_new(facefuse_context *ctx, const fu_run_config *cfg, fu_chain **out, fu_err *err);
void fu_chain_free(fu_chain *chain);

/* Analyses the reference frame (the target image itself, or the video's
 * --reference-frame-number frame). */
facefuse_status fu_chain_set_reference(fu_chain *chain, const facefuse_image *frame, fu_err *err);

/* Runs the chain on frame (RGB or RGBA, changed in place). *faces_found, if
 * not NULL, receives the number of faces selected. */
facefuse_status fu_chain_process(fu_chain *chain, facefuse_image *frame, int *faces_selected, fu_err *err);

/* The analysis settings the chain uses (after it decided which models it needs). */
const facefuse_analysis_params *fu_chain_analysis(const fu_chain *chain);

#endif
