/*
 * face_enhancer.h — one face restoration model (GFPGAN, GPEN-BFR,
 * CodeFormer, RestoreFormer++) applied to faces, as FaceFusion's
 * face_enhancer.
 *
 * Per face: warp the face (its 5/68 landmarks) to the model's template at
 * the model's size, mask = box (the run's blur, zero padding) min the other
 * selected masks (face_masker.h), feed RGB scaled to [−1, 1] (and, for
 * CodeFormer, the fidelity `weight` input), clip the output to [−1, 1] and
 * round it to bytes, paste it back as the swapper does (paste.h), then blend
 * the pasted frame with the frame before: out = before·(1 − b) + pasted·b,
 * b = blend/100, rounded (FaceFusion blends the whole frame; outside the
 * pasted rectangle the two are equal, so only it is visited).
 */
#ifndef FU_FACE_ENHANCER_H
#define FU_FACE_ENHANCER_H

#include <stdint.h>

#include "core/error.h"
#include "core/geometry.h"
#include "processors/face_masker.h"

typedef struct fu_face_enhancer fu_face_enhancer;

/* Where the time of faces went, in nanoseconds (accumulated into). */
typedef struct fu_enhance_timing {
    int64_t align_ns;  /* warp and the masks before the model */
    int64_t model_ns;  /* tensor in, fu_session_run, tensor out */
    int64_t paste_ns;  /* masks after the model and paste-back */
    int64_t blend_ns;  /* the blend with the frame before */
} fu_enhance_timing;

/* Opens a face enhancer model (FACEFUSE_ERR_INVALID_ARGUMENT when `model`
 * is not one). masker is borrowed (NULL: box only); weight is CodeFormer's
 * fidelity, ignored by models without a weight input. */
facefuse_status fu_face_enhancer_open(facefuse_context *ctx, const char *model, float mask_blur, float weight,
                                      const fu_face_masker *masker, fu_face_enhancer **out, fu_err *err);
void fu_face_enhancer_close(fu_face_enhancer *fe);

int fu_face_enhancer_size(const fu_face_enhancer *fe);
int fu_face_enhancer_has_weight(const fu_face_enhancer *fe);
/* The similarity taking frame pixels to the model's crop for this face. */
fu_affine fu_face_enhancer_align(const fu_face_enhancer *fe, const facefuse_face *face);

/* Enhances one face of frame (RGB or RGBA, alpha kept) with blend 0..100.
 * timing may be NULL. */
facefuse_status fu_face_enhancer_enhance_face(const fu_face_enhancer *fe, facefuse_image *frame,
                                              const facefuse_face *face, int blend, fu_enhance_timing *timing,
                                              fu_err *err);

#endif
