/*
 * image.h — internal helpers on facefuse_image (the struct is public).
 * Internally a 1-channel image is allowed too (masks as bytes).
 */
#ifndef FU_IMAGE_H
#define FU_IMAGE_H

#include "facefuse.h"

static inline uint8_t *fu_pixel(const facefuse_image *im, int x, int y)
{
    return im->data + (size_t)y * (size_t)im->stride + (size_t)x * (size_t)im->channels;
}

/* dst is allocated; on failure it is left zeroed. */
facefuse_status fu_image_copy(facefuse_image *dst, const facefuse_image *src);
/* A 3-channel copy of src (alpha dropped, grey expanded). */
facefuse_status fu_image_to_rgb(facefuse_image *dst, const facefuse_image *src);

#endif
