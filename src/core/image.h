/*
 * image.h — internal helpers on facefuse_image (the struct is public).
 * Internally a 1-channel image is allowed too (masks as bytes).
 */
#ifndef FU_IMAGE_H
#define FU_IMAGE_H

#include <stdint.h>

#include "core/error.h"

/* The largest image facefuse makes: every buffer, scaler call and encoder
 * takes sizes as int, and FFmpeg computes stride × rows in int, so an image
 * is kept well under 2 GiB even at 8 bytes a pixel (16-bit RGBA). */
#define FU_MAX_IMAGE_SIDE 65535
#ifndef FU_MAX_IMAGE_PIXELS /* the fuzz build lowers it to keep each input fast */
#define FU_MAX_IMAGE_PIXELS 200000000LL
#endif

/* Bytes allocated after the last row of every image. libswscale's SIMD
 * writes whole blocks of 16 pixels, so converting YUV 4:2:0 to RGB(A) at a
 * width that is not a multiple of 16 writes up to 60 bytes past the last
 * pixel (FFmpeg 5.1; tests/media/test_swscale_writes_stay_in_images.c
 * measures it). Without this tail those bytes land on the next heap block. */
#define FU_IMAGE_TAIL_BYTES 128

static inline uint8_t *fu_pixel(const facefuse_image *im, int x, int y)
{
    return im->data + (size_t)y * (size_t)im->stride + (size_t)x * (size_t)im->channels;
}

/* 1 when a width × height image is within the limits above. */
int fu_image_size_ok(int64_t width, int64_t height);
/* The check every size that will be allocated or handed to a library goes
 * through, before any work: FACEFUSE_ERR_INVALID_ARGUMENT naming `what`, the
 * size and the limit. (facefuse_image_alloc refuses such sizes too.) */
facefuse_status fu_image_size_check(int64_t width, int64_t height, const char *what, fu_err *err);

/* dst is allocated; on failure it is left zeroed. */
facefuse_status fu_image_copy(facefuse_image *dst, const facefuse_image *src);
/* A 3-channel copy of src (alpha dropped, grey expanded). */
facefuse_status fu_image_to_rgb(facefuse_image *dst, const facefuse_image *src);

#endif
