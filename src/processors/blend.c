/*
 * blend.c — colour matching and linear or Poisson paste-back of a face crop
 * (see blend.h).
 */
#include "processors/blend.h"

#include <stdlib.h>
#include <string.h>

#include "core/colour.h"
#include "core/image.h"
#include "core/poisson.h"
#include "processors/paste.h"

facefuse_status fu_color_match_parse(const char *name, fu_color_match_mode *out, fu_err *err)
{
    if (!name || strcmp(name, "none") == 0)
        *out = FU_COLOR_MATCH_NONE;
    else if (strcmp(name, "reinhard") == 0)
        *out = FU_COLOR_MATCH_REINHARD;
    else if (strcmp(name, "histogram") == 0)
        *out = FU_COLOR_MATCH_HISTOGRAM;
    else
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "unknown face colour match '%s' (none, reinhard, "
                       "histogram)", name);
    return FACEFUSE_OK;
}

facefuse_status fu_blend_mode_parse(const char *name, fu_blend_mode *out, fu_err *err)
{
    if (!name || strcmp(name, "linear") == 0)
        *out = FU_BLEND_LINEAR;
    else if (strcmp(name, "poisson") == 0)
        *out = FU_BLEND_POISSON;
    else
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "unknown face blend mode '%s' (linear, poisson)", name);
    return FACEFUSE_OK;
}

facefuse_status fu_crop_color_match(facefuse_image *result, const facefuse_image *target, const float *mask,
                                    fu_color_match_mode mode, fu_err *err)
{
    const size_t n = (size_t)result->width * result->height;
    facefuse_status rc;
    if (mode == FU_COLOR_MATCH_NONE)
        return FACEFUSE_OK;
    float *w = malloc(sizeof(float) * n);
    if (!w)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for colour matching");
    size_t inside = 0;
    for (size_t i = 0; i < n; i++) {
        w[i] = mask[i] > 0.5f ? 1.0f : 0.0f;
        inside += mask[i] > 0.5f;
    }
    if (inside == 0) /* nothing of the face shows: nothing to match */
        rc = FACEFUSE_OK;
    else if (mode == FU_COLOR_MATCH_REINHARD)
        rc = fu_color_match_reinhard(result, w, target, w, err);
    else
        rc = fu_color_match_histogram(result, w, target, w, FU_COLOR_LAB, err);
    free(w);
    return rc;
}

/* The bounding box [x0, x1) × [y0, y1) of m > 0.5 over a w×h patch; 0 if none. */
static int mask_bounds(const float *m, int w, int h, int b[4])
{
    b[0] = w, b[1] = h, b[2] = -1, b[3] = -1;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (m[(size_t)y * w + x] > 0.5f) {
                b[0] = x < b[0] ? x : b[0], b[2] = x > b[2] ? x : b[2];
                b[1] = y < b[1] ? y : b[1], b[3] = y > b[3] ? y : b[3];
            }
    return b[2] >= 0;
}

/* Poisson clone of the sampled patch (rect-sized rgb and m) into frame. */
static facefuse_status poisson_patch(facefuse_image *frame, const int rect[4], const float *rgb, const float *m,
                                     fu_err *err)
{
    const int rw = rect[2] - rect[0], rh = rect[3] - rect[1];
    int b[4];
    if (!mask_bounds(m, rw, rh, b))
        return FACEFUSE_OK;
    /* Grow by one pixel so the box's edge is boundary, clipped to the frame. */
    int x0 = rect[0] + b[0] - 1, y0 = rect[1] + b[1] - 1, x1 = rect[0] + b[2] + 2, y1 = rect[1] + b[3] + 2;
    x0 = x0 < 0 ? 0 : x0, y0 = y0 < 0 ? 0 : y0;
    x1 = x1 > frame->width ? frame->width : x1, y1 = y1 > frame->height ? frame->height : y1;
    const int w = x1 - x0, h = y1 - y0, ch = frame->channels;
    facefuse_image view = {w, h, ch, frame->stride, fu_pixel(frame, x0, y0)}, src = {0};
    float *mv = calloc((size_t)w * h, sizeof(float));
    if (!mv || facefuse_image_alloc(&src, w, h, ch) != FACEFUSE_OK) {
        free(mv);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for a %dx%d Poisson blend", w, h);
    }
    for (int y = 0; y < h; y++) {
        memcpy(src.data + (size_t)y * src.stride, view.data + (size_t)y * view.stride, (size_t)w * ch);
        int py = y0 + y - rect[1];
        for (int x = 0; x < w; x++) {
            int px = x0 + x - rect[0];
            if (px < 0 || py < 0 || px >= rw || py >= rh)
                continue;
            size_t i = (size_t)py * rw + px;
            uint8_t *s = fu_pixel(&src, x, y);
            for (int c = 0; c < 3; c++) {
                float v = rgb[3 * i + c] + 0.5f;
                s[c] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
            }
            mv[(size_t)y * w + x] = m[i];
        }
    }
    facefuse_status rc = fu_poisson_blend(&view, &src, mv, 0, 0, w, h, err);
    facefuse_image_free(&src);
    free(mv);
    return rc;
}

facefuse_status fu_blend_crop(facefuse_image *frame, const float *crop, const float *mask, int size,
                              const fu_affine *frame_to_crop, fu_blend_mode mode, fu_err *err)
{
    int rect[4];
    if (mode == FU_BLEND_LINEAR) {
        fu_paste_back(frame, crop, mask, size, frame_to_crop);
        return FACEFUSE_OK;
    }
    fu_paste_rect(frame->width, frame->height, size, frame_to_crop, rect);
    const size_t n = (size_t)(rect[2] - rect[0]) * (size_t)(rect[3] - rect[1]);
    if (n == 0)
        return FACEFUSE_OK;
    float *rgb = malloc(sizeof(float) * 3 * n), *m = malloc(sizeof(float) * n);
    if (!rgb || !m) {
        free(rgb), free(m);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for a Poisson blend");
    }
    fu_paste_sample(crop, mask, size, frame_to_crop, rect, rgb, m);
    facefuse_status rc = poisson_patch(frame, rect, rgb, m, err);
    free(rgb), free(m);
    return rc;
}
