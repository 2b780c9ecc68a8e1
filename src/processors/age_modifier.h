/*
 * age_modifier.h — FaceFusion's age_modifier: a face made younger or older
 * by fran or styleganex_age, as FaceFusion 3.8.1 does it.
 *
 * fran (default): the face aligned to ffhq_512 at 1024 px, RGB/255, and the
 * input `direction` = clip([age, age + d] / 100, 0, 1), age the mean of the
 * face classifier's age range (numpy.mean(range(a, b)) = (a + b − 1)/2), d
 * the direction; the output (RGB in [0, 1]) pasted back through the box
 * mask (the run's blur, no padding) min the occlusion mask when selected.
 *
 * styleganex_age: `target` = the face at ffhq_512, 256 px, and
 * `target_with_background` = the face with its surroundings: the 5
 * landmarks scaled ×0.875 about the nose, aligned to styleganex_384 at 384
 * px; both RGB (x/255 − 0.5)/0.5; `direction` = the scalar
 * interp(d, [−100, 100], [2.5, −2.5]). The output (the background crop at
 * 4× its size, in [−1, 1]) becomes bytes, is shrunk to 1024 px by area,
 * colour-matched to the 384 px crop as cut (colour_equalize.h) and pasted
 * with the background crop's alignment followed by the 384 → 1024 px
 * enlargement about pixel centres (FaceFusion multiplies the matrix by
 * 1024/384, which shifts the result a third of a frame pixel). Its mask is
 * the box mask of the 384 px crop min the occlusion mask (computed on the
 * 256 px crop and warped into the 384 px one), enlarged to 1024 px.
 *
 * Inputs are bound by name (`target`, `target_with_background`,
 * `direction`), as FaceFusion binds them. Direction 0 is not skipped:
 * FaceFusion runs the model then too ([age, age] for fran, 0 for
 * styleganex_age) and pastes what it gives. Areas and regions of
 * --face-mask-types do not apply (FaceFusion uses box and occlusion only).
 * Bytes are rounded where FaceFusion truncates.
 *
 * fran needs each face's age: the age_modifier processor (the bottom of
 * age_modifier.c: --age-modifier-model, --age-modifier-direction) declares
 * FU_NEEDS_AGE, so the chain runs the face classifier (fairface) on every
 * face, and loads it at prepare so a missing one stops the run before its
 * first frame.
 */
#ifndef FU_AGE_MODIFIER_H
#define FU_AGE_MODIFIER_H

#include <stdint.h>

#include "core/error.h"
#include "core/geometry.h"
#include "processors/face_masker.h"

typedef struct fu_age_modifier_settings {
    const char *model; /* "fran" (FaceFusion's default) or "styleganex_age" */
    int direction;     /* −100..100: below 0 younger, above 0 older; default 0 */
    float mask_blur;   /* --face-mask-blur, 0..1 (default 0.3) */
} fu_age_modifier_settings;

/* Where the time of faces went, in nanoseconds (accumulated into). */
typedef struct fu_age_timing {
    int64_t crop_ns;  /* warps and the masks before the model */
    int64_t model_ns; /* tensors in, the model, tensors out */
    int64_t paste_ns; /* resize, colour match, mask resize, paste-back */
} fu_age_timing;

typedef struct fu_age_modifier fu_age_modifier;

fu_age_modifier_settings fu_age_modifier_defaults(void);
/* 1 when the model needs the face's age from the classifier (fran). */
int fu_age_modifier_needs_age(const char *model);

/* Opens the model (FACEFUSE_ERR_INVALID_ARGUMENT for an unknown model or a
 * direction outside −100..100; FACEFUSE_ERR_MODEL_CONTRACT when its inputs
 * are not the named ones). masker is borrowed (NULL: box only). */
facefuse_status fu_age_modifier_open(facefuse_context *ctx, const fu_age_modifier_settings *s,
                                     const fu_face_masker *masker, fu_age_modifier **out, fu_err *err);
void fu_age_modifier_close(fu_age_modifier *am);

/* Ages one face of frame (RGB or RGBA, alpha kept). fran: a face without
 * an age (no classifier ran) is FACEFUSE_ERR_INVALID_ARGUMENT. timing may
 * be NULL. */
facefuse_status fu_age_modifier_modify_face(const fu_age_modifier *am, facefuse_image *frame,
                                            const facefuse_face *face, fu_age_timing *timing, fu_err *err);

/* The pieces, for tests and benchmarks. */
/* fran's direction input for this face and direction. */
facefuse_status fu_fran_direction(const facefuse_face *face, int direction, float out[2], fu_err *err);
/* styleganex_age's direction input. */
float fu_styleganex_direction(int direction);
/* Frame → crop: the face at ffhq_512 (1024 px fran, 256 px styleganex). */
fu_affine fu_age_modifier_align(const fu_age_modifier *am, const facefuse_face *face);
/* Frame → 384 px background crop of styleganex_age. */
fu_affine fu_styleganex_background_align(const facefuse_face *face);
/* Frame → the 1024 px crop the result is pasted from (fran: the face
 * crop; styleganex_age: the background crop enlarged to 1024 px). */
fu_affine fu_age_modifier_paste_align(const fu_age_modifier *am, const facefuse_face *face);
/* The 1024×1024 mask the face's result is pasted through. */
facefuse_status fu_age_modifier_paste_mask(const fu_age_modifier *am, const facefuse_image *frame,
                                           const facefuse_face *face, float *mask, fu_err *err);
/* The model on prepared crops, for a probe: crop (the aligned face) and,
 * for styleganex_age, background (its 384 px crop; NULL for fran); out
 * receives the raw first output and *out_side its side (the caller frees). */
facefuse_status fu_age_modifier_forward(const fu_age_modifier *am, const facefuse_image *crop,
                                        const facefuse_image *background, const float direction_in[2],
                                        float **out, int *out_side, fu_err *err);

#endif
