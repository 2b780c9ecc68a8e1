/*
 * resize.c — scaling with libswscale (see resize.h).
 */
#include "media/resize.h"

#include <stdint.h>
#include <string.h>

#include <libswscale/swscale.h>

static enum AVPixelFormat format_of(int channels)
{
    return channels == 4 ? AV_PIX_FMT_RGBA : channels == 1 ? AV_PIX_FMT_GRAY8 : AV_PIX_FMT_RGB24;
}

/* Shrinking by a whole factor k in both directions: each output pixel is
 * the rounded mean of a k × k block, which is exactly area resampling, in
 * integer arithmetic. The usual video sizes shrink to the detector's 640 by
 * whole factors (1280, 1920 and 3840 wide: 2, 3 and 6). */
static void shrink_by_blocks(const facefuse_image *src, facefuse_image *dst, int k)
{
    const int c = src->channels, n = k * k, in_len = src->width * c;
    uint16_t column_sums[4 * 8192]; /* k ≤ 16 rows of 255 fit in 16 bits */
    for (int y = 0; y < dst->height; y++) {
        /* Sum the block's k rows: contiguous, so the compiler vectorises it. */
        const uint8_t *in = src->data + (size_t)y * k * src->stride;
        for (int i = 0; i < in_len; i++)
            column_sums[i] = in[i];
        for (int dy = 1; dy < k; dy++) {
            in += src->stride;
            for (int i = 0; i < in_len; i++)
                column_sums[i] = (uint16_t)(column_sums[i] + in[i]);
        }
        /* Then each output pixel sums k neighbouring column sums. */
        uint8_t *out = dst->data + (size_t)y * dst->stride;
        for (int x = 0; x < dst->width; x++) {
            const uint16_t *p = column_sums + (size_t)x * k * c;
            for (int ch = 0; ch < c; ch++) {
                uint32_t sum = 0;
                for (int dx = 0; dx < k; dx++)
                    sum += p[dx * c + ch];
                out[x * c + ch] = (uint8_t)((sum + (uint32_t)n / 2) / (uint32_t)n);
            }
        }
    }
}

facefuse_status fu_resize(const facefuse_image *src, facefuse_image *dst, int w, int h)
{
    facefuse_status st = facefuse_image_alloc(dst, w, h, src->channels);
    if (st != FACEFUSE_OK)
        return st;
    int k = src->width / w;
    if (k >= 2 && k <= 16 && src->width == k * w && src->height == k * h && src->width * src->channels <= 4 * 8192) {
        shrink_by_blocks(src, dst, k);
        return FACEFUSE_OK;
    }
    int shrink = w < src->width || h < src->height;
    enum AVPixelFormat fmt = format_of(src->channels);
    struct SwsContext *sws = sws_getContext(src->width, src->height, fmt, w, h, fmt,
                                            /* no SWS_ACCURATE_RND: it turns off
                                             * the SIMD paths */
                                            shrink ? SWS_AREA : SWS_BICUBIC, NULL, NULL, NULL);
    if (!sws) {
        facefuse_image_free(dst);
        return FACEFUSE_ERR_NO_MEMORY;
    }
    const uint8_t *in[4] = {src->data, NULL, NULL, NULL};
    uint8_t *out[4] = {dst->data, NULL, NULL, NULL};
    int in_stride[4] = {src->stride, 0, 0, 0}, out_stride[4] = {dst->stride, 0, 0, 0};
    sws_scale(sws, in, in_stride, 0, src->height, out, out_stride);
    sws_freeContext(sws);
    return FACEFUSE_OK;
}
