/*
 * image.c — allocation of facefuse_image and small whole-image helpers.
 */
#include "core/image.h"

#include <stdlib.h>
#include <string.h>

facefuse_status facefuse_image_alloc(facefuse_image *image, int width, int height, int channels)
{
    if (!image || width <= 0 || height <= 0 || (channels != 3 && channels != 4 && channels != 1))
        return FACEFUSE_ERR_INVALID_ARGUMENT;
    memset(image, 0, sizeof *image);
    size_t stride = (size_t)width * (size_t)channels;
    image->data = calloc((size_t)height, stride);
    if (!image->data)
        return FACEFUSE_ERR_NO_MEMORY;
    image->width = width;
    image->height = height;
    image->channels = channels;
    image->stride = (int)stride;
    return FACEFUSE_OK;
}

void facefuse_image_free(facefuse_image *image)
{
    if (!image)
        return;
    free(image->data);
    memset(image, 0, sizeof *image);
}

facefuse_status fu_image_copy(facefuse_image *dst, const facefuse_image *src)
{
    facefuse_status st = facefuse_image_alloc(dst, src->width, src->height, src->channels);
    if (st != FACEFUSE_OK)
        return st;
    size_t row = (size_t)src->width * (size_t)src->channels;
    for (int y = 0; y < src->height; y++)
        memcpy(dst->data + (size_t)y * dst->stride, src->data + (size_t)y * src->stride, row);
    return FACEFUSE_OK;
}

facefuse_status fu_image_to_rgb(facefuse_image *dst, const facefuse_image *src)
{
    if (src->channels == 3)
        return fu_image_copy(dst, src);
    facefuse_status st = facefuse_image_alloc(dst, src->width, src->height, 3);
    if (st != FACEFUSE_OK)
        return st;
    for (int y = 0; y < src->height; y++) {
        const uint8_t *s = src->data + (size_t)y * src->stride;
        uint8_t *d = dst->data + (size_t)y * dst->stride;
        for (int x = 0; x < src->width; x++, s += src->channels, d += 3) {
            if (src->channels == 1) {
                d[0] = d[1] = d[2] = s[0];
            } else {
                d[0] = s[0];
                d[1] = s[1];
                d[2] = s[2];
            }
        }
    }
    return FACEFUSE_OK;
}
