/*
 * colour_equalize.c — FaceFusion's match_frame_color and its conditional
 * form (see colour_equalize.h).
 */
#include "core/colour_equalize.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "core/resample.h"

/* Python's round(): half to even. */
static int round_half_even(double v)
{
    double r = nearbyint(v); /* the default rounding mode is to nearest, ties to even */
    return (int)r;
}

void fu_match_frame_color_sizes(int h, int sizes[3])
{
    for (int i = 0; i < 3; i++) {
        double s = 16.0 + i * (h - 16.0) / 3.0;
        sizes[i] = s > 0 ? round_half_even(s / 2) * 2 : 0;
    }
}

static uint8_t to_byte(float v)
{
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : lrintf(v));
}

/* The first three channels of im as w·h·3 floats. */
static float *rgb_floats(const facefuse_image *im)
{
    float *f = malloc(sizeof(float) * (size_t)im->width * im->height * 3);
    if (!f)
        return NULL;
    for (int y = 0; y < im->height; y++)
        for (int x = 0; x < im->width; x++)
            for (int c = 0; c < 3; c++)
                f[((size_t)y * im->width + x) * 3 + c] = fu_pixel(im, x, y)[c];
    return f;
}


/* One pass: src (sw×sh) becomes target + enlarge(shrink(src) − shrink(target)). */
static facefuse_status equalize(float **src, int *sw, int *sh, const float *tgt, int tw, int th, int s,
                                fu_err *err)
{
    const size_t small = (size_t)s * s * 3, big = (size_t)tw * th * 3;
    float *a = malloc(sizeof(float) * small), *b = malloc(sizeof(float) * small);
    float *diff = malloc(sizeof(float) * big);
    facefuse_status rc = FACEFUSE_OK;
    if (!a || !b || !diff)
        rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for colour matching at %d px", s);
    if (rc == FACEFUSE_OK)
        rc = fu_resize_area_f32(*src, *sw, *sh, a, s, s, 3, err);
    if (rc == FACEFUSE_OK)
        rc = fu_resize_area_f32(tgt, tw, th, b, s, s, 3, err);
    if (rc == FACEFUSE_OK) {
        for (size_t i = 0; i < small; i++)
            a[i] -= b[i];
        rc = fu_resize_cubic_f32(a, s, s, diff, tw, th, 3, err);
    }
    if (rc == FACEFUSE_OK) {
        for (size_t i = 0; i < big; i++)
            diff[i] = to_byte(tgt[i] + diff[i]);
        free(*src);
        *src = diff, *sw = tw, *sh = th;
        diff = NULL;
    }
    free(a), free(b), free(diff);
    return rc;
}

facefuse_status fu_match_frame_color(const facefuse_image *source, facefuse_image *target, fu_err *err)
{
    int sizes[3], sw = source->width, sh = source->height;
    const int tw = target->width, th = target->height;
    float *src = rgb_floats(source), *tgt = rgb_floats(target);
    facefuse_status rc = FACEFUSE_OK;

    if (!src || !tgt)
        rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for colour matching a %dx%d crop", tw, th);
    fu_match_frame_color_sizes(th, sizes);
    for (int i = 0; i < 3 && rc == FACEFUSE_OK; i++)
        if (sizes[i] > 0)
            rc = equalize(&src, &sw, &sh, tgt, tw, th, sizes[i], err);
    /* FaceFusion's last pass at the target's own size gives the source back. */
    if (rc == FACEFUSE_OK && sw == tw && sh == th)
        for (int y = 0; y < th; y++)
            for (int x = 0; x < tw; x++)
                for (int c = 0; c < 3; c++)
                    fu_pixel(target, x, y)[c] = (uint8_t)src[((size_t)y * tw + x) * 3 + c];
    free(src), free(tgt);
    return rc;
}

/* ---------------------------------------------------------------- histograms */

enum { HSV_SHIFT = 12, H_BINS = 50, S_BINS = 60 };

