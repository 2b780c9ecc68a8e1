/*
 * enhance_testutil.h — helpers (static, header-only) for the face enhancer,
 * mask and blend tests: private model directories holding chosen stand-ins
 * under FaceFusion's file names, the largest face of a sample image found
 * with scrfd and no optional landmark models.
 */
#ifndef FU_ENHANCE_TESTUTIL_H
#define FU_ENHANCE_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"

/* A fresh directory `name` under the test's tmp dir; links[] holds pairs
 * (stand-in file in the test model cache, name in the directory), NULL
 * terminated. scrfd is always linked. Returns the directory (static). */
static inline const char *et_model_dir(const char *name, const char *const *links)
{
    static char dir[1024];
    char link_path[1200];
    snprintf(dir, sizeof dir, "%s", tl_tmp(name));
    mkdir(dir, 0755);
    snprintf(link_path, sizeof link_path, "%s/scrfd_2.5g.onnx", dir);
    if (symlink(tl_test_models("scrfd_2.5g.onnx"), link_path) != 0)
        perror("symlink");
    for (int i = 0; links && links[i]; i += 2) {
        snprintf(link_path, sizeof link_path, "%s/%s", dir, links[i + 1]);
        if (symlink(tl_test_models(links[i]), link_path) != 0)
            perror("symlink");
    }
    return dir;
}

static inline facefuse_context *et_context(const char *dir)
{
    facefuse_context_params p = facefuse_context_default_params();
    facefuse_context *ctx = NULL;
    p.model_dir = dir;
    p.allow_download = 0;
    p.log_level = FACEFUSE_LOG_ERROR;
    if (facefuse_context_new(&p, &ctx) != FACEFUSE_OK) {
        fprintf(stderr, "cannot create context\n");
        exit(2);
    }
    return ctx;
}

/* The largest face of im (scrfd, no landmarker, no recognizer); exits if none. */
static inline facefuse_face et_largest_face(facefuse_context *ctx, const facefuse_image *im)
{
    facefuse_analysis_params p = facefuse_analysis_default_params();
    facefuse_face *faces = NULL, best;
    int n = 0, k = 0;
    p.detector_model = "scrfd";
    p.landmarker_model = NULL;
    p.landmark_5_to_68_model = NULL;
    p.recognizer_model = NULL;
    if (facefuse_detect_faces(ctx, im, &p, &faces, &n) != FACEFUSE_OK || n == 0) {
        fprintf(stderr, "no face: %s\n", facefuse_context_errmsg(ctx));
        exit(2);
    }
    for (int i = 1; i < n; i++)
        if ((faces[i].box[2] - faces[i].box[0]) > (faces[k].box[2] - faces[k].box[0]))
            k = i;
    best = faces[k];
    facefuse_faces_free(faces);
    return best;
}

static inline facefuse_image et_load(facefuse_context *ctx, const char *rel)
{
    facefuse_image im = {0};
    if (facefuse_image_load(ctx, tl_shared(rel), &im) != FACEFUSE_OK) {
        fprintf(stderr, "cannot load %s: %s\n", rel, facefuse_context_errmsg(ctx));
        exit(2);
    }
    return im;
}

static inline facefuse_image et_copy(const facefuse_image *in)
{
    facefuse_image out = {0};
    facefuse_image_alloc(&out, in->width, in->height, in->channels);
    for (int y = 0; y < in->height; y++)
        for (int x = 0; x < in->width * in->channels; x++)
            out.data[(size_t)y * out.stride + x] = in->data[(size_t)y * in->stride + x];
    return out;
}

#endif
