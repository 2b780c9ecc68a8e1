/*
 * image_metrics.h — how far an output frame is from its original outside
 * the areas a processor was allowed to change: PSNR over RGB and SSIM over
 * luma, both counting only pixels where a mask is 0. Pixels that must stay
 * untouched stay untouched exactly when the PSNR is infinite.
 */
#ifndef FU_IMAGE_METRICS_H
#define FU_IMAGE_METRICS_H

#include "facefuse.h"

/* PSNR in dB of b against a (same size, 3 or 4 channels; only RGB is
 * compared) over pixels where mask (1 channel, same size; NULL = none) is
 * 0. INFINITY when identical there, NAN when no pixel is outside the mask. */
double fu_psnr_outside(const facefuse_image *a, const facefuse_image *b, const facefuse_image *mask);

/* Mean SSIM of the luma of b against a over the 8×8 windows (a grid of
 * them) wholly outside the mask: 1 when identical there, NAN when no window is. */
double fu_ssim_outside(const facefuse_image *a, const facefuse_image *b, const facefuse_image *mask);

#endif
