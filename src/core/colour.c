/*
 * colour.c — sRGB ↔ Lab (OpenCV's float formulas) and colour transfer:
 * Reinhard mean/std matching in Lab and per-channel histogram matching.
 */
#include "core/colour.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"

/* D65 reference white and sRGB → XYZ, as OpenCV's cvtColor uses them. */
static const double xn = 0.950456, zn = 1.088754;
static const double rgb2xyz[9] = {0.412453, 0.357580, 0.180423, 0.212671, 0.715160,
                                  0.072169, 0.019334, 0.119193, 0.950227};
static const double xyz2rgb[9] = {3.240479, -1.53715, -0.498535, -0.969256, 1.875991,
                                  0.041556, 0.055648, -0.204043, 1.057311};

/* ---------------------------------------------------------------- Lab */

static double srgb_to_linear(double c)
{
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double linear_to_srgb(double c)
{
    return c <= 0.0031308 ? c * 12.92 : 1.055 * pow(c, 1.0 / 2.4) - 0.055;
}

static double lab_f(double t)
{
    return t > 0.008856 ? cbrt(t) : 7.787 * t + 16.0 / 116.0;
}

static double lab_f_inv(double f)
{
    return f > 0.206893 ? f * f * f : (f - 16.0 / 116.0) / 7.787;
}

void fu_rgb_to_lab(const float rgb[3], float lab[3])
{
    double l[3], xyz[3];
    for (int i = 0; i < 3; i++)
        l[i] = srgb_to_linear(rgb[i]);
    for (int i = 0; i < 3; i++)
        xyz[i] = rgb2xyz[3 * i] * l[0] + rgb2xyz[3 * i + 1] * l[1] + rgb2xyz[3 * i + 2] * l[2];
    double fx = lab_f(xyz[0] / xn), fy = lab_f(xyz[1]), fz = lab_f(xyz[2] / zn);
    lab[0] = (float)(xyz[1] > 0.008856 ? 116.0 * fy - 16.0 : 903.3 * xyz[1]);
    lab[1] = (float)(500.0 * (fx - fy));
    lab[2] = (float)(200.0 * (fy - fz));
}

void fu_lab_to_rgb(const float lab[3], float rgb[3])
{
    double y = lab[0] <= 8.0 ? lab[0] / 903.3 : pow((lab[0] + 16.0) / 116.0, 3.0);
    double fy = y > 0.008856 ? cbrt(y) : 7.787 * y + 16.0 / 116.0;
    double xyz[3] = {xn * lab_f_inv(fy + lab[1] / 500.0), y, zn * lab_f_inv(fy - lab[2] / 200.0)};
    for (int i = 0; i < 3; i++) {
        double c = xyz2rgb[3 * i] * xyz[0] + xyz2rgb[3 * i + 1] * xyz[1] + xyz2rgb[3 * i + 2] * xyz[2];
        rgb[i] = (float)linear_to_srgb(c);
    }
}

/* 8-bit tables, built once: the linear value of each sRGB code, and the
 * linear values where the rounded sRGB code steps up (so that encoding a
 * linear value back to 8 bits is a binary search, exact to the rounding of
 * 255·linear_to_srgb(c) + 0.5, instead of a pow per channel). */
static double srgb_linear[256];
static double srgb_step[255];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void build_tables(void)
{
    for (int i = 0; i < 256; i++)
        srgb_linear[i] = srgb_to_linear(i / 255.0);
    for (int i = 0; i < 255; i++)
        srgb_step[i] = srgb_to_linear((i + 0.5) / 255.0);
}

static uint8_t linear_to_code(double c)
{
    int lo = 0, hi = 255; /* the answer is the number of steps below c */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (srgb_step[mid] < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (uint8_t)lo;
}

/* Lab of an 8-bit pixel through the table. */
static void code_to_lab(const uint8_t *p, float lab[3])
{
    const double *l0 = &srgb_linear[p[0]], *l1 = &srgb_linear[p[1]], *l2 = &srgb_linear[p[2]];
    double xyz[3];
    for (int i = 0; i < 3; i++)
        xyz[i] = rgb2xyz[3 * i] * *l0 + rgb2xyz[3 * i + 1] * *l1 + rgb2xyz[3 * i + 2] * *l2;
    double fx = lab_f(xyz[0] / xn), fy = lab_f(xyz[1]), fz = lab_f(xyz[2] / zn);
    lab[0] = (float)(xyz[1] > 0.008856 ? 116.0 * fy - 16.0 : 903.3 * xyz[1]);
    lab[1] = (float)(500.0 * (fx - fy));
    lab[2] = (float)(200.0 * (fy - fz));
}

/* An 8-bit pixel of a Lab value, rounded and clipped. */
static void lab_to_code(const float lab[3], uint8_t *p)
{
    double fy, y;
    if (lab[0] > 8.0) {
        fy = (lab[0] + 16.0) / 116.0;
        y = fy * fy * fy;
    } else {
        y = lab[0] / 903.3;
        fy = 7.787 * y + 16.0 / 116.0;
    }
    double xyz[3] = {xn * lab_f_inv(fy + lab[1] / 500.0), y, zn * lab_f_inv(fy - lab[2] / 200.0)};
    for (int i = 0; i < 3; i++)
        p[i] = linear_to_code(xyz2rgb[3 * i] * xyz[0] + xyz2rgb[3 * i + 1] * xyz[1] + xyz2rgb[3 * i + 2] * xyz[2]);
}

facefuse_status fu_image_to_lab(const facefuse_image *im, float **lab_out, fu_err *err)
{
    pthread_once(&tables_once, build_tables);
    *lab_out = NULL;
    if (!im || !im->data || im->channels < 3)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "Lab conversion: need an RGB or RGBA image");
    float *lab = malloc(sizeof(float) * 3 * (size_t)im->width * (size_t)im->height);
    if (!lab)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "Lab conversion: out of memory for %dx%d",
                       im->width, im->height);
    for (int y = 0; y < im->height; y++)
        for (int x = 0; x < im->width; x++) {
            code_to_lab(fu_pixel(im, x, y), lab + 3 * ((size_t)y * im->width + x));
        }
    *lab_out = lab;
    return FACEFUSE_OK;
}

