/*
 * mask_area.c — area masks from 68 landmarks: convex hull, polygon fill and
 * FaceFusion's soft threshold (see mask_area.h).
 */
#include "processors/mask_area.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/blur.h"

typedef struct area_def {
    const char *name;
    int count;
    int index[21];
} area_def;

static const area_def areas_table[] = {
    {"upper-face", 21, {0, 1, 2, 31, 32, 33, 34, 35, 14, 15, 16, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17}},
    {"lower-face", 16, {3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 35, 34, 33, 32, 31}},
    {"mouth", 20, {48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67}},
};

#define AREA_COUNT (int)(sizeof areas_table / sizeof areas_table[0])

static const area_def *find_area(const char *name)
{
    for (int i = 0; name && i < AREA_COUNT; i++)
        if (strcmp(areas_table[i].name, name) == 0)
            return &areas_table[i];
    return NULL;
}

int fu_mask_area_known(const char *name)
{
    return find_area(name) != NULL;
}

/* ---------------------------------------------------------------- hull */

static int cmp_point(const void *a, const void *b)
{
    const int *p = a, *q = b;
    if (p[0] != q[0])
        return p[0] < q[0] ? -1 : 1;
    return (p[1] > q[1]) - (p[1] < q[1]);
}

static long long cross(const int *o, const int *a, const int *b)
{
    return (long long)(a[0] - o[0]) * (b[1] - o[1]) - (long long)(a[1] - o[1]) * (b[0] - o[0]);
}

int fu_convex_hull(int *xy, int n, int *hull_xy)
{
    if (n <= 0)
        return 0;
    qsort(xy, (size_t)n, sizeof(int) * 2, cmp_point);
    int *h = hull_xy, k = 0;
    for (int i = 0; i < n; i++) { /* lower chain */
        while (k >= 2 && cross(&h[2 * (k - 2)], &h[2 * (k - 1)], &xy[2 * i]) <= 0)
            k--;
        h[2 * k] = xy[2 * i], h[2 * k + 1] = xy[2 * i + 1], k++;
    }
    for (int i = n - 2, lower = k + 1; i >= 0; i--) { /* upper chain */
        while (k >= lower && cross(&h[2 * (k - 2)], &h[2 * (k - 1)], &xy[2 * i]) <= 0)
            k--;
        h[2 * k] = xy[2 * i], h[2 * k + 1] = xy[2 * i + 1], k++;
    }
    return k > 1 ? k - 1 : k; /* the last point repeats the first */
}

/* ---------------------------------------------------------------- fill */

/* The span [*lo, *hi] of x where row y meets the polygon's edges. */
static int row_span(const int *xy, int n, int y, double *lo, double *hi)
{
    int hit = 0;
    *lo = INFINITY, *hi = -INFINITY;
    for (int i = 0; i < n; i++) {
        const int *a = &xy[2 * i], *b = &xy[2 * ((i + 1) % n)];
        int ymin = a[1] < b[1] ? a[1] : b[1], ymax = a[1] < b[1] ? b[1] : a[1];
        if (y < ymin || y > ymax)
            continue;
        double x0, x1;
        if (a[1] == b[1]) {
            x0 = a[0], x1 = b[0];
        } else {
            x0 = x1 = a[0] + (double)(b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]);
        }
        *lo = fmin(*lo, fmin(x0, x1));
        *hi = fmax(*hi, fmax(x0, x1));
        hit = 1;
    }
    return hit;
}

