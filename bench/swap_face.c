/*
 * swap_face.c — per-face cost of the face swapper, split into align (warp to
 * the crop), model (ONNX Runtime time), pixel-boost split/merge, and
 * paste-back, at pixel boost 128 and 512; prints the share of the time spent
 * outside the model.
 *
 *   bench_swap_face [TEST_MODEL_DIR]
 *
 * TEST_MODEL_DIR holds the stand-ins of tests/models (make_models.py); when
 * not given, they are generated into a temporary directory. When
 * $FACEFUSE_TEST_MODEL_DIR holds the real inswapper_128.onnx it is measured
 * too. The stand-in model is tiny, so with it the figures show the overhead
 * around the model at its worst.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"
#include "infer/ort.h"
#include "processors/swap_identity.h"
#include "processors/swap_model.h"

static void bench(facefuse_context *ctx, const char *label, int boost, facefuse_source_identity *id,
                  const facefuse_image *frame, const facefuse_face *face, int runs)
{
    fu_swapper *sw = NULL;
    fu_err err;
    float latent[FACEFUSE_EMBEDDING_MAX];
    fu_swap_timing t = {0};
    facefuse_image work = {0};

    fu_err_clear(&err);
    if (fu_swapper_open(ctx, "inswapper_128", boost, 0.3f, NULL, &sw, &err) != FACEFUSE_OK ||
        fu_swapper_latent(sw, id, face, 0.5f, latent, &err) != FACEFUSE_OK) {
        fprintf(stderr, "%s: %s\n", label, err.msg);
        fu_swapper_close(sw);
        return;
    }
    facefuse_image_alloc(&work, frame->width, frame->height, frame->channels);
    memcpy(work.data, frame->data, (size_t)frame->stride * frame->height);
    fu_swapper_swap_face(sw, &work, face, latent, NULL, &err); /* warm-up */
    int64_t ort0 = fu_ort_run_ns();
    for (int i = 0; i < runs; i++)
        if (fu_swapper_swap_face(sw, &work, face, latent, &t, &err) != FACEFUSE_OK) {
            fprintf(stderr, "%s: %s\n", label, err.msg);
            break;
        }
    double ort_ms = (fu_ort_run_ns() - ort0) / 1e6 / runs;
    double align = t.align_ns / 1e6 / runs, model = t.model_ns / 1e6 / runs, paste = t.paste_ns / 1e6 / runs;
    double total = align + model + paste, outside = total - ort_ms;
    printf("%-28s boost %4d: align %7.3f ms  model(ORT) %8.3f ms  split/merge %6.3f ms  paste %7.3f ms  "
           "total %8.3f ms  outside model %5.1f%%\n",
           label, boost, align, ort_ms, model - ort_ms, paste, total, 100 * outside / total);
    facefuse_image_free(&work);
    fu_swapper_close(sw);
}

int main(int argc, char **argv)
{
    char dir[1024], path[1200];
    fu_err err;
    facefuse_image src = {0}, target = {0};
    facefuse_source_identity *id = NULL;
    facefuse_face *faces = NULL;
    int n = 0;

    fu_err_clear(&err);
    if (bench_model_dir(argc, argv, dir, sizeof dir))
        return 1;
    facefuse_context *ctx = bench_open_context(dir);
    snprintf(path, sizeof path, "%s/recognizer512.onnx", dir);
    facefuse_register_recognizer(ctx, "recognizer512", path, 112, 0.5f, 0.5f);
    facefuse_analysis_params ap = facefuse_analysis_default_params();
    ap.detector_model = "scrfd";
    ap.landmarker_model = NULL;
    ap.landmark_5_to_68_model = NULL;
    ap.recognizer_model = "recognizer512";
    if (facefuse_image_load(ctx, FACEFUSE_SOURCE_DIR "/../shared/samples/grace_hopper.jpg", &src) != FACEFUSE_OK ||
        facefuse_image_load(ctx, FACEFUSE_SOURCE_DIR "/../shared/samples/astronaut.png", &target) != FACEFUSE_OK ||
        facefuse_source_identity_from_images(ctx, &src, 1, &ap, &id) != FACEFUSE_OK ||
        facefuse_detect_faces(ctx, &target, &ap, &faces, &n) != FACEFUSE_OK || n == 0) {
        fprintf(stderr, "setup failed: %s\n", facefuse_context_errmsg(ctx));
        return 1;
    }
    printf("target %dx%d, face box %.0fx%.0f px, ONNX Runtime %s, 2 intra-op threads\n", target.width,
           target.height, faces[0].box[2] - faces[0].box[0], faces[0].box[3] - faces[0].box[1], fu_ort_version());
    bench(ctx, "stand-in inswapper_128", 128, id, &target, &faces[0], 200);
    bench(ctx, "stand-in inswapper_128", 512, id, &target, &faces[0], 20);

    const char *real = getenv("FACEFUSE_TEST_MODEL_DIR");
    snprintf(path, sizeof path, "%s/inswapper_128.onnx", real ? real : "");
    if (real && access(path, R_OK) == 0) {
        facefuse_context *real_ctx = bench_open_context(real);
        bench(real_ctx, "real inswapper_128", 128, id, &target, &faces[0], 5);
        bench(real_ctx, "real inswapper_128", 512, id, &target, &faces[0], 2);
        facefuse_context_free(real_ctx);
    } else {
        printf("real inswapper_128: not measured (no $FACEFUSE_TEST_MODEL_DIR/inswapper_128.onnx)\n");
    }
    facefuse_faces_free(faces);
    facefuse_source_identity_free(id);
    facefuse_image_free(&src);
    facefuse_image_free(&target);
    facefuse_context_free(ctx);
    return 0;
}
