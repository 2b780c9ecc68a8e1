/*
 * resample.h — bilinear resampling of single planes, as OpenCV's
 * cv2.resize(..., INTER_LINEAR): the source coordinate of destination pixel
 * x is (x + 0.5)·sw/dw − 0.5, clamped to the first and last pixel.
 *
 * FaceFusion scales model masks and predicted colour planes back to the
 * frame this way; doing the same keeps our masks equal to its masks (to
 * the rounding of OpenCV's fixed-point weights on bytes: ±1).
 */
#ifndef FU_RESAMPLE_H
#define FU_RESAMPLE_H

#include <stdint.h>

#include "facefuse.h"

/* Strides are in elements. The planes must not overlap.
 * FACEFUSE_ERR_NO_MEMORY when the small index tables cannot be had. */
facefuse_status fu_resize_bilinear_f32(const float *src, int sw, int sh, int src_stride, float *dst, int dw, int dh,
                            int dst_stride);
facefuse_status fu_resize_bilinear_u8(const uint8_t *src, int sw, int sh, int src_stride, uint8_t *dst, int dw, int dh,
                           int dst_stride);

#endif
