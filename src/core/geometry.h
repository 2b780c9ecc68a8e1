/*
 * geometry.h — 2-D affine transforms, face alignment templates and warping.
 *
 * A fu_affine maps (x, y) to (m[0]x + m[1]y + m[2], m[3]x + m[4]y + m[5]),
 * the layout of OpenCV's 2×3 matrices, so FaceFusion's formulas carry over.
 * Alignment is a 4-DOF similarity (rotation, uniform scale, translation)
 * fitted by least squares, as OpenCV's estimateAffinePartial2D ends up doing
 * with FaceFusion's 100 px RANSAC threshold.
 */
#ifndef FU_GEOMETRY_H
#define FU_GEOMETRY_H

#include "facefuse.h"

typedef struct fu_affine {
    double m[6];
} fu_affine;

fu_affine fu_affine_identity(void);
facefuse_point fu_affine_apply(const fu_affine *a, facefuse_point p);
/* The inverse; the identity when a is singular. */
fu_affine fu_affine_invert(const fu_affine *a);
/* b after a: x -> b(a(x)). */
fu_affine fu_affine_then(const fu_affine *a, const fu_affine *b);
/* Least-squares similarity taking src[i] to dst[i]. */
fu_affine fu_similarity_fit(const facefuse_point *src, const facefuse_point *dst, int n);
/* The uniform scale of a similarity/affine (sqrt of |det|). */
double fu_affine_scale(const fu_affine *a);

/* Normalised 5-point template by name ("arcface_112_v1", "arcface_112_v2",
 * "arcface_128", "dfl_whole_face", "ffhq_512", "mtcnn_512",
 * "styleganex_384"), or NULL. */
const facefuse_point *fu_template(const char *name);
/* The similarity from the 5 landmarks to template × size. */
fu_affine fu_align_to_template(const facefuse_point landmarks[5], const char *template_name, int size);

typedef enum fu_border { FU_BORDER_REPLICATE = 0, FU_BORDER_CONSTANT = 1 } fu_border;

/* dst(x, y) = src(inverse(a)(x, y)): a maps source to destination pixels.
 * Bilinear; when a shrinks by more than 2×, each destination pixel averages
 * a grid of bilinear samples (an area filter). dst is allocated; its
 * channels are filled from src's (RGBA → RGB drops alpha, RGB → RGBA sets
 * it opaque). Pixel centres at integer coordinates. */
void fu_warp_affine(const facefuse_image *src, facefuse_image *dst, const fu_affine *a, fu_border border);
/* The same on float planes (single channel, w×h, row-major). */
void fu_warp_affine_f32(const float *src, int sw, int sh, float *dst, int dw, int dh,
                        const fu_affine *a, fu_border border);

/* Rotation by angle_deg (counter-clockwise as OpenCV's getRotationMatrix2D)
 * about the image centre, translated so the whole rotated image fits a new
 * canvas of *out_w × *out_h. */
fu_affine fu_rotation_fit(int w, int h, int angle_deg, int *out_w, int *out_h);

#endif
