/*
 * resample.c — OpenCV's INTER_AREA and INTER_CUBIC resizes on float images
 * (see resample.h): one weight table per axis, a horizontal pass into a
 * scratch image, then a vertical pass.
 */
#include "core/resample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* For each destination index: n taps, at ofs with weights w (max_taps a row). */
typedef struct axis_taps {
    int max_taps;
    int *n;
    int *ofs;
    float *w;
} axis_taps;

static void taps_free(axis_taps *t)
{
    free(t->n), free(t->ofs), free(t->w);
    memset(t, 0, sizeof *t);
}

static int taps_alloc(axis_taps *t, int dn, int max_taps)
{
    t->max_taps = max_taps;
    t->n = calloc((size_t)dn, sizeof *t->n);
    t->ofs = calloc((size_t)dn * (size_t)max_taps, sizeof *t->ofs);
    t->w = calloc((size_t)dn * (size_t)max_taps, sizeof *t->w);
    if (t->n && t->ofs && t->w)
        return 1;
    taps_free(t);
    return 0;
}

static void tap_add(axis_taps *t, int d, int ofs, double w)
{
    int k = t->n[d]++;
    t->ofs[(size_t)d * t->max_taps + k] = ofs;
    t->w[(size_t)d * t->max_taps + k] = (float)w;
}

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Shrinking: the cells of OpenCV's computeResizeAreaTab. */
static int area_down_taps(axis_taps *t, int sn, int dn)
{
    double scale = (double)sn / dn;
    if (!taps_alloc(t, dn, (int)ceil(scale) + 2))
        return 0;
    for (int d = 0; d < dn; d++) {
        double f1 = d * scale, f2 = f1 + scale, cell = fmin(scale, sn - f1);
        int s1 = (int)ceil(f1), s2 = (int)floor(f2);
        s2 = s2 < sn - 1 ? s2 : sn - 1;
        s1 = s1 < s2 ? s1 : s2;
        if (s1 - f1 > 1e-3)
            tap_add(t, d, s1 - 1, (s1 - f1) / cell);
        for (int s = s1; s < s2; s++)
            tap_add(t, d, s, 1.0 / cell);
        if (f2 - s2 > 1e-3)
            tap_add(t, d, s2, fmin(fmin(f2 - s2, 1.0), cell) / cell);
    }
    return 1;
}

/* Enlarging: OpenCV's INTER_AREA falls back to a linear filter whose
 * fraction is (d + 1) − (s + 1)/scale, wrapped, 0 inside a source pixel. */
static int area_up_taps(axis_taps *t, int sn, int dn)
{
    double inv = (double)dn / sn, scale = (double)sn / dn;
    if (!taps_alloc(t, dn, 2))
        return 0;
    for (int d = 0; d < dn; d++) {
        int s = (int)floor(d * scale);
        double f = (d + 1) - (s + 1) * inv;
        f = f <= 0 ? 0 : f - floor(f);
        if (s < 0)
            s = 0, f = 0;
        if (s + 1 >= sn)
            s = sn - 1, f = 0;
        tap_add(t, d, s, 1 - f);
        tap_add(t, d, clampi(s + 1, 0, sn - 1), f);
    }
    return 1;
}

/* Keys' cubic, a = −0.75, as OpenCV's interpolateCubic. */
static int cubic_taps(axis_taps *t, int sn, int dn)
{
    const double a = -0.75, scale = (double)sn / dn;
    if (!taps_alloc(t, dn, 4))
        return 0;
    for (int d = 0; d < dn; d++) {
        double fx = (d + 0.5) * scale - 0.5;
        int s = (int)floor(fx);
        double x = fx - s, c[4];
        c[0] = ((a * (x + 1) - 5 * a) * (x + 1) + 8 * a) * (x + 1) - 4 * a;
        c[1] = ((a + 2) * x - (a + 3)) * x * x + 1;
        c[2] = ((a + 2) * (1 - x) - (a + 3)) * (1 - x) * (1 - x) + 1;
        c[3] = 1 - c[0] - c[1] - c[2];
        for (int k = 0; k < 4; k++)
            tap_add(t, d, clampi(s - 1 + k, 0, sn - 1), c[k]);
    }
    return 1;
}

