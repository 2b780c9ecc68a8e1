/*
 * swap_model.h — one face swapper model applied to one face.
 *
 * A fu_swapper is opened once per run (or per facefuse_swap_faces call): the
 * model's session (owned by the context), its embedding converter's session
 * (simswap, ghost, hififace: CrossFace), which input is the crop (rank 4)
 * and which the identity vector (rank 2) — bound by position after looking
 * at their ranks, since exports differ in order; blendswap and uniface take
 * two images, told apart by size, else by FaceFusion's names "source" and
 * "target" —, the crop size P (pixel boost) and the box mask for it. Swapping one face is: align the face to the
 * model's template at P px, run the model on the k² = (P / model size)²
 * polyphase sub-images of the crop (sub-image (i, j) takes every k-th pixel
 * from row i, column j: FaceFusion's pixel boost, not tiles) with the same
 * latent, re-interleave the outputs, paste back through the mask.
 * Optionally (fu_swapper_set_finish) the mask is FaceFusion's combined one
 * (face_masker.h: box and occlusion on the crop before the model, area and
 * region after it), the swapped crop's colours are matched to the target
 * crop's, and the paste is Poisson instead of linear (blend.h).
 * Per type, as FaceFusion: the crop is normalised with the model's mean/std;
 * the output is de-normalised with them for ghost, hififace, hyperswap and
 * uniface, and taken as 0..1 as it is for inswapper, simswap and blendswap
 * (simswap_256 takes an ImageNet-normalised crop and gives 0..1 back).
 * Supported: every swapper of FaceFusion 3.8's set — inswapper_128(_fp16),
 * hyperswap_1a/1b/1c_256, simswap_256, simswap_unofficial_512,
 * ghost_1/2/3_256, hififace_unofficial_256, blendswap_256, uniface_256.
 */
#ifndef FU_SWAP_MODEL_H
#define FU_SWAP_MODEL_H

#include <stdint.h>

#include "core/error.h"
#include "core/geometry.h"
#include "processors/blend.h"
#include "processors/face_masker.h"
#include "processors/swap_identity.h"

typedef struct fu_swapper fu_swapper;

/* Where the time of one face went, in nanoseconds (for benchmarks). */
typedef struct fu_swap_timing {
    int64_t align_ns, model_ns, paste_ns;
    int64_t mask_ns;  /* occlusion, area, region masks and colour matching */
} fu_swap_timing;

/* Errors: FACEFUSE_ERR_UNSUPPORTED (a swapper model facefuse cannot run yet),
 * FACEFUSE_ERR_INVALID_ARGUMENT (not a swapper, or a pixel boost the model
 * does not take), the context's model loading errors. pixel_boost 0 = the
 * model's size. */
facefuse_status fu_swapper_open(facefuse_context *ctx, const char *model, int pixel_boost, float mask_blur,
                                const int mask_padding[4], fu_swapper **out, fu_err *err);
void fu_swapper_close(fu_swapper *sw);

/* Masks beyond the box (masker: borrowed, must outlive sw; NULL = the box
 * mask only), colour matching and paste mode. Call before swapping; the
 * defaults are NULL, none, linear. */
void fu_swapper_set_finish(fu_swapper *sw, const fu_face_masker *masker, fu_color_match_mode color,
                           fu_blend_mode blend);

fu_swap_kind fu_swapper_kind(const fu_swapper *sw);
int fu_swapper_model_size(const fu_swapper *sw);  /* the model's crop size S */
int fu_swapper_crop_size(const fu_swapper *sw);   /* P = k·S */
int fu_swapper_latent_dim(const fu_swapper *sw);  /* length of the identity input; 0: an image */
const char *fu_swapper_model_path(const fu_swapper *sw);
const float *fu_swapper_mask(const fu_swapper *sw); /* P×P box mask */
/* The similarity taking frame pixels to crop pixels for this face. */
fu_affine fu_swapper_align(const fu_swapper *sw, const facefuse_face *face);

/* The latent for one target face: the identity's (cached) latent for this
 * model blended with the target by weight. For blendswap and uniface,
 * which take the source face's image instead (FaceFusion blends nothing
 * there), latent is left alone and id's source crop becomes the one the
 * swapper feeds from then on: id must outlive the swaps that follow. */
facefuse_status fu_swapper_latent(const fu_swapper *sw, facefuse_source_identity *id, const facefuse_face *target,
                                  float weight, float *latent, fu_err *err);

/* The aligned P×P crop (3 or 4 channels; the first three are RGB) through the
 * model: out receives P×P×3 floats, RGB, 0..255, not rounded. */
facefuse_status fu_swapper_swap_crop(const fu_swapper *sw, const facefuse_image *crop, const float *latent,
                                     float *out, fu_err *err);

/* Between the model and the paste: the masks after inference (area,
 * region) taken into mask, then the colour match of swapped (P×P×3 floats,
 * rounded to bytes first, as FaceFusion's crops are) to the target crop over
 * mask > 0.5. a is the face's alignment (frame → crop). */
facefuse_status fu_swapper_finish_crop(const fu_swapper *sw, const facefuse_image *crop, const facefuse_face *face,
                                       const fu_affine *a, float *swapped, float *mask, fu_err *err);

/* Align, swap, paste back for one face of frame. timing may be NULL. */
facefuse_status fu_swapper_swap_face(const fu_swapper *sw, facefuse_image *frame, const facefuse_face *face,
                                     const float *latent, fu_swap_timing *timing, fu_err *err);

/* Pixel boost: sub-image index = i·k + j of a P×P crop (P = k·s) into a
 * planar 3×s×s tensor, (x/255 − mean)/std, RGB. */
void fu_pixel_boost_split(const facefuse_image *crop, int k, int index, const float mean[3], const float std[3],
                          float *planar);
/* The inverse for a model output: planar 3×s×s, de-normalised (x·std +
 * mean), clipped to [0, 1], ×255, written to its interleaved positions of
 * out (P×P×3). */
void fu_pixel_boost_merge(const float *planar, int s, int k, int index, const float mean[3], const float std[3],
                          float *out);

#endif