/* Writes interleaved Lab pixels back into the RGB(A) image, rounded and clipped. */
static void lab_to_image(const float *lab, facefuse_image *im)
{
    pthread_once(&tables_once, build_tables);
    for (int y = 0; y < im->height; y++)
        for (int x = 0; x < im->width; x++)
            lab_to_code(lab + 3 * ((size_t)y * im->width + x), fu_pixel(im, x, y));
}

void fu_channel_stats(const float *px3, const float *weight, size_t n, double mean[3], double std[3])
{
    double sw = 0, s[3] = {0, 0, 0}, s2[3] = {0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        double w = weight ? weight[i] : 1.0;
        if (!(w > 0))
            continue;
        sw += w;
        for (int c = 0; c < 3; c++) {
            s[c] += w * px3[3 * i + c];
            s2[c] += w * px3[3 * i + c] * px3[3 * i + c];
        }
    }
    for (int c = 0; c < 3; c++) {
        mean[c] = sw > 0 ? s[c] / sw : 0;
        double var = sw > 0 ? s2[c] / sw - mean[c] * mean[c] : 0;
        std[c] = var > 0 ? sqrt(var) : 0;
    }
}

static facefuse_status check_pair(const facefuse_image *face, const facefuse_image *target,
                                  const char *what, fu_err *err)
{
    if (!face || !target || !face->data || !target->data || face->channels < 3 || target->channels < 3)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "%s: need two RGB or RGBA crops", what);
    return FACEFUSE_OK;
}

/* ---------------------------------------------------------------- Reinhard */

facefuse_status fu_color_match_reinhard(facefuse_image *face_crop, const float *face_mask,
                                        const facefuse_image *target_crop, const float *target_mask,
                                        fu_err *err)
{
    float *fl = NULL, *tl = NULL;
    facefuse_status st = check_pair(face_crop, target_crop, "Reinhard colour match", err);
    if (st == FACEFUSE_OK)
        st = fu_image_to_lab(face_crop, &fl, err);
    if (st == FACEFUSE_OK)
        st = fu_image_to_lab(target_crop, &tl, err);
    if (st != FACEFUSE_OK) {
        free(fl);
        return st;
    }
    size_t nf = (size_t)face_crop->width * face_crop->height;
    size_t nt = (size_t)target_crop->width * target_crop->height;
    double fm[3], fs[3], tm[3], ts[3];
    fu_channel_stats(fl, face_mask, nf, fm, fs);
    fu_channel_stats(tl, target_mask, nt, tm, ts);
    for (int c = 0; c < 3; c++) {
        double gain = fs[c] > 1e-6 ? ts[c] / fs[c] : 1.0;
        for (size_t i = 0; i < nf; i++)
            fl[3 * i + c] = (float)((fl[3 * i + c] - fm[c]) * gain + tm[c]);
    }
    lab_to_image(fl, face_crop);
    free(fl);
    free(tl);
    return FACEFUSE_OK;
}

/* ---------------------------------------------------------------- histogram */

/* RGB: one bin per 8-bit value; Lab: fine bins over each channel's range. */
#define RGB_BINS 256
#define LAB_BINS 1024

/* Weighted histogram of channel c of n interleaved pixels over [lo, hi),
 * as a normalised cumulative distribution: cdf[i] = mass of bins 0..i. */
static void channel_cdf(const float *px3, const float *weight, size_t n, int c, double lo,
                        double bin, int bins, double *hist, double *cdf)
{
    double total = 0;
    memset(hist, 0, sizeof(double) * (size_t)bins);
    for (size_t i = 0; i < n; i++) {
        double w = weight ? weight[i] : 1.0;
        if (!(w > 0))
            continue;
        int b = (int)((px3[3 * i + c] - lo) / bin);
        b = b < 0 ? 0 : b >= bins ? bins - 1 : b;
        hist[b] += w;
        total += w;
    }
    double acc = 0;
    for (int b = 0; b < bins; b++) {
        hist[b] = total > 0 ? hist[b] / total : 0;
        acc += hist[b];
        cdf[b] = acc;
    }
}

