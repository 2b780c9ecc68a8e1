/*
 * crop_testutil.h — helpers (static, header-only) for the tests of the
 * face-crop processors (age modifier, deep swapper): a smooth synthetic
 * frame, on which resampling a crop up or down and back loses well under a
 * level, so "a stand-in that returns its input gives the frame back"
 * holds to ±1 while any misplaced pixel shows (the frame changes by about
 * 2.5 levels a pixel); a synthetic face whose 5 landmarks are the ffhq_512
 * template scaled into the frame; and the frame comparison itself.
 */
#ifndef FU_CROP_TESTUTIL_H
#define FU_CROP_TESTUTIL_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/geometry.h"
#include "core/image.h"
#include "processors/paste.h"
#include "testlib.h"

/* Three sinusoids of 150–210 px periods around mid-grey. */
static inline facefuse_image ct_smooth_frame(int w, int h, int channels)
{
    facefuse_image im = {0};
    facefuse_image_alloc(&im, w, h, channels);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *p = fu_pixel(&im, x, y);
            p[0] = (uint8_t)lround(120 + 60 * sin(2 * M_PI * x / 160.0));
            p[1] = (uint8_t)lround(130 + 50 * cos(2 * M_PI * y / 150.0));
            p[2] = (uint8_t)lround(110 + 40 * sin(2 * M_PI * (x + y) / 210.0));
            if (channels == 4)
                p[3] = (uint8_t)(x * 7 + y);
        }
    return im;
}

/* A face whose 5 landmarks are the ffhq_512 template, eyes eye_px apart,
 * their midpoint at (cx, cy); age [age_start, age_end) (−1: unknown). */
static inline facefuse_face ct_face(float cx, float cy, float eye_px, int age_start, int age_end)
{
    facefuse_face f;
    const facefuse_point *t = fu_template("ffhq_512");
    const float mx = (t[0].x + t[1].x) / 2, my = (t[0].y + t[1].y) / 2, k = eye_px / (t[1].x - t[0].x);
    memset(&f, 0, sizeof f);
    for (int i = 0; i < 5; i++) {
        f.landmark_5[i].x = cx + (t[i].x - mx) * k;
        f.landmark_5[i].y = cy + (t[i].y - my) * k;
        f.landmark_5_68[i] = f.landmark_5[i];
    }
    f.box[0] = cx - eye_px, f.box[1] = cy - eye_px, f.box[2] = cx + eye_px, f.box[3] = cy + 2 * eye_px;
    f.detector_score = 0.9f;
    f.gender = FACEFUSE_GENDER_UNKNOWN;
    f.race = FACEFUSE_RACE_UNKNOWN;
    f.age_start = age_start, f.age_end = age_end;
    return f;
}

/* Compares out with in: *outside counts values that differ outside the
 * paste rectangle of a size-px crop aligned by a (frame → crop), *worst is
 * the largest difference inside it, *changed how many values differ at all.
 * Alpha (a fourth channel) must be untouched everywhere: counted in *outside. */
static inline void ct_compare(const facefuse_image *in, const facefuse_image *out, int size, const fu_affine *a,
                              int *outside, int *worst, int *changed)
{
    int r[4];
    fu_paste_rect(in->width, in->height, size, a, r);
    *outside = *worst = *changed = 0;
    for (int y = 0; y < in->height; y++)
        for (int x = 0; x < in->width; x++) {
            int inside = x >= r[0] && x < r[2] && y >= r[1] && y < r[3];
            for (int c = 0; c < in->channels; c++) {
                int d = abs(fu_pixel(in, x, y)[c] - fu_pixel(out, x, y)[c]);
                *changed += d != 0;
                if (!inside || c == 3)
                    *outside += d != 0;
                else if (d > *worst)
                    *worst = d;
            }
        }
}

#endif
