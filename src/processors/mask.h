/*
 * mask.h — the box mask of a face crop, exactly as FaceFusion builds it,
 * and the helpers its model masks share (the soft threshold, resizing).
 *
 * For a crop of C×C px, blur b ∈ [0, 1] and padding p% per side (top,
 * right, bottom, left): blur_amount = int(C·0.5·b); border = max(blur_amount
 * // 2, 1); an all-ones mask gets a zero strip of max(border, int(C·p/100))
 * px on each side; then, when blur_amount > 0, OpenCV's GaussianBlur with
 * ksize (0, 0) and σ = 0.25·blur_amount on the float mask: kernel size
 * cvRound(σ·4·2 + 1) | 1 (OpenCV's rule for float images), border
 * BORDER_REFLECT_101. The zeroed box is separable (a row band times a column
 * band) and so is the Gaussian, so the mask is the outer product of two
 * blurred 1-D bands: O(C·k) work instead of O(C²·k).
 */
#ifndef FU_MASK_H
#define FU_MASK_H

#include "core/error.h"
#include "core/geometry.h"

typedef struct fu_box_mask_geometry {
    int blur_amount;     /* int(C·0.5·b) */
    int border_px;       /* max(blur_amount // 2, 1) */
    int strip_px[4];     /* zeroed rows/columns: top, right, bottom, left */
    double sigma;        /* 0.25·blur_amount; 0 = no blur */
    int ksize;           /* Gaussian kernel taps (0 when no blur) */
} fu_box_mask_geometry;

fu_box_mask_geometry fu_box_mask_geometry_of(int size, float blur, const int padding[4]);

/* A size×size float mask in [0, 1], row-major, malloc'd into *mask. */
facefuse_status fu_box_mask(int size, float blur, const int padding[4], float **mask, fu_err *err);

/* FaceFusion's soft threshold of its model and area masks, in place:
 * clip to [0, 1], Gaussian σ = 5 (OpenCV's float kernel, reflect-101),
 * clip to [0.5, 1], then (x − 0.5)·2. */
facefuse_status fu_mask_soften(float *mask, int w, int h, fu_err *err);

/* The affine of OpenCV's resize (INTER_LINEAR, half-pixel centres) from a
 * sw×sh image to dw×dh: dst = (src + 0.5)·(dw/sw) − 0.5, per axis. */
fu_affine fu_resize_affine(int sw, int sh, int dw, int dh);

#endif
