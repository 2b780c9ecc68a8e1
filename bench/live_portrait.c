/*
 * live_portrait.c — per-face cost of the expression restorer and the face
 * editor (LivePortrait): crop and warp (two or one 512² warps, the 2×2
 * shrink to 256², masks), models, paste-back, at FaceFusion's sizes.
 *
 *   bench_live_portrait [--flops] [TEST_MODEL_DIR]
 *
 * TEST_MODEL_DIR holds the test stand-ins (make_models.py; generated into a
 * temporary directory when not given): trivial graphs, so "model" is mostly
 * tensor traffic and the figures show the cost around the networks.
 * --flops swaps in bench/live_portrait_flops.py's stand-ins for the feature
 * extractor, motion extractor and generator, whose compute matches the
 * real networks' (32 + 5.8 + 620 GMAC), so the share outside the model is
 * the one a CPU run of the real models would see.
 *
 * Stage figures are wall-clock, the best of the runs (the machine may be
 * shared); the building blocks are also timed in thread CPU time, which
 * other processes disturb less.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"
#include "infer/ort.h"
#include "processors/expression_restorer.h"
#include "processors/face_editor.h"
#include "processors/mask.h"
#include "processors/paste.h"

/* The fastest of the runs, per stage: the machine is shared, and the
 * minimum is the figure least disturbed by other processes. */
typedef struct best {
    double crop, model, ort, paste;
    int runs;
} best;

static void best_add(best *b, const fu_lp_timing *t, int64_t ort_ns)
{
    double crop = t->crop_ns / 1e6, model = t->model_ns / 1e6, paste = t->paste_ns / 1e6, ort = ort_ns / 1e6;
    if (!b->runs || crop < b->crop)
        b->crop = crop;
    if (!b->runs || model < b->model)
        b->model = model;
    if (!b->runs || paste < b->paste)
        b->paste = paste;
    if (!b->runs || ort < b->ort)
        b->ort = ort;
    b->runs++;
}

static void report(const char *label, const best *b)
{
    double total = b->crop + b->model + b->paste;
    printf("%-36s crop+warp %6.2f  model %9.2f (ORT %9.2f)  paste %6.2f  total %9.2f ms;"
           " outside the model %5.2f%%, outside ORT %5.2f%%  (best of %d)\n",
           label, b->crop, b->model, b->ort, b->paste, total, 100 * (b->crop + b->paste) / total,
           100 * (total - b->ort) / total, b->runs);
}

static void bench_restorer(facefuse_context *ctx, const facefuse_image *frame, const facefuse_face *face, int runs,
                           int warm)
{
    fu_expression_restorer_settings s = fu_expression_restorer_default_settings();
    fu_expression_restorer *er = NULL;
    best b = {0};
    fu_err err;
    facefuse_image work = {0}, original = {0};
    if (fu_expression_restorer_open(ctx, &s, NULL, &er, &err) != FACEFUSE_OK) {
        fprintf(stderr, "expression restorer: %s\n", err.msg);
        return;
    }
    facefuse_image_alloc(&work, frame->width, frame->height, frame->channels);
    facefuse_image_alloc(&original, frame->width, frame->height, frame->channels);
    memcpy(work.data, frame->data, (size_t)frame->stride * frame->height);
    memcpy(original.data, frame->data, (size_t)frame->stride * frame->height);
    if (warm)
        fu_expression_restorer_face(er, &original, face, &work, face, NULL, &err);
    for (int i = 0; i < runs; i++) {
        fu_lp_timing t = {0};
        int64_t ort0 = fu_ort_run_ns();
        if (fu_expression_restorer_face(er, &original, face, &work, face, &t, &err) != FACEFUSE_OK) {
            fprintf(stderr, "expression restorer: %s\n", err.msg);
            break;
        }
        best_add(&b, &t, fu_ort_run_ns() - ort0);
    }
    report("expression restorer (factor 80)", &b);
    fu_expression_restorer_close(er);
    facefuse_image_free(&work);
    facefuse_image_free(&original);
}

static void bench_editor(facefuse_context *ctx, const facefuse_image *frame, const facefuse_face *face, int runs,
                         int warm)
{
    fu_face_editor_settings s = fu_face_editor_default_settings();
    fu_face_editor *fe = NULL;
    best b = {0};
    fu_err err;
    facefuse_image work = {0};
    s.mouth_smile = 0.5f;
    s.eye_open_ratio = 0.3f;
    s.lip_open_ratio = -0.2f;
    s.head_yaw = 0.1f;
    if (fu_face_editor_open(ctx, &s, &fe, &err) != FACEFUSE_OK) {
        fprintf(stderr, "face editor: %s\n", err.msg);
        return;
    }
    facefuse_image_alloc(&work, frame->width, frame->height, frame->channels);
    memcpy(work.data, frame->data, (size_t)frame->stride * frame->height);
    if (warm)
        fu_face_editor_face(fe, &work, face, NULL, &err);
    for (int i = 0; i < runs; i++) {
        fu_lp_timing t = {0};
        int64_t ort0 = fu_ort_run_ns();
        if (fu_face_editor_face(fe, &work, face, &t, &err) != FACEFUSE_OK) {
            fprintf(stderr, "face editor: %s\n", err.msg);
            break;
        }
        best_add(&b, &t, fu_ort_run_ns() - ort0);
    }
    report("face editor (smile, eyes, lip, yaw)", &b);
    fu_face_editor_close(fe);
    facefuse_image_free(&work);
}

