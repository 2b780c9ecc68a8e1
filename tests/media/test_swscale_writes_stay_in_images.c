/*
 * test_swscale_writes_stay_in_images.c — libswscale writes past the last
 * pixel of its destination (whole SIMD blocks: YUV 4:2:0 to RGB24 at width
 * 1000 writes 24 bytes more, to RGBA at width 1 sixty). Every facefuse_image
 * is a libswscale destination somewhere (decoding, video frames, resizing),
 * so its allocation must hold what this libswscale writes: found by the
 * image-decode fuzz target as heap corruption. For every conversion facefuse
 * makes into an image and widths 1..300, the bytes written after the last
 * pixel are measured in a guarded buffer and must fit FU_IMAGE_TAIL_BYTES.
 */
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "testlib.h"

enum { GUARD = 4096 };

/* Bytes sws_scale writes after w × h × bpp (0 when none). */
static int overflow_of(enum AVPixelFormat src, enum AVPixelFormat dst, int bpp, int w, int h, int flags)
{
    uint8_t *in[4];
    int in_stride[4];
    int size = av_image_alloc(in, in_stride, w, h, src, 64);
    if (size < 0)
        return -1;
    memset(in[0], 0x5a, (size_t)size);
    size_t n = (size_t)w * bpp * h;
    uint8_t *out = malloc(n + GUARD);
    memset(out + n, 0xee, GUARD);
    struct SwsContext *sws = sws_getContext(w, h, src, w, h, dst, flags, NULL, NULL, NULL);
    uint8_t *o[4] = {out, NULL, NULL, NULL};
    int os[4] = {w * bpp, 0, 0, 0};
    sws_scale(sws, (const uint8_t *const *)in, in_stride, 0, h, o, os);
    sws_freeContext(sws);
    int last = 0;
    for (int i = 0; i < GUARD; i++)
        if (out[n + i] != 0xee)
            last = i + 1;
    free(out);
    av_freep(&in[0]);
    return last;
}

static void every_conversion_fits_the_tail(void)
{
    static const enum AVPixelFormat sources[] = {AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUV422P,
                                                 AV_PIX_FMT_YUV444P, AV_PIX_FMT_YUVA420P, AV_PIX_FMT_NV12,
                                                 AV_PIX_FMT_PAL8, AV_PIX_FMT_BGRA, AV_PIX_FMT_RGB24, AV_PIX_FMT_GRAY8};
    /* image_io, video_reader and resize's flags */
    static const int flags[] = {SWS_BICUBIC | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP, SWS_BICUBIC | SWS_FULL_CHR_H_INT,
                                SWS_BICUBIC, SWS_AREA};
    int worst = 0;
    for (size_t s = 0; s < sizeof sources / sizeof sources[0]; s++)
        for (int d = 0; d < 2; d++)
            for (size_t f = 0; f < sizeof flags / sizeof flags[0]; f++)
                for (int w = 1; w <= 300; w += (w < 40 ? 1 : 7)) {
                    int o = overflow_of(sources[s], d ? AV_PIX_FMT_RGBA : AV_PIX_FMT_RGB24, d ? 4 : 3, w, 2,
                                        flags[f]);
                    if (o > worst)
                        worst = o;
                    CHECK(o <= FU_IMAGE_TAIL_BYTES, "%s to %s, width %d, flags %x: %d bytes past the image",
                          av_get_pix_fmt_name(sources[s]), d ? "rgba" : "rgb24", w, flags[f], o);
                }
    printf("    libswscale writes up to %d bytes past a destination (tail %d)\n", worst, FU_IMAGE_TAIL_BYTES);
}

int main(void)
{
    RUN(every_conversion_fits_the_tail);
    return tl_finish();
}