/* One destination pixel of the horizontal pass: taps over source pixels. */
static void horizontal_pixel(const float *row, int ch, const int *ofs, const float *w, int n, float *out)
{
    if (ch == 3) { /* RGB: three accumulators, one walk over the taps */
        float a0 = 0, a1 = 0, a2 = 0;
        for (int k = 0; k < n; k++) {
            const float *p = row + (size_t)ofs[k] * 3;
            a0 += w[k] * p[0], a1 += w[k] * p[1], a2 += w[k] * p[2];
        }
        out[0] = a0, out[1] = a1, out[2] = a2;
        return;
    }
    for (int c = 0; c < ch; c++) {
        float acc = 0;
        for (int k = 0; k < n; k++)
            acc += w[k] * row[(size_t)ofs[k] * ch + c];
        out[c] = acc;
    }
}

static void apply(const float *src, int sw, int sh, float *tmp, float *dst, int dw, int dh, int ch,
                  const axis_taps *tx, const axis_taps *ty)
{
    const size_t line = (size_t)dw * ch;
    for (int y = 0; y < sh; y++) {
        const float *row = src + (size_t)y * sw * ch;
        float *out = tmp + (size_t)y * line;
        for (int x = 0; x < dw; x++)
            horizontal_pixel(row, ch, tx->ofs + (size_t)x * tx->max_taps, tx->w + (size_t)x * tx->max_taps, tx->n[x],
                             out + (size_t)x * ch);
    }
    for (int y = 0; y < dh; y++) {
        float *out = dst + (size_t)y * line;
        const int *ofs = ty->ofs + (size_t)y * ty->max_taps;
        const float *w = ty->w + (size_t)y * ty->max_taps;
        const float *first = tmp + (size_t)ofs[0] * line;
        for (size_t i = 0; i < line; i++)
            out[i] = w[0] * first[i];
        for (int k = 1; k < ty->n[y]; k++) {
            const float *row = tmp + (size_t)ofs[k] * line;
            const float wk = w[k];
            for (size_t i = 0; i < line; i++)
                out[i] += wk * row[i];
        }
    }
}

typedef int (*taps_fn)(axis_taps *t, int sn, int dn);

static facefuse_status resize(const float *src, int sw, int sh, float *dst, int dw, int dh, int ch, taps_fn fx,
                              taps_fn fy, fu_err *err)
{
    axis_taps tx = {0}, ty = {0};
    if (!src || !dst || sw <= 0 || sh <= 0 || dw <= 0 || dh <= 0 || ch <= 0)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "resize: bad size %dx%d -> %dx%d", sw, sh, dw, dh);
    if (sw == dw && sh == dh) { /* OpenCV copies */
        memcpy(dst, src, sizeof(float) * (size_t)sw * sh * ch);
        return FACEFUSE_OK;
    }
    float *tmp = malloc(sizeof(float) * (size_t)sh * dw * ch);
    if (!tmp || !fx(&tx, sw, dw) || !fy(&ty, sh, dh)) {
        free(tmp), taps_free(&tx), taps_free(&ty);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "resize: out of memory for %dx%d -> %dx%d", sw, sh, dw, dh);
    }
    apply(src, sw, sh, tmp, dst, dw, dh, ch, &tx, &ty);
    free(tmp), taps_free(&tx), taps_free(&ty);
    return FACEFUSE_OK;
}

facefuse_status fu_resize_area_f32(const float *src, int sw, int sh, float *dst, int dw, int dh, int channels,
                                   fu_err *err)
{
    /* OpenCV takes the area path only when neither axis grows. */
    int shrink = sw >= dw && sh >= dh;
    return resize(src, sw, sh, dst, dw, dh, channels, shrink ? area_down_taps : area_up_taps,
                  shrink ? area_down_taps : area_up_taps, err);
}

facefuse_status fu_resize_cubic_f32(const float *src, int sw, int sh, float *dst, int dw, int dh, int channels,
                                    fu_err *err)
{
    return resize(src, sw, sh, dst, dw, dh, channels, cubic_taps, cubic_taps, err);
}
