/*
 * frame_extras.h — what a run does to each frame besides the processor
 * chain, as the options ask: the quality report's observation
 * (--quality-report) and the watermarks (--watermark-text,
 * --watermark-invisible). The image and video workflows run every frame
 * through fu_frame_extras_process instead of fu_chain_process.
 *
 * Order per frame: analyse, processors, quality observation (of the
 * processed frame, before any watermark, so a visible label does not count
 * as damage outside the faces), then the invisible mark, then the label.
 * A frame enlarged by a processor (frame_enhancer) is compared with the
 * target at the target's size.
 */
#ifndef FU_FRAME_EXTRAS_H
#define FU_FRAME_EXTRAS_H

#include <stdint.h>

#include "core/error.h"
#include "pipeline/chain.h"
#include "pipeline/config.h"

typedef struct fu_frame_extras fu_frame_extras;

/* Opens the report and the watermarks cfg asks for (the chain must be
 * prepared: its recognizer is the report's). With a source image, the
 * report compares each output face with the source identity. */
facefuse_status fu_frame_extras_open(facefuse_context *ctx, const fu_run_config *cfg, fu_chain *chain,
                                     fu_frame_extras **out, fu_err *err);
/* One frame, in place; from several threads at once. time_s: the frame's
 * time from the trim start (NAN: from its index at the target's rate, as
 * fu_chain_process). *faces_selected may be NULL. */
facefuse_status fu_frame_extras_process(fu_frame_extras *x, facefuse_image *frame, int64_t frame_index,
                                        double time_s, int *faces_selected, fu_err *err);
/* The same on faces found elsewhere (a face tracker's, already selected):
 * the processors, the report and the marks without analysing the frame. */
facefuse_status fu_frame_extras_apply(fu_frame_extras *x, facefuse_image *frame, const fu_frame_faces *faces,
                                      int64_t frame_index, double time_s, fu_err *err);
/* After the last frame of a successful run: writes the report, if any. */
facefuse_status fu_frame_extras_finish(fu_frame_extras *x, fu_err *err);
void fu_frame_extras_free(fu_frame_extras *x);

#endif
