/*
 * blur.c — separable Gaussian blur of a float plane, matching OpenCV's
 * GaussianBlur for CV_32F with BORDER_REFLECT_101 (see blur.h).
 *
 * Horizontal pass row by row into a scratch plane, then the vertical pass
 * accumulates whole rows (cache friendly) back into the image.
 */
#include "core/blur.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int fu_gaussian_ksize_f32(float sigma)
{
    int k = (int)lrint(sigma * 4.0 * 2.0 + 1.0) | 1;
    return k < 1 ? 1 : k;
}

int fu_gaussian_ksize_u8(float sigma)
{
    int k = (int)lrint(sigma * 3.0 * 2.0 + 1.0) | 1;
    return k < 1 ? 1 : k;
}

/* OpenCV's getGaussianKernel for an explicit sigma: normalised to sum 1. */
static void make_kernel(float *k, int ksize, float sigma)
{
    double sum = 0, c = (ksize - 1) * 0.5, s2 = 2.0 * sigma * sigma;
    for (int i = 0; i < ksize; i++)
        sum += exp(-(i - c) * (i - c) / s2);
    for (int i = 0; i < ksize; i++)
        k[i] = (float)(exp(-(i - c) * (i - c) / s2) / sum);
}

/* BORDER_REFLECT_101: ... 2 1 | 0 1 2 ... n-1 | n-2 ..., repeated as needed. */
static int reflect101(int i, int n)
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

static void blur_row(const float *in, float *out, int w, const float *k, int r, float *ext)
{
    for (int i = -r; i < w + r; i++)
        ext[i + r] = in[reflect101(i, w)];
    for (int x = 0; x < w; x++) {
        const float *e = ext + x;
        float acc = 0;
        for (int j = 0; j <= 2 * r; j++)
            acc += e[j] * k[j];
        out[x] = acc;
    }
}

facefuse_status fu_gaussian_blur_f32(float *img, int w, int h, float sigma, fu_err *err)
{
    return fu_gaussian_blur_f32_k(img, w, h, sigma, fu_gaussian_ksize_f32(sigma), err);
}

facefuse_status fu_gaussian_blur_f32_k(float *img, int w, int h, float sigma, int ksize, fu_err *err)
{
    if (!img || w <= 0 || h <= 0 || ksize < 1 || !(ksize & 1))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "gaussian blur: bad plane %dx%d or kernel %d", w, h,
                       ksize);
    if (!(sigma > 0))
        return FACEFUSE_OK;
    int r = ksize / 2;
    float *k = malloc(sizeof(float) * (size_t)ksize);
    float *tmp = malloc(sizeof(float) * (size_t)w * (size_t)h);
    float *ext = malloc(sizeof(float) * (size_t)(w + 2 * r));
    if (!k || !tmp || !ext) {
        free(k), free(tmp), free(ext);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "gaussian blur: out of memory for %dx%d", w, h);
    }
    make_kernel(k, ksize, sigma);
    for (int y = 0; y < h; y++)
        blur_row(img + (size_t)y * w, tmp + (size_t)y * w, w, k, r, ext);
    for (int y = 0; y < h; y++) {
        float *out = img + (size_t)y * w;
        memset(out, 0, sizeof(float) * (size_t)w);
        for (int j = -r; j <= r; j++) {
            const float *row = tmp + (size_t)reflect101(y + j, h) * w;
            float kj = k[j + r];
            for (int x = 0; x < w; x++)
                out[x] += kj * row[x];
        }
    }
    free(k), free(tmp), free(ext);
    return FACEFUSE_OK;
}
