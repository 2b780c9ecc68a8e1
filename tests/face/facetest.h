/*
 * facetest.h — helpers shared by the face tests: the independent reference
 * detections of ../shared/samples/reference-scrfd_2.5g.json, analysis params
 * that use only the models the test cache has, and exact image rotations.
 */
#ifndef FU_FACETEST_H
#define FU_FACETEST_H

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "testlib.h"

typedef struct ref_face {
    float box[4];
    facefuse_point lm[5];
} ref_face;

/* Reads the first face listed under "<image>" in the reference JSON: the 4
 * box numbers then the 10 landmark numbers, in file order. */
static inline int load_reference(const char *image, ref_face *out)
{
    FILE *f = fopen(tl_shared("samples/reference-scrfd_2.5g.json"), "rb");
    char buf[8192];
    size_t n;
    if (!f)
        return 0;
    n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    char key[128];
    snprintf(key, sizeof key, "\"%s\"", image);
    char *p = strstr(buf, key);
    if (!p || !(p = strstr(p, "box_x1y1x2y2\"")))
        return 0;
    p += strlen("box_x1y1x2y2\"");
    float v[14];
    for (int i = 0; i < 14; i++) {
        if (i == 4) {   /* skip the key "landmarks_5", whose name holds a digit */
            if (!(p = strstr(p, "landmarks_5\"")))
                return 0;
            p += strlen("landmarks_5\"");
        }
        while (*p && !(isdigit((unsigned char)*p) || *p == '-'))
            p++;
        v[i] = strtof(p, &p);
    }
    for (int i = 0; i < 4; i++)
        out->box[i] = v[i];
    for (int i = 0; i < 5; i++) {
        out->lm[i].x = v[4 + 2 * i];
        out->lm[i].y = v[5 + 2 * i];
    }
    return 1;
}

/* Detector-only analysis with a model from the test cache. */
static inline facefuse_analysis_params detector_only(const char *model)
{
    facefuse_analysis_params p = facefuse_analysis_default_params();
    p.detector_model = model;
    p.landmarker_model = NULL;
    p.landmark_5_to_68_model = NULL;
    p.recognizer_model = NULL;
    p.classifier_model = NULL;
    return p;
}

static inline float point_distance(facefuse_point a, facefuse_point b)
{
    return hypotf(a.x - b.x, a.y - b.y);
}

/* Rotates by 90° steps clockwise, exactly (a pixel permutation). A point
 * (x, y) of src goes to rotate_point(). */
static inline void rotate_image(const facefuse_image *src, facefuse_image *dst, int quarter_turns)
{
    int w = src->width, h = src->height;
    int dw = quarter_turns % 2 ? h : w, dh = quarter_turns % 2 ? w : h;
    facefuse_image_alloc(dst, dw, dh, src->channels);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            int nx, ny;
            switch (quarter_turns % 4) {
            case 1: nx = h - 1 - y; ny = x; break;
            case 2: nx = w - 1 - x; ny = h - 1 - y; break;
            case 3: nx = y; ny = w - 1 - x; break;
            default: nx = x; ny = y; break;
            }
            memcpy(fu_pixel(dst, nx, ny), fu_pixel(src, x, y), (size_t)src->channels);
        }
    }
}

static inline facefuse_point rotate_point(facefuse_point p, int w, int h, int quarter_turns)
{
    facefuse_point q = p;
    switch (quarter_turns % 4) {
    case 1: q.x = (float)(h - 1) - p.y; q.y = p.x; break;
    case 2: q.x = (float)(w - 1) - p.x; q.y = (float)(h - 1) - p.y; break;
    case 3: q.x = p.y; q.y = (float)(w - 1) - p.x; break;
    default: break;
    }
    return q;
}

#endif
