/*
 * resize.c — scaling with libswscale (see resize.h).
 */
#include "media/resize.h"

#include <libswscale/swscale.h>

static enum AVPixelFormat format_of(int channels)
{
    return channels == 4 ? AV_PIX_FMT_RGBA : channels == 1 ? AV_PIX_FMT_GRAY8 : AV_PIX_FMT_RGB24;
}

facefuse_status fu_resize(const facefuse_image *src, facefuse_image *dst, int w, int h)
{
    facefuse_status st = facefuse_image_alloc(dst, w, h, src->channels);
    if (st != FACEFUSE_OK)
        return st;
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
