/*
 * swap_testutil.h — helpers (static, header-only) shared by the face swapper
 * tests: private model directories that put a stand-in under the name
 * "inswapper_128.onnx", contexts with the 512-d test recognizer, the
 * analysis settings the tests use (scrfd, no optional landmark models), the
 * stand-in emap formula, image rotation and side-by-side composition.
 */
#ifndef FU_SWAP_TESTUTIL_H
#define FU_SWAP_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"

#define ST_RECOGNIZER "recognizer512"

/* EMAP[i, j] of tests/models/gen_swapper.py. */
static inline float st_emap(int i, int j)
{
    return (float)((((long long)7919 * i + (long long)104729 * j) % 1000 - 500) / 4096.0);
}

/* W[i, c] of gen_swapper.py: s = source @ W. */
static inline float st_w(int i, int c)
{
    return (float)(((31 * i + 17 * c) % 13 - 6) / 256.0);
}

static inline facefuse_analysis_params st_analysis(const char *recognizer)
{
    facefuse_analysis_params p = facefuse_analysis_default_params();
    p.detector_model = "scrfd";
    p.landmarker_model = NULL;
    p.landmark_5_to_68_model = NULL;
    p.recognizer_model = recognizer;
    return p;
}

static inline void st_register(facefuse_context *ctx)
{
    if (facefuse_register_recognizer(ctx, ST_RECOGNIZER, tl_test_models("recognizer512.onnx"), 112, 0.5f, 0.5f) !=
        FACEFUSE_OK) {
        fprintf(stderr, "cannot register the test recognizer\n");
        exit(2);
    }
}

/* A context whose model dir is a fresh directory `name` under the test's tmp
 * dir holding scrfd and `stand_in` linked as inswapper_128.onnx. */
static inline facefuse_context *st_context_with(const char *name, const char *stand_in)
{
    facefuse_context *ctx = tl_context_at(tl_model_dir_with(name, "inswapper_128.onnx", stand_in), FACEFUSE_LOG_WARN);
    st_register(ctx);
    return ctx;
}

/* The image turned 90° counter-clockwise: out(x, y) = in(w − 1 − y, x). */
static inline facefuse_image st_rotate90(const facefuse_image *in)
{
    facefuse_image out = {0};
    facefuse_image_alloc(&out, in->height, in->width, in->channels);
    for (int y = 0; y < out.height; y++)
        for (int x = 0; x < out.width; x++)
            memcpy(out.data + (size_t)y * out.stride + (size_t)x * out.channels,
                   in->data + (size_t)x * in->stride + (size_t)(in->width - 1 - y) * in->channels,
                   (size_t)in->channels);
    return out;
}

/* a and b side by side on a mid-grey canvas (3 channels each). */
static inline facefuse_image st_side_by_side(const facefuse_image *a, const facefuse_image *b)
{
    facefuse_image out = {0};
    int h = a->height > b->height ? a->height : b->height;
    facefuse_image_alloc(&out, a->width + b->width, h, 3);
    memset(out.data, 128, (size_t)out.stride * h);
    for (int y = 0; y < a->height; y++)
        memcpy(out.data + (size_t)y * out.stride, a->data + (size_t)y * a->stride, (size_t)a->width * 3);
    for (int y = 0; y < b->height; y++)
        memcpy(out.data + (size_t)y * out.stride + (size_t)a->width * 3, b->data + (size_t)y * b->stride,
               (size_t)b->width * 3);
    return out;
}

static inline facefuse_image st_copy(const facefuse_image *in)
{
    facefuse_image out = {0};
    facefuse_image_alloc(&out, in->width, in->height, in->channels);
    for (int y = 0; y < in->height; y++)
        memcpy(out.data + (size_t)y * out.stride, in->data + (size_t)y * in->stride, (size_t)in->width * in->channels);
    return out;
}

/* The largest face of faces[0..n). */
static inline const facefuse_face *st_largest(const facefuse_face *faces, int n)
{
    const facefuse_face *best = NULL;
    float best_area = -1;
    for (int i = 0; i < n; i++) {
        float area = (faces[i].box[2] - faces[i].box[0]) * (faces[i].box[3] - faces[i].box[1]);
        if (area > best_area) {
            best_area = area;
            best = &faces[i];
        }
    }
    return best;
}

#endif
