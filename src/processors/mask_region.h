/*
 * mask_region.h — FaceFusion's region mask: the pixels of a face crop that
 * a face parser (BiSeNet, 19 classes) labels as one of the chosen regions.
 *
 * The crop is resized to 512 (OpenCV's bilinear geometry), fed NCHW RGB
 * normalised with ImageNet's mean and std; each pixel takes the class of
 * its largest logit; the chosen classes become 1, the rest 0; the binary
 * mask is resized back to the crop and softened (fu_mask_soften).
 * Regions and their classes (FaceFusion's face_mask_region_set): skin 1,
 * left-eyebrow 2, right-eyebrow 3, left-eye 4, right-eye 5, glasses 6,
 * nose 10, mouth 11, upper-lip 12, lower-lip 13.
 */
#ifndef FU_MASK_REGION_H
#define FU_MASK_REGION_H

#include "core/error.h"
#include "infer/ort.h"

#define FU_PARSER_CLASSES 19
#define FU_REGION_COUNT 10

/* The parser class of a region name, or −1. */
int fu_mask_region_class(const char *name);
/* Region i of the ten, in the order above (for "all regions"). */
const char *fu_mask_region_name(int i);

/* Checks a BiSeNet session: one [1,3,S,S] input, a first output [1,19,S,S]. */
facefuse_status fu_parser_check(const fu_session *s, int size, fu_err *err);

/* mask (crop->width × crop->height floats) receives the region mask of
 * crop (RGB or RGBA, square) for the n classes, from a size×size parser. */
facefuse_status fu_region_mask(fu_session *s, int size, const facefuse_image *crop, const int *classes, int n,
                               float *mask, fu_err *err);

#endif