void fu_fill_convex_polygon(float *plane, int w, int h, const int *xy, int n, float value)
{
    if (n <= 0)
        return;
    int ymin = xy[1], ymax = xy[1];
    for (int i = 1; i < n; i++) {
        ymin = xy[2 * i + 1] < ymin ? xy[2 * i + 1] : ymin;
        ymax = xy[2 * i + 1] > ymax ? xy[2 * i + 1] : ymax;
    }
    if (ymin < 0)
        ymin = 0;
    if (ymax > h - 1)
        ymax = h - 1;
    for (int y = ymin; y <= ymax; y++) {
        double lo, hi;
        if (!row_span(xy, n, y, &lo, &hi))
            continue;
        int x0 = (int)ceil(lo - 1e-9), x1 = (int)floor(hi + 1e-9);
        if (x0 < 0)
            x0 = 0;
        if (x1 > w - 1)
            x1 = w - 1;
        for (int x = x0; x <= x1; x++)
            plane[(size_t)y * w + x] = value;
    }
}

/* ---------------------------------------------------------------- mask */

facefuse_status fu_area_mask(float *mask, int size, const facefuse_point lm68[68],
                             const fu_affine *to_crop, const char *const *areas, int n_areas,
                             fu_err *err)
{
    int xy[2 * 68 * AREA_COUNT], hull[2 * 2 * 68 * AREA_COUNT] = {0}, n = 0;
    if (!mask || size <= 0 || !lm68 || !to_crop || n_areas < 0 || n_areas > AREA_COUNT)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "area mask: bad arguments (size %d, %d areas)",
                       size, n_areas);
    for (int a = 0; a < n_areas; a++) {
        const area_def *def = find_area(areas[a]);
        if (!def)
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                           "area mask: unknown area '%s' (upper-face, lower-face, mouth)",
                           areas[a] ? areas[a] : "(null)");
        for (int i = 0; i < def->count; i++) {
            facefuse_point p = fu_affine_apply(to_crop, lm68[def->index[i]]);
            xy[2 * n] = (int)p.x; /* numpy astype(int32) truncates */
            xy[2 * n + 1] = (int)p.y;
            n++;
        }
    }
    memset(mask, 0, sizeof(float) * (size_t)size * (size_t)size);
    int k = fu_convex_hull(xy, n, hull);
    fu_fill_convex_polygon(mask, size, size, hull, k, 1.0f);
    /* Only the hull's box, grown by the kernel's radius, can become non-zero,
     * and blurring that window alone gives the same values as blurring the
     * whole plane: beyond the hull the window's margin is zeros, so its
     * reflected border reads the zeros the plane holds there. */
    int r[4] = {size, size, 0, 0}, grow = fu_gaussian_ksize_f32(5.0f) / 2 + 1;
    for (int i = 0; i < k; i++) {
        r[0] = hull[2 * i] < r[0] ? hull[2 * i] : r[0], r[1] = hull[2 * i + 1] < r[1] ? hull[2 * i + 1] : r[1];
        r[2] = hull[2 * i] + 1 > r[2] ? hull[2 * i] + 1 : r[2], r[3] = hull[2 * i + 1] + 1 > r[3] ? hull[2 * i + 1] + 1 : r[3];
    }
    for (int i = 0; i < 2; i++) {
        r[i] = r[i] - grow > 0 ? r[i] - grow : 0;
        r[i + 2] = r[i + 2] + grow < size ? r[i + 2] + grow : size;
    }
    const int w = r[2] - r[0], h = r[3] - r[1];
    if (w <= 0 || h <= 0)
        return FACEFUSE_OK;
    float *window = malloc(sizeof(float) * (size_t)w * (size_t)h);
    if (!window)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "area mask: out of memory for %dx%d", w, h);
    for (int y = 0; y < h; y++)
        memcpy(window + (size_t)y * w, mask + (size_t)(r[1] + y) * size + r[0], sizeof(float) * (size_t)w);
    facefuse_status st = fu_gaussian_blur_f32(window, w, h, 5.0f, err);
    for (int y = 0; st == FACEFUSE_OK && y < h; y++)
        for (int x = 0; x < w; x++) {
            float v = window[(size_t)y * w + x];
            v = v < 0.5f ? 0.5f : v > 1.0f ? 1.0f : v;
            mask[(size_t)(r[1] + y) * size + r[0] + x] = (v - 0.5f) * 2.0f;
        }
    free(window);
    return st;
}