/* OpenCV's 8-bit RGB → HSV (H in 0..179, S and V in 0..255), fixed point. */
static void hsv_of(int r, int g, int b, int *h_out, int *s_out)
{
    int v = r > g ? r : g, vmin = r < g ? r : g;
    v = b > v ? b : v;
    vmin = b < vmin ? b : vmin;
    int diff = v - vmin;
    int sdiv = v ? (int)lrint((255 << HSV_SHIFT) / (double)v) : 0;
    int hdiv = diff ? (int)lrint((180 << HSV_SHIFT) / (6.0 * diff)) : 0;
    int s = (diff * sdiv + (1 << (HSV_SHIFT - 1))) >> HSV_SHIFT;
    int h;
    if (v == r)
        h = g - b;
    else if (v == g)
        h = b - r + 2 * diff;
    else
        h = r - g + 4 * diff;
    long long scaled = (long long)h * hdiv + (1 << (HSV_SHIFT - 1));
    h = (int)(scaled >= 0 ? scaled >> HSV_SHIFT : -((-scaled + (1 << HSV_SHIFT) - 1) >> HSV_SHIFT));
    if (h < 0)
        h += 180;
    *h_out = h, *s_out = s;
}

static void hue_saturation_histogram(const facefuse_image *im, double *hist)
{
    memset(hist, 0, sizeof(double) * H_BINS * S_BINS);
    for (int y = 0; y < im->height; y++)
        for (int x = 0; x < im->width; x++) {
            const uint8_t *p = fu_pixel(im, x, y);
            int h, s;
            hsv_of(p[0], p[1], p[2], &h, &s);
            int hb = (int)floor(h * (double)H_BINS / 180.0), sb = (int)floor(s * (double)S_BINS / 256.0);
            if (hb >= 0 && hb < H_BINS && sb >= 0 && sb < S_BINS)
                hist[hb * S_BINS + sb] += 1;
        }
}

double fu_histogram_similarity(const facefuse_image *a, const facefuse_image *b)
{
    static const int n = H_BINS * S_BINS;
    double *ha = malloc(sizeof(double) * n), *hb = malloc(sizeof(double) * n);
    double s1 = 0, s2 = 0, s11 = 0, s12 = 0, s22 = 0, correl = 1;
    if (ha && hb) {
        hue_saturation_histogram(a, ha);
        hue_saturation_histogram(b, hb);
        for (int i = 0; i < n; i++) {
            s1 += ha[i], s2 += hb[i];
            s11 += ha[i] * ha[i], s12 += ha[i] * hb[i], s22 += hb[i] * hb[i];
        }
        double num = s12 - s1 * s2 / n, denom2 = (s11 - s1 * s1 / n) * (s22 - s2 * s2 / n);
        correl = fabs(denom2) > DBL_EPSILON ? num / sqrt(denom2) : 1.0;
    }
    free(ha), free(hb);
    double f = (correl + 1) / 2;
    return f < 0 ? 0 : f > 1 ? 1 : f;
}

facefuse_status fu_conditional_match_frame_color(const facefuse_image *source, facefuse_image *target,
                                                 fu_err *err)
{
    facefuse_image matched = {0};
    const double f = fu_histogram_similarity(source, target);
    if (fu_image_copy(&matched, target) != FACEFUSE_OK)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for colour matching");
    facefuse_status rc = fu_match_frame_color(source, &matched, err);
    if (rc == FACEFUSE_OK)
        for (int y = 0; y < target->height; y++)
            for (int x = 0; x < target->width; x++) {
                uint8_t *t = fu_pixel(target, x, y);
                const uint8_t *m = fu_pixel(&matched, x, y);
                for (int c = 0; c < 3; c++)
                    t[c] = to_byte((float)(t[c] * (1 - f) + m[c] * f));
            }
    facefuse_image_free(&matched);
    return rc;
}
