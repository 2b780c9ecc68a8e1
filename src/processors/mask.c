/*
 * mask.c — FaceFusion's box mask (see mask.h).
 */
#include "processors/mask.h"

#include <math.h>
#include <stdlib.h>

#include "core/blur.h"
#include "core/numeric.h"

fu_box_mask_geometry fu_box_mask_geometry_of(int size, float blur, const int padding[4])
{
    fu_box_mask_geometry g = {0};
    g.blur_amount = fu_int_clamp(size * 0.5 * blur, 0, size);
    g.border_px = g.blur_amount / 2 > 1 ? g.blur_amount / 2 : 1;
    for (int i = 0; i < 4; i++) {
        int pad_px = fu_int_clamp(size * (padding ? padding[i] : 0) / 100.0, 0, size);
        g.strip_px[i] = pad_px > g.border_px ? pad_px : g.border_px;
    }
    if (g.blur_amount > 0) {
        g.sigma = g.blur_amount * 0.25;
        g.ksize = fu_gaussian_ksize_f32((float)g.sigma);
    }
    return g;
}

/* A 1-D band: 1 on [lo, n − hi), 0 elsewhere, blurred (the box mask is the
 * product of a blurred row band and a blurred column band, which equals
 * blurring the 2-D box: the Gaussian and the box both separate). */
static facefuse_status blurred_band(int n, int lo, int hi, double sigma, float *out, fu_err *err)
{
    for (int i = 0; i < n; i++)
        out[i] = i >= lo && i < n - hi ? 1.0f : 0.0f;
    return sigma > 0 ? fu_gaussian_blur_f32(out, n, 1, (float)sigma, err) : FACEFUSE_OK;
}

facefuse_status fu_box_mask(int size, float blur, const int padding[4], float **mask, fu_err *err)
{
    fu_box_mask_geometry g = fu_box_mask_geometry_of(size, blur, padding);
    float *rows = malloc(sizeof(float) * (size_t)size), *cols = malloc(sizeof(float) * (size_t)size);
    float *m = malloc(sizeof(float) * (size_t)size * (size_t)size);
    facefuse_status rc = FACEFUSE_OK;

    *mask = NULL;
    if (!rows || !cols || !m)
        rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for a %d px box mask", size);
    if (rc == FACEFUSE_OK)
        rc = blurred_band(size, g.strip_px[0], g.strip_px[2], g.sigma, rows, err);
    if (rc == FACEFUSE_OK)
        rc = blurred_band(size, g.strip_px[3], g.strip_px[1], g.sigma, cols, err);
    if (rc == FACEFUSE_OK) {
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++) {
                float v = rows[y] * cols[x];
                m[(size_t)y * size + x] = v < 0 ? 0 : v > 1 ? 1 : v;
            }
        *mask = m;
        m = NULL;
    }
    free(m);
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
