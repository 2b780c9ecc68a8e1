/*
 * resample.h — resizing float images the way OpenCV's cv2.resize does,
 * for the FaceFusion steps that resize face crops and colour differences:
 *
 * - area (INTER_AREA): when shrinking, each destination pixel is the
 *   average of the source pixels its cell covers, partial pixels weighted by
 *   the part covered (OpenCV's computeResizeAreaTab); when enlarging,
 *   OpenCV's area-flavoured linear interpolation (the weight is non-zero
 *   only across the seam between two source pixels).
 * - cubic (INTER_CUBIC): Keys' cubic with a = −0.75 on half-pixel centres,
 *   edge pixels replicated.
 *
 * Images are interleaved float, `channels` values a pixel, rows packed.
 * Both axes are handled separately (each is a 1-D weight table), so any
 * sw×sh → dw×dh works.
 */
#ifndef FU_RESAMPLE_H
#define FU_RESAMPLE_H

#include "core/error.h"

facefuse_status fu_resize_area_f32(const float *src, int sw, int sh, float *dst, int dw, int dh, int channels,
                                   fu_err *err);
facefuse_status fu_resize_cubic_f32(const float *src, int sw, int sh, float *dst, int dw, int dh, int channels,
                                    fu_err *err);

#endif
