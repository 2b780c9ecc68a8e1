/*
 * analyse_photo.c — per-stage milliseconds of face analysis on a 1080p photo
 * (decode, detect, landmarks, embed, total) and the share of wall time spent
 * outside ONNX Runtime's Run calls.
 *
 *   bench_analyse_photo [MODEL_DIR] [RUNS]
 *
 * The photo is made once: the two shared portraits on a 1920×1080 canvas,
 * written as a JPEG (so decode is measured on a real file). Detection is
 * SCRFD-2.5G at 640; landmarks are 2dfan4/fan_68_5 when the model dir has
 * them (skipped otherwise); the embedder is arcface_w600k_r50 when present,
 * else the shipped 128-d mobilefacenet. Threads: ORT's intra-op pool on all
 * cores (2 here).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/file.h"
#include "core/geometry.h"
#include "core/image.h"
#include "face/analyse.h"
#include "infer/context.h"
#include "infer/ort.h"
#include "media/image_io.h"

static void paste(facefuse_image *dst, const facefuse_image *src, int x0, int y0)
{
    for (int y = 0; y < src->height; y++)
        memcpy(fu_pixel(dst, x0, y0 + y), fu_pixel(src, 0, y), (size_t)src->width * 3);
}

static int make_photo(const char *path)
{
    facefuse_image canvas = {0}, a = {0}, g = {0};
    fu_err err;
    if (fu_image_read(FACEFUSE_SOURCE_DIR "/../shared/samples/astronaut.png", &a, &err) ||
        fu_image_read(FACEFUSE_SOURCE_DIR "/../shared/samples/grace_hopper.jpg", &g, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    facefuse_image_alloc(&canvas, 1920, 1080, 3);
    for (int y = 0; y < 1080; y++)
        for (int x = 0; x < 1920; x++) {
            uint8_t *p = fu_pixel(&canvas, x, y);
            p[0] = (uint8_t)(x / 8);
            p[1] = (uint8_t)(y / 5);
            p[2] = 128;
        }
    paste(&canvas, &a, 200, 300);
    paste(&canvas, &g, 1100, 250);
    int rc = fu_image_write(path, &canvas, 90, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    facefuse_image_free(&canvas);
    facefuse_image_free(&a);
    facefuse_image_free(&g);
    return rc;
}

int main(int argc, char **argv)
{
    const char *model_dir = argc > 1 ? argv[1] : NULL;
    int runs = argc > 2 ? atoi(argv[2]) : 10;
    const char *photo = "/tmp/facefuse-bench-1080p.jpg";
    facefuse_context_params cp = facefuse_context_default_params();
    facefuse_context *ctx;
    char path[PATH_MAX + 64];
    fu_err err;

    cp.model_dir = model_dir;
    cp.allow_download = 0;
    cp.log_level = FACEFUSE_LOG_ERROR;
    if (make_photo(photo) || facefuse_context_new(&cp, &ctx) != FACEFUSE_OK)
        return 1;
    facefuse_analysis_params p = facefuse_analysis_default_params();
    p.detector_model = "scrfd";
    p.detector_size = 640;
    snprintf(path, sizeof path, "%s/2dfan4.onnx", ctx->store.dir);
    p.landmarker_model = fu_file_exists(path) ? "2dfan4" : NULL;
    snprintf(path, sizeof path, "%s/fan_68_5.onnx", ctx->store.dir);
    p.landmark_5_to_68_model = fu_file_exists(path) ? "fan_68_5" : NULL;
    snprintf(path, sizeof path, "%s/arcface_w600k_r50.onnx", ctx->store.dir);
    if (fu_file_exists(path)) {
        p.recognizer_model = "arcface_w600k_r50";
    } else {
        snprintf(path, sizeof path, "%s/mobilefacenet.onnx", ctx->store.dir);
        facefuse_register_recognizer(ctx, "mobilefacenet", path, 112, 0.5f, 0.5f);
        p.recognizer_model = "mobilefacenet";
    }
    printf("1080p photo, SCRFD-2.5G @640, landmarks: %s%s%s, embedder: %s, %d runs (first run warms up)\n",
           p.landmarker_model ? p.landmarker_model : "-", p.landmark_5_to_68_model ? " + " : "",
           p.landmark_5_to_68_model ? p.landmark_5_to_68_model : "", p.recognizer_model, runs);

    double t_analysis = 0, t_decode = 0, t_detect = 0, t_land = 0, t_embed = 0, t_total = 0;
    int64_t ort_total = 0, faces_total = 0;
    for (int r = 0; r <= runs; r++) {
        facefuse_image img = {0};
        fu_detection *dets = NULL;
        int n = 0;
        double t0 = (fu_now_ns() / 1e6);
        if (fu_image_read(photo, &img, &err) != FACEFUSE_OK)
            return 1;
        int64_t ort0 = fu_ort_run_ns();
        double t1 = (fu_now_ns() / 1e6);
        if (fu_detect_faces(ctx, &img, &p, &dets, &n, &err) != FACEFUSE_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        double t2 = (fu_now_ns() / 1e6), t3 = t2;
        facefuse_analysis_params lp = p;
        lp.recognizer_model = NULL;
        facefuse_face face;
        double land = 0, embed = 0;
        for (int i = 0; i < n; i++) {
            double a = (fu_now_ns() / 1e6);
            fu_analyse_face(ctx, &img, &lp, &dets[i], &face, &err);
            double b = (fu_now_ns() / 1e6);
            fu_embed_face(ctx, &img, p.recognizer_model, &face, &err);
            t3 = (fu_now_ns() / 1e6);
            land += b - a;
            embed += t3 - b;
        }
        int64_t ort1 = fu_ort_run_ns();
        if (r > 0) {
            t_decode += t1 - t0;
            t_detect += t2 - t1;
            t_land += land;
            t_embed += embed;
            t_total += t3 - t0;
            t_analysis += t3 - t1;
            ort_total += ort1 - ort0;
            faces_total += n;
        }
        free(dets);
        facefuse_image_free(&img);
    }
    double total = t_total / runs;
    double ort_ms = ort_total / 1e6 / runs, analysis = t_analysis / runs;
    printf("faces per photo: %.1f\n", (double)faces_total / runs);
    printf("decode    %7.2f ms\n", t_decode / runs);
    printf("detect    %7.2f ms\n", t_detect / runs);
    printf("landmarks %7.2f ms\n", t_land / runs);
    printf("embed     %7.2f ms\n", t_embed / runs);
    printf("total     %7.2f ms\n", total);
    printf("inside ORT Run: %.2f ms\n", ort_ms);
    printf("share of analysis time (detect+landmarks+embed) outside ORT Run: %.1f %%\n",
           100.0 * (1.0 - ort_ms / analysis));
    printf("share of total time (with JPEG decode) outside ORT Run: %.1f %%\n", 100.0 * (1.0 - ort_ms / total));
    facefuse_context_free(ctx);
    return 0;
}
