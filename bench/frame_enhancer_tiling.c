/*
 * frame_enhancer_tiling.c — how much of frame enhancement is ours (tiling,
 * tensor fill, stitching, blending) and how much is the model (time inside
 * OrtRun, fu_ort_run_ns), on a 1920×1080 frame with the real_esrgan_x4
 * stand-in of the test models (an exact nearest-neighbour ×4, so the model
 * part is nearly free and our share is as large as it will ever be).
 *
 * Usage: bench_frame_enhancer_tiling MODEL_DIR [runs]
 * MODEL_DIR holds real_esrgan_x4.onnx (make_models.py writes one into
 * <build>/test-models); a real model there gives the real split.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/image.h"
#include "infer/context.h"
#include "processors/frame_enhancer.h"

static int run(fu_session *s, const fu_tile_config *tc, const facefuse_image *in, int blend, int runs)
{
    double total = 0;
    int64_t ort = 0;
    fu_frame_enhance_stats sum = {0};
    for (int r = 0; r < runs; r++) {
        facefuse_image out;
        fu_err err;
        fu_frame_enhance_stats stats = {0};
        int64_t ort0 = fu_ort_run_ns();
        double t0 = (fu_now_ns() / 1e6);
        if (fu_frame_enhance(s, tc, in, blend, &out, &stats, &err) != FACEFUSE_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        total += (fu_now_ns() / 1e6) - t0;
        ort += fu_ort_run_ns() - ort0;
        sum.tiles += stats.tiles, sum.fill_ns += stats.fill_ns, sum.run_ns += stats.run_ns;
        sum.store_ns += stats.store_ns;
        facefuse_image_free(&out);
    }
    double model_ms = ort / 1e6 / runs, all_ms = total / runs, ours_ms = all_ms - model_ms;
    int tiles = sum.tiles / runs;
    printf("%s 1920x1080 -> %dx%d, blend %3d: %.1f ms a frame, model %.1f ms, ours %.1f ms "
           "(%.1f %% outside the model; %.2f ms a tile over %d tiles)\n",
           tc->model, 1920 * tc->scale, 1080 * tc->scale, blend, all_ms, model_ms, ours_ms,
           100.0 * ours_ms / all_ms, ours_ms / tiles, tiles);
    printf("    a frame: tensor fill %.1f ms, fu_session_run %.1f ms (of which OrtRun %.1f), "
           "stitch %.1f ms, rest (output allocation, resize, blend) %.1f ms\n",
           sum.fill_ns / 1e6 / runs, sum.run_ns / 1e6 / runs, model_ms, sum.store_ns / 1e6 / runs,
           all_ms - (sum.fill_ns + sum.run_ns + sum.store_ns) / 1e6 / runs);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s MODEL_DIR [runs]\n", argv[0]);
        return 2;
    }
    int runs = argc > 2 && atoi(argv[2]) > 0 ? atoi(argv[2]) : 5;
    facefuse_context_params p = facefuse_context_default_params();
    p.model_dir = argv[1];
    p.allow_download = 0;
    p.log_level = FACEFUSE_LOG_ERROR;
    p.execution_thread_count = 2;
    facefuse_context *ctx;
    if (facefuse_context_new(&p, &ctx) != FACEFUSE_OK)
        return 1;
    fu_session *s;
    fu_err err;
    if (fu_context_session(ctx, "real_esrgan_x4", &s, NULL, &err) != FACEFUSE_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    facefuse_image in;
    if (facefuse_image_alloc(&in, 1920, 1080, 3) != FACEFUSE_OK)
        return 1;
    for (size_t i = 0; i < (size_t)in.stride * in.height; i++)
        in.data[i] = (uint8_t)(i * 31 + i / 5791);
    const fu_tile_config *tc = fu_frame_enhancer_config("real_esrgan_x4");
    int rc = run(s, tc, &in, 100, runs) || run(s, tc, &in, 80, runs);
    facefuse_image_free(&in);
    facefuse_context_free(ctx);
    return rc;
}
