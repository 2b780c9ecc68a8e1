/*
 * resample_bilinear.c — OpenCV-style bilinear plane resampling (see resample.h).
 */
#include "core/resample.h"

#include <math.h>
#include <stdlib.h>

/* Source index pair and weight of each destination position. */
typedef struct taps {
    int *i0, *i1;
    float *w;
} taps;

static int make_taps(taps *t, int src_n, int dst_n)
{
    t->i0 = malloc(sizeof(int) * (size_t)dst_n);
    t->i1 = malloc(sizeof(int) * (size_t)dst_n);
    t->w = malloc(sizeof(float) * (size_t)dst_n);
    if (!t->i0 || !t->i1 || !t->w)
        return 0;
    double scale = (double)src_n / dst_n;
    for (int d = 0; d < dst_n; d++) {
        double f = (d + 0.5) * scale - 0.5;
        int s = (int)floor(f);
        double frac = f - s;
        if (s < 0) {
            s = 0;
            frac = 0;
        }
        if (s >= src_n - 1) {
            s = src_n - 1;
            frac = 0;
        }
        t->i0[d] = s;
        t->i1[d] = s + 1 < src_n ? s + 1 : s;
        t->w[d] = (float)frac;
    }
    return 1;
}

static void free_taps(taps *t)
{
    free(t->i0);
    free(t->i1);
    free(t->w);
}

facefuse_status fu_resize_bilinear_f32(const float *src, int sw, int sh, int src_stride, float *dst, int dw, int dh,
                                       int dst_stride)
{
    facefuse_status st = FACEFUSE_ERR_NO_MEMORY;
    taps tx = {0}, ty = {0};
    float *row0 = malloc(sizeof(float) * (size_t)dw), *row1 = malloc(sizeof(float) * (size_t)dw);
    if (!row0 || !row1 || !make_taps(&tx, sw, dw) || !make_taps(&ty, sh, dh))
        goto done;
    int have0 = -1, have1 = -1; /* source rows in row0 and row1 (enlarging reuses them) */
    for (int y = 0; y < dh; y++) {
        if (have0 != ty.i0[y] || have1 != ty.i1[y]) {
            const float *a = src + (size_t)ty.i0[y] * src_stride, *b = src + (size_t)ty.i1[y] * src_stride;
            for (int x = 0; x < dw; x++) {
                row0[x] = a[tx.i0[x]] + tx.w[x] * (a[tx.i1[x]] - a[tx.i0[x]]);
                row1[x] = b[tx.i0[x]] + tx.w[x] * (b[tx.i1[x]] - b[tx.i0[x]]);
            }
            have0 = ty.i0[y], have1 = ty.i1[y];
        }
        float wy = ty.w[y];
        float *out = dst + (size_t)y * dst_stride;
        for (int x = 0; x < dw; x++)
            out[x] = row0[x] + wy * (row1[x] - row0[x]);
    }
    st = FACEFUSE_OK;
done:
    free(row0);
    free(row1);
    free_taps(&tx);
    free_taps(&ty);
    return st;
}

facefuse_status fu_resize_bilinear_u8(const uint8_t *src, int sw, int sh, int src_stride, uint8_t *dst, int dw, int dh,
                           int dst_stride)
{
    facefuse_status st = FACEFUSE_ERR_NO_MEMORY;
    taps tx = {0}, ty = {0};
    float *row0 = malloc(sizeof(float) * (size_t)dw), *row1 = malloc(sizeof(float) * (size_t)dw);
    if (!row0 || !row1 || !make_taps(&tx, sw, dw) || !make_taps(&ty, sh, dh))
        goto done;
    int have0 = -1, have1 = -1; /* source rows in row0 and row1 (enlarging reuses them) */
    for (int y = 0; y < dh; y++) {
        if (have0 != ty.i0[y] || have1 != ty.i1[y]) {
            const uint8_t *a = src + (size_t)ty.i0[y] * src_stride, *b = src + (size_t)ty.i1[y] * src_stride;
            for (int x = 0; x < dw; x++) {
                row0[x] = a[tx.i0[x]] + tx.w[x] * (float)(a[tx.i1[x]] - a[tx.i0[x]]);
                row1[x] = b[tx.i0[x]] + tx.w[x] * (float)(b[tx.i1[x]] - b[tx.i0[x]]);
            }
            have0 = ty.i0[y], have1 = ty.i1[y];
        }
        float wy = ty.w[y];
        uint8_t *out = dst + (size_t)y * dst_stride;
        for (int x = 0; x < dw; x++) {
            float v = row0[x] + wy * (row1[x] - row0[x]) + 0.5f;
            out[x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
    st = FACEFUSE_OK;
done:
    free(row0);
    free(row1);
    free_taps(&tx);
    free_taps(&ty);
    return st;
}
