/*
 * poisson.h — gradient-domain ("seamless") cloning, as OpenCV's
 * seamlessClone with NORMAL_CLONE: inside the mask the result keeps the
 * source's gradients (its discrete Laplacian) while meeting the destination
 * exactly at the mask's border, so a patch of different overall colour or
 * brightness lands without a visible seam.
 *
 * Solved per colour channel, in float, on the region rectangle only: the
 * unknowns are the pixels of the region with mask > 0.5 that are not on the
 * region's own border; every other pixel keeps the destination's value and
 * serves as the Dirichlet boundary. Unlike OpenCV, no pixel outside the
 * mask changes. The solver is geometric multigrid (red-black Gauss–Seidel
 * V-cycles on the masked domain), iterated until the residual of the
 * discrete equation is below FU_POISSON_TOLERANCE grey levels.
 */
#ifndef FU_POISSON_H
#define FU_POISSON_H

#include "core/error.h"

/* Largest |Δf − Δsrc| (grey levels, 0..255 scale) the solve stops at. */
#define FU_POISSON_TOLERANCE 0.01f

typedef struct fu_poisson_stats {
    int unknowns;           /* pixels solved for */
    int cycles;             /* V-cycles run */
    float residual_max;     /* final max |Δf − Δsrc| over the unknowns, all channels */
} fu_poisson_stats;

/* Blends src into dst inside the mask over the region (x0, y0, w, h), which
 * must lie inside dst. src has dst's size and channel count (the patch
 * already placed); mask is dst-sized, row-major, 0..1, > 0.5 = inside.
 * RGB channels are solved; alpha (a 4th channel) is left as is. */
facefuse_status fu_poisson_blend(facefuse_image *dst, const facefuse_image *src, const float *mask,
                                 int x0, int y0, int w, int h, fu_err *err);

/* The same, reporting how the solve went (stats may be NULL). */
facefuse_status fu_poisson_blend_ex(facefuse_image *dst, const facefuse_image *src, const float *mask,
                                    int x0, int y0, int w, int h, fu_poisson_stats *stats,
                                    fu_err *err);

#endif
