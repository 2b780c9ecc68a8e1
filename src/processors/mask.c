/*
 * mask.c — FaceFusion's box mask (see mask.h).
 */
#include "processors/mask.h"

#include <math.h>
#include <stdlib.h>

#include "core/blur.h"

fu_box_mask_geometry fu_box_mask_geometry_of(int size, float blur, const int padding[4])
{
    fu_box_mask_geometry g = {0};
    g.blur_amount = (int)(size * 0.5 * blur);
    g.border_px = g.blur_amount / 2 > 1 ? g.blur_amount / 2 : 1;
    for (int i = 0; i < 4; i++) {
        int pad_px = (int)(size * (padding ? padding[i] : 0) / 100.0);
        g.strip_px[i] = pad_px > g.border_px ? pad_px : g.border_px;
    }
    if (g.blur_amount > 0) {
        g.sigma = g.blur_amount * 0.25;
        g.ksize = fu_box_gaussian_ksize(g.sigma);
    }
    return g;
}

int fu_box_gaussian_ksize(double sigma)
{
    return (int)lround(sigma * 4 * 2 + 1) | 1;
}

void fu_gaussian_kernel(int ksize, double sigma, double *kernel)
{
    double sum = 0, scale = -0.5 / (sigma * sigma);
    for (int i = 0; i < ksize; i++) {
        double x = i - (ksize - 1) * 0.5;
        kernel[i] = exp(scale * x * x);
        sum += kernel[i];
    }
    for (int i = 0; i < ksize; i++)
        kernel[i] /= sum;
}

int fu_reflect101(int i, int n)
{
    if (n == 1)
        return 0;
    while (i < 0 || i >= n) {
        if (i < 0)
            i = -i;
        if (i >= n)
            i = 2 * (n - 1) - i;
    }
    return i;
}

/* A 1-D band: 1 on [lo, n − hi), 0 elsewhere, blurred with kernel k. */
static void blurred_band(int n, int lo, int hi, const double *k, int ksize, double *tmp, float *out)
{
    for (int i = 0; i < n; i++)
        tmp[i] = i >= lo && i < n - hi ? 1.0 : 0.0;
    if (ksize <= 0) {
        for (int i = 0; i < n; i++)
            out[i] = (float)tmp[i];
        return;
    }
    int r = ksize / 2;
    for (int i = 0; i < n; i++) {
        double s = 0;
        for (int j = 0; j < ksize; j++)
            s += k[j] * tmp[fu_reflect101(i + j - r, n)];
        out[i] = (float)s;
    }
}

facefuse_status fu_box_mask(int size, float blur, const int padding[4], float **mask, fu_err *err)
{
    fu_box_mask_geometry g = fu_box_mask_geometry_of(size, blur, padding);
    double *kernel = malloc(sizeof(double) * (size_t)(g.ksize + 1));
    double *tmp = malloc(sizeof(double) * (size_t)size);
    float *rows = malloc(sizeof(float) * (size_t)size), *cols = malloc(sizeof(float) * (size_t)size);
    float *m = malloc(sizeof(float) * (size_t)size * (size_t)size);

    facefuse_status rc = FACEFUSE_OK;

    *mask = NULL;
    if (!kernel || !tmp || !rows || !cols || !m) {
        rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for a %d px box mask", size);
        free(m);
        goto done;
    }
    if (g.ksize > 0)
        fu_gaussian_kernel(g.ksize, g.sigma, kernel);
    blurred_band(size, g.strip_px[0], g.strip_px[2], kernel, g.ksize, tmp, rows);
    blurred_band(size, g.strip_px[3], g.strip_px[1], kernel, g.ksize, tmp, cols);
    for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++) {
            float v = rows[y] * cols[x];
            m[(size_t)y * size + x] = v < 0 ? 0 : v > 1 ? 1 : v;
        }
    *mask = m;
done:
    free(kernel);
    free(tmp);
    free(rows);
    free(cols);
    return rc;
}

facefuse_status fu_mask_soften(float *mask, int w, int h, fu_err *err)
{
    const size_t n = (size_t)w * (size_t)h;
    for (size_t i = 0; i < n; i++)
        mask[i] = mask[i] < 0 ? 0 : mask[i] > 1 ? 1 : mask[i];
    facefuse_status rc = fu_gaussian_blur_f32(mask, w, h, 5.0f, err);
    if (rc != FACEFUSE_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        float v = mask[i] < 0.5f ? 0.5f : mask[i] > 1.0f ? 1.0f : mask[i];
        mask[i] = (v - 0.5f) * 2.0f;
    }
    return FACEFUSE_OK;
}

fu_affine fu_resize_affine(int sw, int sh, int dw, int dh)
{
    double sx = (double)dw / sw, sy = (double)dh / sh;
    fu_affine a = {{sx, 0, 0.5 * sx - 0.5, 0, sy, 0.5 * sy - 0.5}};
    return a;
}
