/*
 * live_portrait_testutil.h — helpers (static, header-only) for the
 * expression restorer and face editor tests: a smooth synthetic frame (so
 * LivePortrait's 512² → 256² → 512² round trip can be exact to a level), a
 * face placed on it by hand, and the checks of a pasted frame against the
 * frame before it.
 *
 * The stand-in generator (tests/models/gen_live_portrait.py) renders the
 * crop it was given plus LP_SHIFT·mean(source − target) per axis on R, G, B,
 * so where the paste mask is 1 the frame must have moved by that much.
 */
#ifndef FU_LIVE_PORTRAIT_TESTUTIL_H
#define FU_LIVE_PORTRAIT_TESTUTIL_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/geometry.h"
#include "core/image.h"
#include "processors/live_portrait.h"
#include "processors/paste.h"
#include "testlib.h"

#define LP_SHIFT 10.0 /* the stand-in generator's SHIFT */
#define LP_FRAME_PX 400

/* Smooth colours (curvature far below a level per pixel²), R − B ≈ 20. */
static inline facefuse_image lp_frame(int channels)
{
    facefuse_image im = {0};
    facefuse_image_alloc(&im, LP_FRAME_PX, LP_FRAME_PX, channels);
    for (int y = 0; y < LP_FRAME_PX; y++)
        for (int x = 0; x < LP_FRAME_PX; x++) {
            uint8_t *p = fu_pixel(&im, x, y);
            p[0] = (uint8_t)lround(115 + 30 * sin(x / 60.0) + 10 * cos(y / 45.0));
            p[1] = (uint8_t)lround(120 + 25 * sin((x + y) / 70.0));
            p[2] = (uint8_t)lround(95 + 20 * cos(x / 55.0) * cos(y / 80.0));
            if (channels == 4)
                p[3] = (uint8_t)(x ^ y);
        }
    return im;
}

/* A face in the middle of the frame: eyes 60 px apart; 68 points giving eye
 * ratios 0.3 and 1/3 and a lip ratio of 0.25. */
static inline facefuse_face lp_face(void)
{
    facefuse_face f;
    static const facefuse_point lm5[5] = {{170, 180}, {230, 180}, {200, 215}, {176, 245}, {224, 245}};
    memset(&f, 0, sizeof f);
    memcpy(f.landmark_5, lm5, sizeof lm5);
    memcpy(f.landmark_5_68, lm5, sizeof lm5);
    f.box[0] = 150, f.box[1] = 150, f.box[2] = 250, f.box[3] = 270;
    f.landmark_68[36] = (facefuse_point){160, 180}, f.landmark_68[39] = (facefuse_point){180, 180};
    f.landmark_68[37] = (facefuse_point){166, 177}, f.landmark_68[40] = (facefuse_point){166, 183};
    f.landmark_68[42] = (facefuse_point){220, 180}, f.landmark_68[45] = (facefuse_point){244, 180};
    f.landmark_68[43] = (facefuse_point){228, 176}, f.landmark_68[46] = (facefuse_point){228, 184};
    f.landmark_68[48] = (facefuse_point){176, 245}, f.landmark_68[54] = (facefuse_point){224, 245};
    f.landmark_68[62] = (facefuse_point){200, 241}, f.landmark_68[66] = (facefuse_point){200, 253};
    f.has_landmark_68 = 1;
    return f;
}

static inline facefuse_image lp_copy(const facefuse_image *in)
{
    facefuse_image out = {0};
    fu_image_copy(&out, in);
    return out;
}

/* The stand-in's colour shift, in levels, for these keypoints. */
static inline void lp_expected_shift(const fu_lp_points source, const fu_lp_points target, double shift[3])
{
    for (int a = 0; a < 3; a++) {
        double sum = 0;
        for (int k = 0; k < FU_LP_POINTS; k++)
            sum += (double)source[k][a] - target[k][a];
        shift[a] = LP_SHIFT * sum / FU_LP_POINTS * 255.0;
    }
}

/* The motion of the crop the processor cuts with `a` from im. */
static inline int lp_motion_of(const fu_live_portrait *lp, const facefuse_image *im, const fu_affine *a,
                               fu_lp_motion *m)
{
    facefuse_image crop = {0};
    float *input = malloc(sizeof(float) * 3 * FU_LP_INPUT_PX * FU_LP_INPUT_PX);
    fu_err err;
    facefuse_image_alloc(&crop, FU_LP_CROP_PX, FU_LP_CROP_PX, 3);
    fu_warp_affine(im, &crop, a, FU_BORDER_REPLICATE);
    fu_lp_prepare(&crop, input);
    int ok = fu_lp_extract_motion(lp, input, m, &err) == FACEFUSE_OK;
    facefuse_image_free(&crop);
    free(input);
    return ok;
}

typedef struct lp_diff {
    int outside_changed;   /* pixels outside the paste rectangle that changed (must be 0) */
    int alpha_changed;     /* alpha bytes that changed (must be 0) */
    int edge_worst;        /* the largest change within 8 px of the crop's edge, where the box mask is ~0 */
    int inside_n;          /* pixels where the mask is 1 (crop coordinates 120..392) */
    double worst[3];       /* there, the largest |after − before − shift| per channel */
    double mean[3];        /* and the mean of after − before − shift */
} lp_diff;

/* Compares after with before: outside the rectangle the 512² crop (frame →
 * crop by a) covers, nothing may change; inside, where the box mask is 1,
 * after − before should be shift (per channel). */
static inline lp_diff lp_compare(const facefuse_image *before, const facefuse_image *after, const fu_affine *a,
                                 const double shift[3])
{
    lp_diff d;
    int rect[4];
    memset(&d, 0, sizeof d);
    fu_paste_rect(before->width, before->height, FU_LP_CROP_PX, a, rect);
    for (int y = 0; y < before->height; y++)
        for (int x = 0; x < before->width; x++) {
            const uint8_t *p = fu_pixel(before, x, y), *q = fu_pixel(after, x, y);
            int in_rect = x >= rect[0] && x < rect[2] && y >= rect[1] && y < rect[3];
            if (before->channels == 4 && p[3] != q[3])
                d.alpha_changed++;
            if (!in_rect) {
                d.outside_changed += memcmp(p, q, 3) != 0;
                continue;
            }
            facefuse_point c = fu_affine_apply(a, (facefuse_point){(float)x, (float)y});
            if (c.x >= 0 && c.y >= 0 && c.x < FU_LP_CROP_PX && c.y < FU_LP_CROP_PX &&
                (c.x < 8 || c.y < 8 || c.x > FU_LP_CROP_PX - 9 || c.y > FU_LP_CROP_PX - 9))
                for (int ch = 0; ch < 3; ch++)
                    d.edge_worst = abs(q[ch] - p[ch]) > d.edge_worst ? abs(q[ch] - p[ch]) : d.edge_worst;
            if (c.x < 120 || c.y < 120 || c.x > 392 || c.y > 392)
                continue;
            d.inside_n++;
            for (int ch = 0; ch < 3; ch++) {
                double e = q[ch] - p[ch] - shift[ch];
                d.worst[ch] = fmax(d.worst[ch], fabs(e));
                d.mean[ch] += e;
            }
        }
    for (int ch = 0; ch < 3; ch++)
        d.mean[ch] /= d.inside_n > 0 ? d.inside_n : 1;
    return d;
}

#endif
