/*
 * paste.h — pasting a processed face crop back into the frame.
 *
 * As FaceFusion's paste_back: only the axis-aligned bounding rectangle of the
 * crop's quad mapped into the frame (floor/ceil, clipped to the frame) is
 * visited; there the mask is sampled bilinearly with a zero border and the
 * crop bilinearly with a replicated border (OpenCV's warpAffine defaults as
 * FaceFusion calls them), and the pixel becomes frame·(1 − m) + crop·m.
 * Where m is 0 the frame pixel is not touched at all, so everything outside
 * the mask stays byte-identical. The blend is rounded to nearest (FaceFusion
 * truncates, which darkens by half a level on average).
 */
#ifndef FU_PASTE_H
#define FU_PASTE_H

#include "core/geometry.h"

/* The frame rectangle [x1, x2) × [y1, y2) a size×size crop covers, where
 * frame_to_crop maps frame pixels to crop pixels; empty (x1 == x2) when it
 * misses the frame. */
void fu_paste_rect(int frame_w, int frame_h, int size, const fu_affine *frame_to_crop, int rect[4]);

/* Blends crop (size×size×3 floats, RGB, 0..255, row-major) through mask
 * (size×size floats in [0, 1]) into the first three channels of frame. */
void fu_paste_back(facefuse_image *frame, const float *crop, const float *mask, int size,
                   const fu_affine *frame_to_crop);

/* The crop and mask as paste-back sees them over rect (x1, y1, x2, y2 from
 * fu_paste_rect): rgb receives (x2−x1)·(y2−y1)·3 floats (bilinear,
 * replicated border), m the mask (bilinear, zero border, clipped to 1). */
void fu_paste_sample(const float *crop, const float *mask, int size, const fu_affine *frame_to_crop,
                     const int rect[4], float *rgb, float *m);

#endif
