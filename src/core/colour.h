/*
 * colour.h — colour spaces and colour transfer between face crops.
 *
 * Lab is CIE L*a*b* under D65 from sRGB with its gamma, the values OpenCV's
 * float cvtColor(COLOR_RGB2Lab) gives for RGB in [0, 1]: L in [0, 100],
 * a and b roughly in [−127, 127].
 *
 * Colour matching changes a swapped face crop so its colours follow the
 * target face's: Reinhard's transfer (per-channel Lab mean and standard
 * deviation) or histogram matching (per-channel CDF mapping). Statistics are
 * weighted by the masks (0..1 per pixel, NULL = every pixel counts) so only
 * the face, not the background of the crop, decides them; the mapping is
 * then applied to the whole face crop. Crops are RGB or RGBA (alpha kept);
 * the two crops may differ in size.
 */
#ifndef FU_COLOUR_H
#define FU_COLOUR_H

#include "core/error.h"

/* One pixel: rgb in [0, 1] to Lab and back (the inverse is not clipped). */
void fu_rgb_to_lab(const float rgb[3], float lab[3]);
void fu_lab_to_rgb(const float lab[3], float rgb[3]);

/* Lab planes of an RGB(A) image: w·h·3 floats, interleaved L, a, b. */
facefuse_status fu_image_to_lab(const facefuse_image *im, float **lab_out, fu_err *err);

/* Weighted per-channel mean and standard deviation of interleaved 3-channel
 * float pixels (n of them); weights may be NULL. */
void fu_channel_stats(const float *px3, const float *weight, size_t n, double mean[3], double std[3]);

facefuse_status fu_color_match_reinhard(facefuse_image *face_crop, const float *face_mask,
                                        const facefuse_image *target_crop, const float *target_mask,
                                        fu_err *err);

typedef enum fu_color_space { FU_COLOR_RGB = 0, FU_COLOR_LAB = 1 } fu_color_space;

facefuse_status fu_color_match_histogram(facefuse_image *face_crop, const float *face_mask,
                                         const facefuse_image *target_crop, const float *target_mask,
                                         fu_color_space space, fu_err *err);

#endif
