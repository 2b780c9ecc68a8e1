/*
 * mask_occlusion.h — FaceFusion's occlusion mask: what of a face crop is
 * the face and not something in front of it (hands, hair, glasses), from
 * DeepFaceLab's XSeg models.
 *
 * The crop is resized to the model's size (256) with OpenCV's bilinear
 * resize geometry, fed NHWC as B, G, R / 255 (FaceFusion hands its BGR
 * frames over as they are), the output clipped to [0, 1] and resized back;
 * with several models ("many" = xseg_1, xseg_2, xseg_3) the minimum of
 * their masks is taken; then the soft threshold of fu_mask_soften.
 */
#ifndef FU_MASK_OCCLUSION_H
#define FU_MASK_OCCLUSION_H

#include "core/error.h"
#include "infer/ort.h"

/* Checks an XSeg session: one [1,S,S,3] input, a first output of S·S values. */
facefuse_status fu_occluder_check(const fu_session *s, int size, fu_err *err);

/* mask (crop->width × crop->height floats, row-major) receives the
 * occlusion mask of crop (RGB or RGBA, square) from n sessions of
 * size×size models. */
facefuse_status fu_occlusion_mask(fu_session *const *sessions, int n, int size, const facefuse_image *crop,
                                  float *mask, fu_err *err);

#endif
