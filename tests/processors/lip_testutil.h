/*
 * lip_testutil.h — helpers (static, header-only) for the lip syncer tests:
 * a synthetic face whose landmarks are known exactly, and test frames.
 *
 * The face is drawn in ffhq_512 crop coordinates (the crop the lip syncer
 * works in): FaceFusion's ffhq_512 five points, and 68 points laid out as
 * a frontal face (jaw 0–16 on a half-ellipse, brows, nose 27–35, eyes,
 * mouth 48–67 around the template's mouth corners). lt_face places that
 * crop in the frame with a similarity (centre, frame pixels per crop pixel,
 * rotation), so the processor's own alignment finds exactly that crop.
 */
#ifndef FU_LIP_TESTUTIL_H
#define FU_LIP_TESTUTIL_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "core/geometry.h"
#include "core/image.h"
#include "testlib.h"

static inline void lt_crop_landmarks(facefuse_point p[68])
{
    for (int i = 0; i <= 16; i++) { /* jaw */
        double a = M_PI * i / 16;
        p[i] = (facefuse_point){(float)(256 - 126 * cos(a)), (float)(230 + 220 * sin(a))};
    }
    for (int i = 0; i < 5; i++) { /* brows */
        p[17 + i] = (facefuse_point){(float)(160 + 17.5 * i), (float)(205 - 8 * sin(M_PI * i / 4))};
        p[22 + i] = (facefuse_point){(float)(282 + 17.5 * i), (float)(205 - 8 * sin(M_PI * i / 4))};
    }
    for (int i = 0; i < 4; i++) /* nose bridge */
        p[27 + i] = (facefuse_point){256, (float)(245 + 18 * i)};
    for (int i = 0; i < 5; i++) /* nose bottom */
        p[31 + i] = (facefuse_point){(float)(228 + 14 * i), (float)(322 + (i == 2 ? 4 : 0))};
    for (int i = 0; i < 6; i++) { /* eyes */
        double a = 2 * M_PI * i / 6;
        p[36 + i] = (facefuse_point){(float)(193 - 22 * cos(a)), (float)(240 - 8 * sin(a))};
        p[42 + i] = (facefuse_point){(float)(319 - 22 * cos(a)), (float)(240 - 8 * sin(a))};
    }
    for (int i = 0; i < 12; i++) { /* outer lips */
        double a = 2 * M_PI * i / 12;
        p[48 + i] = (facefuse_point){(float)(257 - 56 * cos(a)), (float)(371 - 22 * sin(a))};
    }
    for (int i = 0; i < 8; i++) { /* inner lips */
        double a = 2 * M_PI * i / 8;
        p[60 + i] = (facefuse_point){(float)(257 - 40 * cos(a)), (float)(371 - 9 * sin(a))};
    }
}

/* crop → frame: frame = scale·R(angle)·(crop − 256) + centre. */
static inline facefuse_point lt_to_frame(facefuse_point c, double cx, double cy, double scale, double angle_deg)
{
    double a = angle_deg * M_PI / 180, x = c.x - 256.0, y = c.y - 256.0;
    return (facefuse_point){(float)(cx + scale * (cos(a) * x - sin(a) * y)),
                            (float)(cy + scale * (sin(a) * x + cos(a) * y))};
}

static inline facefuse_face lt_face(double cx, double cy, double scale, double angle_deg)
{
    facefuse_face f;
    facefuse_point crop68[68];
    const facefuse_point *five = fu_template("ffhq_512");
    memset(&f, 0, sizeof f);
    lt_crop_landmarks(crop68);
    for (int i = 0; i < 5; i++) {
        facefuse_point c = {five[i].x * 512, five[i].y * 512};
        f.landmark_5[i] = f.landmark_5_68[i] = lt_to_frame(c, cx, cy, scale, angle_deg);
    }
    f.box[0] = f.box[1] = 1e9f;
    f.box[2] = f.box[3] = -1e9f;
    for (int i = 0; i < 68; i++) {
        f.landmark_68[i] = lt_to_frame(crop68[i], cx, cy, scale, angle_deg);
        f.box[0] = fminf(f.box[0], f.landmark_68[i].x), f.box[1] = fminf(f.box[1], f.landmark_68[i].y);
        f.box[2] = fmaxf(f.box[2], f.landmark_68[i].x), f.box[3] = fmaxf(f.box[3], f.landmark_68[i].y);
    }
    f.has_landmark_68 = 1;
    f.detector_score = 0.9f;
    f.age_start = f.age_end = -1;
    return f;
}

/* 240×240, exactly linear in every channel: R = x + 8, G = y + 8, B = 247 − x
 * (bilinear sampling and area averaging reproduce it without error). RGBA
 * when channels is 4, alpha a byte pattern. */
static inline facefuse_image lt_gradient(int channels)
{
    facefuse_image im = {0};
    facefuse_image_alloc(&im, 240, 240, channels);
    for (int y = 0; y < 240; y++)
        for (int x = 0; x < 240; x++) {
            uint8_t *p = fu_pixel(&im, x, y);
            p[0] = (uint8_t)(x + 8), p[1] = (uint8_t)(y + 8), p[2] = (uint8_t)(247 - x);
            if (channels == 4)
                p[3] = (uint8_t)((x * 7 + y * 13) & 255);
        }
    return im;
}

static inline facefuse_image lt_uniform(uint8_t v)
{
    facefuse_image im = {0};
    facefuse_image_alloc(&im, 240, 240, 3);
    for (int y = 0; y < 240; y++)
        memset(im.data + (size_t)y * im.stride, v, 240 * 3);
    return im;
}

#endif
