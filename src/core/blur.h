/*
 * blur.h — Gaussian blur of float planes, as OpenCV's GaussianBlur on CV_32F.
 *
 * FaceFusion softens its masks with cv2.GaussianBlur(mask, (0, 0), sigma):
 * the kernel size then follows OpenCV's rule for float images,
 * ksize = round(sigma·4·2 + 1) | 1, and the border is BORDER_REFLECT_101.
 * Doing the same here keeps our masks equal to FaceFusion's.
 */
#ifndef FU_BLUR_H
#define FU_BLUR_H

#include "core/error.h"

/* The kernel size OpenCV picks for a float image and sigma (odd, >= 1). */
int fu_gaussian_ksize_f32(float sigma);
/* The kernel size OpenCV picks for an 8-bit image: round(sigma·3·2 + 1) | 1. */
int fu_gaussian_ksize_u8(float sigma);

/* Blurs a w×h row-major plane in place; sigma <= 0 leaves it unchanged. */
facefuse_status fu_gaussian_blur_f32(float *img, int w, int h, float sigma, fu_err *err);
/* The same with an explicit odd kernel size (e.g. fu_gaussian_ksize_u8's,
 * for a plane that holds an 8-bit image's values). */
facefuse_status fu_gaussian_blur_f32_k(float *img, int w, int h, float sigma, int ksize, fu_err *err);

#endif
