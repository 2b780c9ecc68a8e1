/*
 * mask_area.h — FaceFusion's "area" face masks: the filled convex hull of
 * chosen 68-landmark groups, softened like its other masks.
 *
 * Areas (FaceFusion's face_mask_area_set):
 *   upper-face  0,1,2,31,32,33,34,35,14,15,16,26,25,24,23,22,21,20,19,18,17
 *   lower-face  3..13,35,34,33,32,31
 *   mouth       48..67
 * The landmarks of every chosen area go into one hull (as FaceFusion does),
 * after mapping to the crop with `to_crop` and truncating to whole pixels.
 * The filled hull is then Gaussian-blurred with sigma 5, clipped to
 * [0.5, 1] and remapped by (x − 0.5)·2: a soft edge that ends at the hull.
 */
#ifndef FU_MASK_AREA_H
#define FU_MASK_AREA_H

#include "core/error.h"
#include "core/geometry.h"

/* 1 if name is one of the area names above. */
int fu_mask_area_known(const char *name);

/* Writes the size×size mask (row-major, 0..1). Unknown area names fail
 * with FACEFUSE_ERR_INVALID_ARGUMENT. */
facefuse_status fu_area_mask(float *mask, int size, const facefuse_point lm68[68],
                             const fu_affine *to_crop, const char *const *areas, int n_areas,
                             fu_err *err);

/* Convex hull of n integer points xy (x, y pairs; sorted in place) by
 * Andrew's monotone chain, collinear points dropped. hull_xy needs room for
 * 2n points; returns the number of hull vertices written. */
int fu_convex_hull(int *xy, int n, int *hull_xy);

/* Sets to `value` every pixel of the w×h plane inside or on the convex
 * polygon (n vertices, integer coordinates, either orientation). */
void fu_fill_convex_polygon(float *plane, int w, int h, const int *xy, int n, float value);

#endif
