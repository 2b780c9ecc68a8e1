/*
 * paste.c — blending a face crop back into its frame (see paste.h).
 */
#include "processors/paste.h"

#include <math.h>

#include "core/numeric.h"

void fu_paste_rect(int frame_w, int frame_h, int size, const fu_affine *frame_to_crop, int rect[4])
{
    fu_affine inv = fu_affine_invert(frame_to_crop);
    const facefuse_point corners[4] = {{0, 0}, {(float)size, 0}, {(float)size, (float)size}, {0, (float)size}};
    double lo_x = INFINITY, lo_y = INFINITY, hi_x = -INFINITY, hi_y = -INFINITY;
    for (int i = 0; i < 4; i++) {
        facefuse_point p = fu_affine_apply(&inv, corners[i]);
        lo_x = fmin(lo_x, p.x);
        lo_y = fmin(lo_y, p.y);
        hi_x = fmax(hi_x, p.x);
        hi_y = fmax(hi_y, p.y);
    }
    double b[4] = {floor(lo_x), floor(lo_y), ceil(hi_x), ceil(hi_y)};
    double lim[4] = {frame_w, frame_h, frame_w, frame_h};
    for (int i = 0; i < 4; i++)
        rect[i] = (int)fmin(fmax(b[i], 0), lim[i]);
    if (rect[2] < rect[0])
        rect[2] = rect[0];
    if (rect[3] < rect[1])
        rect[3] = rect[1];
}

/* Bilinear mask value at (u, v), zero outside the crop. */
static float sample_mask(const float *mask, int size, double u, double v)
{
    int x0 = fu_floor_int(u), y0 = fu_floor_int(v);
    float fx = (float)(u - x0), fy = (float)(v - y0);
    float w[4] = {(1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy};
    int xs[4] = {x0, x0 + 1, x0, x0 + 1}, ys[4] = {y0, y0, y0 + 1, y0 + 1};
    float m = 0;
    for (int i = 0; i < 4; i++)
        if (xs[i] >= 0 && xs[i] < size && ys[i] >= 0 && ys[i] < size)
            m += w[i] * mask[(size_t)ys[i] * size + xs[i]];
    return m;
}

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Bilinear crop colour at (u, v), border replicated. */
static void sample_crop(const float *crop, int size, double u, double v, float rgb[3])
{
    int x0 = fu_floor_int(u), y0 = fu_floor_int(v);
    float fx = (float)(u - x0), fy = (float)(v - y0);
    int xa = clampi(x0, 0, size - 1), xb = clampi(x0 + 1, 0, size - 1);
    int ya = clampi(y0, 0, size - 1), yb = clampi(y0 + 1, 0, size - 1);
    const float *p00 = crop + ((size_t)ya * size + xa) * 3, *p01 = crop + ((size_t)ya * size + xb) * 3;
    const float *p10 = crop + ((size_t)yb * size + xa) * 3, *p11 = crop + ((size_t)yb * size + xb) * 3;
    for (int c = 0; c < 3; c++) {
        float top = p00[c] + fx * (p01[c] - p00[c]);
        float bottom = p10[c] + fx * (p11[c] - p10[c]);
        rgb[c] = top + fy * (bottom - top);
    }
}

void fu_paste_back(facefuse_image *frame, const float *crop, const float *mask, int size,
                   const fu_affine *frame_to_crop)
{
    int r[4];
    const double *a = frame_to_crop->m;

    fu_paste_rect(frame->width, frame->height, size, frame_to_crop, r);
    for (int y = r[1]; y < r[3]; y++) {
        uint8_t *px = frame->data + (size_t)y * frame->stride + (size_t)r[0] * frame->channels;
        for (int x = r[0]; x < r[2]; x++, px += frame->channels) {
            double u = a[0] * x + a[1] * y + a[2], v = a[3] * x + a[4] * y + a[5];
            if (!(u > -1 && v > -1 && u < size && v < size)) /* also NaN */
                continue;
            float m = sample_mask(mask, size, u, v);
            if (m <= 0)
                continue;
            if (m > 1)
                m = 1;
            float rgb[3];
            sample_crop(crop, size, u, v, rgb);
            for (int c = 0; c < 3; c++)
                px[c] = fu_u8_round(px[c] * (1 - m) + rgb[c] * m);
        }
    }
}

void fu_paste_sample(const float *crop, const float *mask, int size, const fu_affine *frame_to_crop,
                     const int rect[4], float *rgb, float *m)
{
    const double *a = frame_to_crop->m;
    const int w = rect[2] - rect[0];
    for (int y = rect[1]; y < rect[3]; y++)
        for (int x = rect[0]; x < rect[2]; x++) {
            size_t i = (size_t)(y - rect[1]) * w + (x - rect[0]);
            double u = a[0] * x + a[1] * y + a[2], v = a[3] * x + a[4] * y + a[5];
            float mv = 0;
            if (u > -1 && v > -1 && u < size && v < size)
                mv = sample_mask(mask, size, u, v);
            m[i] = !(mv > 0) ? 0 : mv > 1 ? 1 : mv;
            sample_crop(crop, size, u, v, rgb + 3 * i);
        }
}
