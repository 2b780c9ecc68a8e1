/*
 * live_portrait.h — the LivePortrait models and arithmetic that
 * expression_restorer and face_editor share (FaceFusion 3.8.1's
 * processors/live_portrait.py and the forward_* functions of both modules).
 *
 * A face is cut from the frame as a 512² crop (the processor picks the
 * template), shrunk 2×2 by area to 256², and fed as RGB/255 NCHW to
 *   the feature extractor  → feature volume [1,32,16,64,64]
 *   the motion extractor   → pitch, yaw, roll (degrees), scale,
 *                            translation [3], expression [21][3] and the
 *                            canonical keypoints [21][3] (FaceFusion's
 *                            "motion points").
 * A motion is turned into 21 posed keypoints by
 *   posed = scale·(points·Rᵀ + expression) + translation,
 * R = Rz(roll)·Ry(yaw)·Rx(pitch) (scipy's extrinsic "xyz"). The generator
 * takes the feature volume, the keypoints wanted ("source") and the
 * keypoints the crop has ("target"), and renders a 512² crop in [0, 1].
 * face_editor also uses the eye and lip retargeters (keypoints + landmark
 * ratios → keypoint deltas) and the stitcher (source, target → source).
 *
 * Inputs are bound by position except where FaceFusion binds them by name:
 * the generator's "feature_volume", "source", "target" and the stitcher's
 * "source", "target" (both have two inputs of one shape). Sessions are owned
 * by the context; a fu_live_portrait is read-only after open.
 */
#ifndef FU_LIVE_PORTRAIT_H
#define FU_LIVE_PORTRAIT_H

#include <stdint.h>

#include "core/error.h"
#include "core/geometry.h"

#define FU_LP_POINTS 21     /* implicit keypoints */
#define FU_LP_CROP_PX 512   /* the crop cut from the frame and rendered by the generator */
#define FU_LP_INPUT_PX 256  /* the extractors' input */
#define FU_LP_VOLUME_FLOATS (32 * 16 * 64 * 64)

typedef float fu_lp_points[FU_LP_POINTS][3];

typedef struct fu_lp_motion {
    float pitch, yaw, roll; /* degrees */
    float scale;
    float translation[3];
    fu_lp_points expression;
    fu_lp_points points;    /* canonical keypoints */
} fu_lp_motion;

/* Which models fu_live_portrait_open loads. */
enum {
    FU_LP_FEATURE = 1,
    FU_LP_MOTION = 2,
    FU_LP_GENERATOR = 4,
    FU_LP_EYE = 8,
    FU_LP_LIP = 16,
    FU_LP_STITCHER = 32
};
#define FU_LP_RESTORER_MODELS (FU_LP_FEATURE | FU_LP_MOTION | FU_LP_GENERATOR)
#define FU_LP_EDITOR_MODELS (FU_LP_RESTORER_MODELS | FU_LP_EYE | FU_LP_LIP | FU_LP_STITCHER)

/* Where the time of a face went, in nanoseconds (accumulated into). */
typedef struct fu_lp_timing {
    int64_t crop_ns;   /* warps, 2×2 area shrink, tensors, masks before the models */
    int64_t model_ns;  /* the model runs (extractors, retargeters, stitcher, generator), their
                        * tensors in and out, and the keypoint arithmetic between them */
    int64_t paste_ns;  /* paste-back */
    int64_t faces;     /* faces counted */
} fu_lp_timing;

typedef struct fu_live_portrait fu_live_portrait;

/* Loads the models named by `models` (FU_LP_* bits) and binds their inputs. */
facefuse_status fu_live_portrait_open(facefuse_context *ctx, unsigned models, fu_live_portrait **out, fu_err *err);
void fu_live_portrait_close(fu_live_portrait *lp);

/* ---------------------------------------------------------------- arithmetic */

/* numpy.interp(x, [x0, x1], [y0, y1]) with x0 < x1: linear, clamped at the ends. */
float fu_lp_interp(float x, float x0, float x1, float y0, float y1);

/* R = Rz(roll)·Ry(yaw)·Rx(pitch), angles in degrees: a keypoint p (row)
 * turns into p·Rᵀ. */
void fu_lp_rotation(float pitch, float yaw, float roll, float r[3][3]);

/* out = m->scale·(m->points·Rᵀ + expression) + m->translation. */
void fu_lp_pose(const fu_lp_motion *m, const float r[3][3], const fu_lp_points expression, fu_lp_points out);

/* Clamps each expression value to LivePortrait's EXPRESSION_MIN/MAX. */
void fu_lp_limit_expression(fu_lp_points expression);

/* limit_angle: clamps edited[3] (pitch, yaw, roll) to ±30°, ±60°, ±20°,
 * each bound widened to the original angle when that lies beyond it on
 * its own side. */
void fu_lp_limit_angles(const float original[3], float edited[3]);

/* |lm[top] − lm[bottom]| / (|lm[left] − lm[right]| + 1e-6): FaceFusion's
 * eye and lip opening ratios on the 68 landmarks. */
float fu_lp_distance_ratio(const facefuse_point lm68[68], int top, int bottom, int left, int right);

/* ---------------------------------------------------------------- tensors */

/* The model input from a 512² RGB crop: each 2×2 block averaged as
 * OpenCV's INTER_AREA does on bytes ((a+b+c+d+2)>>2), /255, planar RGB
 * [1,3,256,256] written to input (3·256² floats). */
void fu_lp_prepare(const facefuse_image *crop, float *input);

/* ---------------------------------------------------------------- models */

/* *volume: FU_LP_VOLUME_FLOATS malloc'd floats. */
facefuse_status fu_lp_extract_feature(const fu_live_portrait *lp, const float *input, float **volume, fu_err *err);
facefuse_status fu_lp_extract_motion(const fu_live_portrait *lp, const float *input, fu_lp_motion *m, fu_err *err);
/* Eye retargeter on [posed keypoints, left ratio, right ratio, goal] → delta. */
facefuse_status fu_lp_retarget_eye(const fu_live_portrait *lp, const fu_lp_points posed, float left_ratio,
                                   float right_ratio, float goal, fu_lp_points delta, fu_err *err);
/* Lip retargeter on [posed keypoints, lip ratio, goal] → delta. */
facefuse_status fu_lp_retarget_lip(const fu_live_portrait *lp, const fu_lp_points posed, float lip_ratio, float goal,
                                   fu_lp_points delta, fu_err *err);
/* Stitcher: out = stitched source (out may alias source). */
facefuse_status fu_lp_stitch(const fu_live_portrait *lp, const fu_lp_points source, const fu_lp_points target,
                             fu_lp_points out, fu_err *err);
/* Generator: rgb receives the 512² crop as interleaved RGB floats in
 * 0..255 (clipped to [0, 1] then ×255; not truncated to bytes as FaceFusion
 * does — paste-back rounds once). */
facefuse_status fu_lp_generate(const fu_live_portrait *lp, const float *volume, const fu_lp_points source,
                               const fu_lp_points target, float *rgb, fu_err *err);

#endif
