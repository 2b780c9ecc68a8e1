/*
 * image_metrics.c — PSNR and SSIM outside a mask (see image_metrics.h).
 * SSIM uses Wang et al.'s constants (K1 = 0.01, K2 = 0.03, L = 255) on
 * non-overlapping 8×8 windows (a uniform window, as the paper's fast variant).
 */
#include "core/image_metrics.h"

#include <math.h>

#include "core/image.h"

static int outside(const facefuse_image *mask, int x, int y)
{
    return !mask || fu_pixel(mask, x, y)[0] == 0;
}

double fu_psnr_outside(const facefuse_image *a, const facefuse_image *b, const facefuse_image *mask)
{
    double se = 0;
    long long n = 0;
    for (int y = 0; y < a->height; y++)
        for (int x = 0; x < a->width; x++) {
            if (!outside(mask, x, y))
                continue;
            const uint8_t *p = fu_pixel(a, x, y), *q = fu_pixel(b, x, y);
            for (int c = 0; c < 3; c++) {
                double d = (double)p[c] - q[c];
                se += d * d;
            }
            n += 3;
        }
    if (n == 0)
        return NAN;
    if (se == 0)
        return INFINITY;
    return 10.0 * log10(255.0 * 255.0 * (double)n / se);
}

/* 1 if no pixel of the window at (x0, y0) is inside the mask. */
static int window_outside(const facefuse_image *mask, int x0, int y0)
{
    if (!mask)
        return 1;
    for (int y = y0; y < y0 + 8; y++) {
        const uint8_t *m = fu_pixel(mask, x0, y);
        for (int x = 0; x < 8; x++)
            if (m[x * mask->channels])
                return 0;
    }
    return 1;
}

static double window_ssim(const facefuse_image *a, const facefuse_image *b, int x0, int y0)
{
    const double c1 = (0.01 * 255) * (0.01 * 255), c2 = (0.03 * 255) * (0.03 * 255);
    double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
    for (int y = y0; y < y0 + 8; y++) {
        const uint8_t *p = fu_pixel(a, x0, y), *q = fu_pixel(b, x0, y);
        for (int x = 0; x < 8; x++, p += a->channels, q += b->channels) {
            double u = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
            double v = 0.299 * q[0] + 0.587 * q[1] + 0.114 * q[2];
            sa += u;
            sb += v;
            saa += u * u;
            sbb += v * v;
            sab += u * v;
        }
    }
    double ma = sa / 64, mb = sb / 64;
    double va = saa / 64 - ma * ma, vb = sbb / 64 - mb * mb, cov = sab / 64 - ma * mb;
    return ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
}

double fu_ssim_outside(const facefuse_image *a, const facefuse_image *b, const facefuse_image *mask)
{
    double sum = 0;
    long long windows = 0;
    for (int y0 = 0; y0 + 8 <= a->height; y0 += 8)
        for (int x0 = 0; x0 + 8 <= a->width; x0 += 8) {
            if (!window_outside(mask, x0, y0))
                continue;
            sum += window_ssim(a, b, x0, y0);
            windows++;
        }
    return windows ? sum / windows : NAN;
}