static double cpu_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* The non-model steps one at a time, in thread CPU time per call. */
static void bench_blocks(const facefuse_image *frame, const facefuse_face *face)
{
    static const int no_padding[4] = {0, 0, 0, 0};
    const int runs = 20;
    facefuse_image crop = {0}, work = {0};
    facefuse_point lm5[5];
    float *input = malloc(sizeof(float) * 3 * FU_LP_INPUT_PX * FU_LP_INPUT_PX);
    float *rgb = malloc(sizeof(float) * 3 * FU_LP_CROP_PX * FU_LP_CROP_PX), *box = NULL;
    fu_err err;
    facefuse_image_alloc(&crop, FU_LP_CROP_PX, FU_LP_CROP_PX, 3);
    facefuse_image_alloc(&work, frame->width, frame->height, frame->channels);
    memcpy(work.data, frame->data, (size_t)frame->stride * frame->height);
    fu_box_mask(FU_LP_CROP_PX, 0.3f, no_padding, &box, &err);
    fu_affine er = fu_align_to_template(face->landmark_5_68, "arcface_128", FU_LP_CROP_PX);
    fu_face_editor_landmarks(face->landmark_5_68, lm5);
    fu_affine fe = fu_align_to_template(lm5, "ffhq_512", FU_LP_CROP_PX);
    for (int i = 0; i < 3 * FU_LP_CROP_PX * FU_LP_CROP_PX; i++)
        rgb[i] = (float)(i % 255);
    double t0 = cpu_ms();
    for (int i = 0; i < runs; i++)
        fu_warp_affine(frame, &crop, &er, FU_BORDER_REPLICATE);
    double t1 = cpu_ms();
    for (int i = 0; i < runs; i++)
        fu_warp_affine(frame, &crop, &fe, FU_BORDER_REPLICATE);
    double t2 = cpu_ms();
    for (int i = 0; i < runs; i++)
        fu_lp_prepare(&crop, input);
    double t3 = cpu_ms();
    for (int i = 0; i < runs; i++)
        fu_paste_back(&work, rgb, box, FU_LP_CROP_PX, &er);
    double t4 = cpu_ms();
    printf("building blocks (thread CPU ms per call): warp 512² arcface_128 %.2f, warp 512² ffhq_512 ×1.5 %.2f, "
           "2×2 shrink + RGB/255 NCHW %.2f, paste-back %.2f\n", (t1 - t0) / runs, (t2 - t1) / runs,
           (t3 - t2) / runs, (t4 - t3) / runs);
    facefuse_image_free(&crop);
    facefuse_image_free(&work);
    free(input), free(rgb), free(box);
}

/* A directory with the FLOP-matched heavy models and the stand-in retargeters and stitcher. */
static int flops_dir(const char *standins, char *dir, size_t size)
{
    static const char *const small[] = {"live_portrait_eye_retargeter.onnx", "live_portrait_lip_retargeter.onnx",
                                        "live_portrait_stitcher.onnx"};
    char cmd[2400], from[1400], to[1400];
    snprintf(dir, size, "/tmp/facefuse-bench-flops-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s/bench/live_portrait_flops.py' '%s'", FACEFUSE_SOURCE_DIR, dir);
    if (system(cmd) != 0)
        return 1;
    for (size_t i = 0; i < sizeof small / sizeof small[0]; i++) {
        snprintf(from, sizeof from, "%s/%s", standins, small[i]);
        snprintf(to, sizeof to, "%s/%s", dir, small[i]);
        if (symlink(from, to) != 0)
            return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    char dir[1024], heavy[1024];
    facefuse_image target = {0};
    facefuse_face *faces = NULL;
    int n = 0, flops = argc > 1 && strcmp(argv[1], "--flops") == 0;

    if (flops)
        argc--, argv++;
    if (bench_model_dir(argc, argv, dir, sizeof dir))
        return 1;
    facefuse_context *ctx = bench_open_context(dir);
    facefuse_analysis_params ap = facefuse_analysis_default_params();
    ap.detector_model = "scrfd";
    ap.landmarker_model = NULL;
    ap.landmark_5_to_68_model = NULL;
    ap.recognizer_model = NULL;
    if (facefuse_image_load(ctx, FACEFUSE_SOURCE_DIR "/../shared/samples/astronaut.png", &target) != FACEFUSE_OK ||
        facefuse_detect_faces(ctx, &target, &ap, &faces, &n) != FACEFUSE_OK || n == 0) {
        fprintf(stderr, "setup failed: %s\n", facefuse_context_errmsg(ctx));
        return 1;
    }
    printf("target %dx%d, face box %.0fx%.0f px, crop 512x512 -> 256x256, ONNX Runtime %s, 2 intra-op threads, "
           "per face\n", target.width, target.height, faces[0].box[2] - faces[0].box[0],
           faces[0].box[3] - faces[0].box[1], fu_ort_version());
    if (!flops) {
        bench_blocks(&target, &faces[0]);
        printf("stand-in models (trivial graphs)\n");
        bench_restorer(ctx, &target, &faces[0], 30, 1);
        bench_editor(ctx, &target, &faces[0], 30, 1);
    } else {
        if (flops_dir(dir, heavy, sizeof heavy)) {
            fprintf(stderr, "could not build the FLOP-matched stand-ins\n");
            return 1;
        }
        facefuse_context *hctx = bench_open_context(heavy);
        printf("FLOP-matched stand-ins in %s (after a warm-up)\n", heavy);
        bench_restorer(hctx, &target, &faces[0], 2, 1);
        bench_editor(hctx, &target, &faces[0], 2, 1);
        facefuse_context_free(hctx);
        char cmd[1100];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", heavy); /* 27 MB of generated models */
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", heavy);
    }
    facefuse_faces_free(faces);
    facefuse_image_free(&target);
    facefuse_context_free(ctx);
    return 0;
}
