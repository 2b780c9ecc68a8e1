/*
 * expression_restorer.h — FaceFusion's expression_restorer: puts the
 * expression the face had in the ORIGINAL target frame back onto the face
 * as it is now (after face_swapper, which keeps the source's expression),
 * with LivePortrait (live_portrait.h).
 *
 * Per face, both frames are cut at the face's 5/68 landmarks to
 * arcface_128 at 512² and shrunk to 256². The motion extractor reads both;
 * the original's expression replaces the current one on the chosen areas'
 * keypoints only (upper-face: 1 2 6 10 11 12 13 15 16; lower-face: 3 7 14
 * 17 18 19 20; keypoints 0 4 5 8 9 always keep the current value), is
 * mixed with the current one by f = factor·1.2/100 (FaceFusion's
 * interp(0..100 → 0..1.2)): e = f·original + (1 − f)·current, and clamped
 * to LivePortrait's bounds. The generator renders the current crop's
 * feature volume moved from the current keypoints (target) to the mixed
 * ones (source), and the crop is pasted under box (--face-mask-blur, no
 * padding) ∧ occlusion (when --face-mask-types has occlusion).
 *
 * Factor 0 leaves the frame untouched (FaceFusion still regenerates the
 * face through the model's 256² bottleneck, softening it for no change).
 */
#ifndef FU_EXPRESSION_RESTORER_H
#define FU_EXPRESSION_RESTORER_H

#include "core/error.h"
#include "processors/face_masker.h"
#include "processors/live_portrait.h"

enum { FU_AREA_UPPER_FACE = 1, FU_AREA_LOWER_FACE = 2 };

typedef struct fu_expression_restorer_settings {
    const char *model;  /* --expression-restorer-model: "live_portrait" */
    int factor;         /* --expression-restorer-factor: 0..100, default 80 */
    unsigned areas;     /* --expression-restorer-areas: FU_AREA_* bits, default both */
    float mask_blur;    /* --face-mask-blur: 0..1, default 0.3 */
} fu_expression_restorer_settings;

fu_expression_restorer_settings fu_expression_restorer_default_settings(void);

/* FU_AREA_* bits of the words "upper-face" / "lower-face";
 * FACEFUSE_ERR_INVALID_ARGUMENT naming an unknown word or none at all. */
facefuse_status fu_expression_restorer_areas_parse(const char *const *words, int count, unsigned *areas,
                                                   fu_err *err);

typedef struct fu_expression_restorer fu_expression_restorer;

/* Checks the settings, loads the feature extractor, motion extractor and
 * generator. masker is borrowed (NULL: box only); only its occlusion is
 * used, as in FaceFusion. */
facefuse_status fu_expression_restorer_open(facefuse_context *ctx, const fu_expression_restorer_settings *settings,
                                            const fu_face_masker *masker, fu_expression_restorer **out, fu_err *err);
void fu_expression_restorer_close(fu_expression_restorer *er);

/* Restores one face: original is the target frame as read (before any
 * processor) and original_face the face in its coordinates; frame is the
 * frame as processed so far (RGB or RGBA; alpha kept) and face the same face
 * in frame's coordinates. The two may differ in size (an earlier processor
 * enlarged the frame): each crop is cut at its own frame's landmarks, so
 * both show the same part of the face. timing may be NULL. */
facefuse_status fu_expression_restorer_face(const fu_expression_restorer *er, const facefuse_image *original,
                                            const facefuse_face *original_face, facefuse_image *frame,
                                            const facefuse_face *face, fu_lp_timing *timing, fu_err *err);

/* ---------------------------------------------------------------- arithmetic */

/* interp(factor, [0, 100], [0, 1.2]). */
float fu_expression_restorer_mix(int factor);

/* The expression to render: original's values on the areas' keypoints and
 * current's elsewhere, then f·that + (1 − f)·current, clamped. */
void fu_expression_restorer_expression(unsigned areas, float mix, const fu_lp_points original,
                                       const fu_lp_points current, fu_lp_points out);

/* Source (wanted) and target (current) keypoints from the two motions. */
void fu_expression_restorer_keypoints(unsigned areas, float mix, const fu_lp_motion *original,
                                      const fu_lp_motion *current, fu_lp_points source, fu_lp_points target);

#endif
