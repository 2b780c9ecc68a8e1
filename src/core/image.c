/*
 * image.c — allocation of facefuse_image and small whole-image helpers.
 */
#include "core/image.h"

#include <stdlib.h>
#include <string.h>

int fu_image_size_ok(int64_t width, int64_t height)
{
    return width > 0 && height > 0 && width <= FU_MAX_IMAGE_SIDE && height <= FU_MAX_IMAGE_SIDE &&
           width * height <= FU_MAX_IMAGE_PIXELS;
}

facefuse_status fu_image_size_check(int64_t width, int64_t height, const char *what, fu_err *err)
{
    if (fu_image_size_ok(width, height))
        return FACEFUSE_OK;
    if (width <= 0 || height <= 0)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "%s: %lldx%lld is an empty image", what,
                       (long long)width, (long long)height);
    return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                   "%s: a %lldx%lld image is over facefuse's limit of %lld megapixels and %d px a side", what,
                   (long long)width, (long long)height, FU_MAX_IMAGE_PIXELS / 1000000, FU_MAX_IMAGE_SIDE);
}

facefuse_status facefuse_image_alloc(facefuse_image *image, int width, int height, int channels)
{
    if (!image || !fu_image_size_ok(width, height) || (channels != 3 && channels != 4 && channels != 1))
        return FACEFUSE_ERR_INVALID_ARGUMENT;
    memset(image, 0, sizeof *image);
    size_t stride = (size_t)width * (size_t)channels;
    image->data = calloc(1, (size_t)height * stride + FU_IMAGE_TAIL_BYTES);
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
