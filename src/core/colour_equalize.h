/*
 * colour_equalize.h — FaceFusion's match_frame_color: a processed face
 * crop's low and middle frequencies of colour made equal to the crop it
 * came from, so a model's colour drift does not show after pasting.
 *
 * Three passes at sizes linspace(16, H, 3, endpoint=False), each made even
 * (round(s/2)·2, half to even as Python rounds): both images are shrunk to
 * s×s by area averaging, their difference is enlarged back to the target's
 * size by bicubic interpolation and added to the target; each pass starts
 * from the previous pass's result, rounded to bytes. Two departures from
 * FaceFusion, both so that a crop the model left unchanged comes back
 * unchanged: the shrunk images stay float (cv2.resize on bytes rounds them,
 * which adds up to two levels of noise), and sums are rounded, not
 * truncated (half a level darker on average). The source and target may
 * differ in size (styleganex matches a 1024 px output to its 384 px input
 * crop).
 *
 * conditional_match_frame_color (deep swapper) blends target and matched by
 * f = (c + 1)/2, c the correlation of their 50×60-bin hue–saturation
 * histograms (OpenCV's HSV of 8-bit pixels, calcHist, HISTCMP_CORREL):
 * similar crops get the full match, unrelated ones half.
 *
 * Images are RGB or RGBA (alpha untouched), 8-bit.
 */
#ifndef FU_COLOUR_EQUALIZE_H
#define FU_COLOUR_EQUALIZE_H

#include "core/error.h"

/* The even pass sizes for a target of height h (3 of them). */
void fu_match_frame_color_sizes(int h, int sizes[3]);

/* target's colours matched to source's, in place. */
facefuse_status fu_match_frame_color(const facefuse_image *source, facefuse_image *target, fu_err *err);

/* (c + 1)/2 for the hue–saturation histogram correlation c, in [0, 1]. */
double fu_histogram_similarity(const facefuse_image *a, const facefuse_image *b);

/* target = target·(1 − f) + matched·f, f = fu_histogram_similarity, rounded. */
facefuse_status fu_conditional_match_frame_color(const facefuse_image *source, facefuse_image *target,
                                                 fu_err *err);

#endif
