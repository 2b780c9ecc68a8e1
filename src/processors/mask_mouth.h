/*
 * mask_mouth.h — the mask that keeps the target's own mouth, as
 * Deep-Live-Cam's "mouth mask" does for live swaps: a swapped face talks
 * with the speaker's real lips, teeth and tongue.
 *
 * The outer lip points of the face's 68 landmarks (48–59), mapped into the
 * crop, are grown outwards by `grow` × the mouth's width (corner to corner)
 * and filled; the filled hull is Gaussian-blurred with σ = `feather` × width
 * / 2 and the mask is 1 − min(1, 2·blurred): exactly 0 on the grown hull (the
 * frame's own mouth shows unchanged there), rising to 1 over about
 * `feather` × width outside it. Combined with the others by minimum, like
 * FaceFusion's mask types.
 */
#ifndef FU_MASK_MOUTH_H
#define FU_MASK_MOUTH_H

#include "core/error.h"
#include "core/geometry.h"

typedef struct fu_mouth_mask_settings {
    float grow;      /* outward growth of the lip hull, share of the mouth width (0.1) */
    float feather;   /* width of the soft edge, share of the mouth width (0.3) */
} fu_mouth_mask_settings;

fu_mouth_mask_settings fu_mouth_mask_default_settings(void);

/* mask (size × size, row-major) = min(mask, keep-the-mouth mask) for the face
 * whose 68 landmarks are lm68 (frame coordinates, mapped by to_crop). */
facefuse_status fu_mouth_keep_mask(float *mask, int size, const facefuse_point lm68[68], const fu_affine *to_crop,
                                   const fu_mouth_mask_settings *s, fu_err *err);

#endif
