/*
 * resample.h — resizing float and byte images the way OpenCV's cv2.resize
 * does, so masks, crops and colour planes match FaceFusion's:
 *
 * - area (INTER_AREA, resample.c): when shrinking, each destination pixel
 *   is the average of the source pixels its cell covers, partial pixels
 *   weighted by the part covered (OpenCV's computeResizeAreaTab); when
 *   enlarging, OpenCV's area-flavoured linear interpolation (the weight is
 *   non-zero only across the seam between two source pixels).
 * - cubic (INTER_CUBIC, resample.c): Keys' cubic with a = −0.75 on
 *   half-pixel centres, edge pixels replicated. Interleaved float images,
 *   `channels` values a pixel, rows packed; any sw×sh → dw×dh.
 * - bilinear (INTER_LINEAR, resample_bilinear.c): single planes; the
 *   source coordinate of destination pixel x is (x + 0.5)·sw/dw − 0.5,
 *   clamped to the first and last pixel. FaceFusion scales model masks and
 *   predicted colour planes back to the frame this way (on bytes equal to
 *   OpenCV's fixed-point weights ±1).
 */
#ifndef FU_RESAMPLE_H
#define FU_RESAMPLE_H

#include <stdint.h>

#include "core/error.h"

facefuse_status fu_resize_area_f32(const float *src, int sw, int sh, float *dst, int dw, int dh, int channels,
                                   fu_err *err);
facefuse_status fu_resize_cubic_f32(const float *src, int sw, int sh, float *dst, int dw, int dh, int channels,
                                    fu_err *err);

/* Strides are in elements. The planes must not overlap.
 * FACEFUSE_ERR_NO_MEMORY when the small index tables cannot be had. */
facefuse_status fu_resize_bilinear_f32(const float *src, int sw, int sh, int src_stride, float *dst, int dw, int dh,
                                       int dst_stride);
facefuse_status fu_resize_bilinear_u8(const uint8_t *src, int sw, int sh, int src_stride, uint8_t *dst, int dw,
                                      int dh, int dst_stride);

#endif
