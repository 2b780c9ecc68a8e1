/*
 * face_masker.h — the mask a face processor pastes its crop through:
 * FaceFusion's --face-mask-types combined by element-wise minimum.
 *
 * A fu_face_masker is opened once a run from the run's settings: which
 * types, the occluder session(s) (xseg_1/2/3, or all three for "many"), the
 * parser session (bisenet_resnet_18/34) and its classes, the 68-landmark
 * areas. Per face it works in two steps, as FaceFusion does:
 *   before the model: box (passed in, precomputed per crop size) and
 *     occlusion, both on the crop as cut from the frame;
 *   after the model: area (hull of the face's 68 points in crop space) and
 *     region (the parser on the model's OUTPUT crop).
 * Read-only after open, so frames may use one masker from several threads.
 */
#ifndef FU_FACE_MASKER_H
#define FU_FACE_MASKER_H

#include "core/error.h"
#include "core/geometry.h"
#include "core/option.h"

enum { FU_MASK_BOX = 1, FU_MASK_OCCLUSION = 2, FU_MASK_AREA = 4, FU_MASK_REGION = 8 };

/* FaceFusion's "face masker" options, plus facefuse's own colour match and
 * blend mode (how a processed crop goes back: blend.h). */
typedef struct fu_masker_settings {
    const char *occluder_model;      /* many xseg_1 xseg_2 xseg_3 */
    const char *parser_model;        /* bisenet_resnet_18 bisenet_resnet_34 */
    fu_strs types;                   /* box occlusion area region */
    fu_strs areas;                   /* upper-face lower-face mouth */
    fu_strs regions;                 /* skin … lower-lip */
    float blur;                      /* box mask blur 0..1 */
    fu_ints padding;                 /* box mask padding top right bottom left, percent (4) */
    const char *color_match;         /* none reinhard histogram */
    const char *blend_mode;          /* linear poisson */
} fu_masker_settings;

extern const fu_option_group fu_face_masker_options;

typedef struct fu_face_masker fu_face_masker;

/* The FU_MASK_* bits of s->types; FACEFUSE_ERR_INVALID_ARGUMENT naming an
 * unknown type. No types at all means box. */
facefuse_status fu_mask_types_parse(const fu_masker_settings *s, unsigned *types, fu_err *err);

/* Loads and checks the models the selected types need. */
facefuse_status fu_face_masker_open(facefuse_context *ctx, const fu_masker_settings *s, fu_face_masker **out,
                                    fu_err *err);
void fu_face_masker_close(fu_face_masker *m);
unsigned fu_face_masker_types(const fu_face_masker *m);

/* mask (crop-sized, square) = box (when box is not NULL; the caller decides
 * whether the box applies), min occlusion when selected; all ones when
 * neither. m may be NULL (box only). */
facefuse_status fu_face_masker_before(const fu_face_masker *m, const facefuse_image *crop, const float *box,
                                      float *mask, fu_err *err);

/* mask = min(mask, area, region) for the selected ones: area from face's 68
 * landmarks mapped by to_crop (frame → crop), region from the processed crop
 * `result`. m may be NULL (nothing to do). */
facefuse_status fu_face_masker_after(const fu_face_masker *m, const facefuse_image *result,
                                     const facefuse_face *face, const fu_affine *to_crop, float *mask, fu_err *err);

#endif