/* The value at which the piecewise-linear target CDF reaches q. */
static double cdf_inverse(const double *hist, const double *cdf, int bins, double lo, double bin, double q)
{
    /* The first bin whose CDF reaches q (the CDF never decreases). */
    int j = 0, hi = bins - 1;
    while (j < hi) {
        int mid = (j + hi) / 2;
        if (cdf[mid] < q)
            j = mid + 1;
        else
            hi = mid;
    }
    double before = j > 0 ? cdf[j - 1] : 0;
    double frac = hist[j] > 0 ? (q - before) / hist[j] : 0.5;
    frac = frac < 0 ? 0 : frac > 1 ? 1 : frac;
    return lo + (j + frac) * bin;
}

/* Maps channel c of the face pixels so their distribution follows the target's. */
static facefuse_status match_channel(float *face, const float *fmask, size_t nf, const float *target,
                                     const float *tmask, size_t nt, int c, double lo, double hi,
                                     int bins, fu_err *err)
{
    double *buf = malloc(sizeof(double) * 4 * (size_t)bins);
    if (!buf)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "histogram colour match: out of memory");
    double *fh = buf, *fc = buf + bins, *th = buf + 2 * bins, *tc = buf + 3 * bins;
    double bin = (hi - lo) / bins;
    channel_cdf(face, fmask, nf, c, lo, bin, bins, fh, fc);
    channel_cdf(target, tmask, nt, c, lo, bin, bins, th, tc);
    for (size_t i = 0; i < nf; i++) {
        double v = face[3 * i + c];
        double pos = (v - lo) / bin;
        int b = (int)pos;
        b = b < 0 ? 0 : b >= bins ? bins - 1 : b;
        double frac = pos - b;
        frac = frac < 0 ? 0 : frac > 1 ? 1 : frac;
        double q = (b > 0 ? fc[b - 1] : 0) + frac * fh[b];
        face[3 * i + c] = (float)cdf_inverse(th, tc, bins, lo, bin, q);
    }
    free(buf);
    return FACEFUSE_OK;
}

/* Interleaved float RGB (0..255) of an RGB(A) image. */
static facefuse_status image_to_rgbf(const facefuse_image *im, float **out, fu_err *err)
{
    *out = malloc(sizeof(float) * 3 * (size_t)im->width * (size_t)im->height);
    if (!*out)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "histogram colour match: out of memory");
    for (int y = 0; y < im->height; y++)
        for (int x = 0; x < im->width; x++)
            for (int c = 0; c < 3; c++)
                (*out)[3 * ((size_t)y * im->width + x) + c] = fu_pixel(im, x, y)[c];
    return FACEFUSE_OK;
}

facefuse_status fu_color_match_histogram(facefuse_image *face_crop, const float *face_mask,
                                         const facefuse_image *target_crop, const float *target_mask,
                                         fu_color_space space, fu_err *err)
{
    float *fp = NULL, *tp = NULL;
    facefuse_status st = check_pair(face_crop, target_crop, "histogram colour match", err);
    if (st == FACEFUSE_OK)
        st = space == FU_COLOR_LAB ? fu_image_to_lab(face_crop, &fp, err) : image_to_rgbf(face_crop, &fp, err);
    if (st == FACEFUSE_OK)
        st = space == FU_COLOR_LAB ? fu_image_to_lab(target_crop, &tp, err)
                                   : image_to_rgbf(target_crop, &tp, err);
    size_t nf = (size_t)face_crop->width * face_crop->height;
    size_t nt = (size_t)target_crop->width * target_crop->height;
    /* Bin ranges cover every value each space can hold from 8-bit sRGB. */
    static const double rgb_lo[3] = {-0.5, -0.5, -0.5}, rgb_hi[3] = {255.5, 255.5, 255.5};
    static const double lab_lo[3] = {0, -128, -128}, lab_hi[3] = {100.5, 128, 128};
    const double *lo = space == FU_COLOR_LAB ? lab_lo : rgb_lo, *hi = space == FU_COLOR_LAB ? lab_hi : rgb_hi;
    for (int c = 0; c < 3 && st == FACEFUSE_OK; c++)
        st = match_channel(fp, face_mask, nf, tp, target_mask, nt, c, lo[c], hi[c],
                           space == FU_COLOR_LAB ? LAB_BINS : RGB_BINS, err);
    if (st == FACEFUSE_OK && space == FU_COLOR_LAB) {
        lab_to_image(fp, face_crop);
    } else if (st == FACEFUSE_OK) {
        for (int y = 0; y < face_crop->height; y++)
            for (int x = 0; x < face_crop->width; x++)
                for (int c = 0; c < 3; c++) {
                    float v = fp[3 * ((size_t)y * face_crop->width + x) + c] + 0.5f;
                    fu_pixel(face_crop, x, y)[c] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
                }
    }
    free(fp);
    free(tp);
    return st;
}
