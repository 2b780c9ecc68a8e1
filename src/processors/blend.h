/*
 * blend.h — how a processed face crop goes back into its frame, with the
 * two options facefuse adds to FaceFusion's paste-back:
 *
 * --face-color-match none|reinhard|histogram: before pasting, the processed
 *   crop's colours are matched to the original target crop's in Lab
 *   (Reinhard: per-channel mean and standard deviation; histogram:
 *   per-channel CDF), both measured over the pixels where the crop's mask
 *   is above 0.5 — the face, not the background — and the mapping applied
 *   to the whole crop (core/colour.h).
 * --face-blend-mode linear|poisson: linear is FaceFusion's paste-back
 *   (paste.h); poisson samples the crop and its mask into the frame
 *   rectangle paste-back would visit, and solves the gradient-domain clone
 *   (core/poisson.h) over the bounding box of mask > 0.5, grown by one
 *   pixel so the box's edge is the fixed boundary: inside the mask the face
 *   keeps its own gradients and meets the frame without a seam; no pixel
 *   outside the mask changes.
 */
#ifndef FU_BLEND_H
#define FU_BLEND_H

#include "core/error.h"
#include "core/geometry.h"

typedef enum fu_color_match_mode {
    FU_COLOR_MATCH_NONE = 0,
    FU_COLOR_MATCH_REINHARD = 1,
    FU_COLOR_MATCH_HISTOGRAM = 2
} fu_color_match_mode;

typedef enum fu_blend_mode { FU_BLEND_LINEAR = 0, FU_BLEND_POISSON = 1 } fu_blend_mode;

/* By name; NULL gives the default (none, linear). */
facefuse_status fu_color_match_parse(const char *name, fu_color_match_mode *out, fu_err *err);
facefuse_status fu_blend_mode_parse(const char *name, fu_blend_mode *out, fu_err *err);

/* Matches result's colours to target's (same size) over mask > 0.5. */
facefuse_status fu_crop_color_match(facefuse_image *result, const facefuse_image *target, const float *mask,
                                    fu_color_match_mode mode, fu_err *err);

/* Pastes crop (size×size×3 floats, RGB 0..255) through mask into frame. */
facefuse_status fu_blend_crop(facefuse_image *frame, const float *crop, const float *mask, int size,
                              const fu_affine *frame_to_crop, fu_blend_mode mode, fu_err *err);

#endif
