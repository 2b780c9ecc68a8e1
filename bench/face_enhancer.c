/*
 * face_enhancer.c — per-face cost of the face enhancer (align + masks
 * before the model, model, paste-back, whole-frame blend) and of what the
 * mask and blend options add to a face swap (occlusion, region, colour
 * match, Poisson), with the stand-in models of tests/models.
 *
 *   bench_face_enhancer [TEST_MODEL_DIR]
 *
 * TEST_MODEL_DIR holds the stand-ins (make_models.py); when not given they
 * are generated into a temporary directory. The stand-ins are trivial
 * graphs, so "model" is mostly tensor traffic: the figures show the cost
 * around the real networks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"
#include "infer/ort.h"
#include "processors/face_enhancer.h"
#include "pipeline/config.h"
#include "processors/face_masker.h"
#include "processors/swap_model.h"

static facefuse_image copy_of(const facefuse_image *in)
{
    facefuse_image out = {0};
    facefuse_image_alloc(&out, in->width, in->height, in->channels);
    memcpy(out.data, in->data, (size_t)in->stride * in->height);
    return out;
}

static void bench_enhancer(facefuse_context *ctx, const char *model, const facefuse_image *frame,
                           const facefuse_face *face, int runs)
{
    fu_face_enhancer *fe = NULL;
    fu_enhance_timing t = {0};
    fu_err err;
    facefuse_image work = copy_of(frame);
    if (fu_face_enhancer_open(ctx, model, 0.3f, 0.5f, NULL, &fe, &err) != FACEFUSE_OK) {
        fprintf(stderr, "%s: %s\n", model, err.msg);
        return;
    }
    fu_face_enhancer_enhance_face(fe, &work, face, 80, NULL, &err); /* warm-up */
    int64_t ort0 = fu_ort_run_ns();
    for (int i = 0; i < runs; i++)
        fu_face_enhancer_enhance_face(fe, &work, face, 80, &t, &err);
    double ort = (fu_ort_run_ns() - ort0) / 1e6 / runs, align = t.align_ns / 1e6 / runs;
    double model_ms = t.model_ns / 1e6 / runs, paste = t.paste_ns / 1e6 / runs, blend = t.blend_ns / 1e6 / runs;
    printf("face enhancer %-12s %d px: align %6.3f  model %7.3f (ORT %7.3f)  paste %6.3f  blend %6.3f  total %7.3f ms\n",
           model, fu_face_enhancer_size(fe), align, model_ms, ort, paste, blend, align + model_ms + paste + blend);
    fu_face_enhancer_close(fe);
    facefuse_image_free(&work);
}

static void bench_swap(facefuse_context *ctx, const char *label, const char *types, fu_color_match_mode color,
                       fu_blend_mode blend, int boost, const facefuse_image *frame, const facefuse_face *face, int runs)
{
    static const float zero_latent[512];
    fu_optset set;
    fu_run_config cfg;
    fu_face_masker *m = NULL;
    fu_swapper *sw = NULL;
    fu_swap_timing t = {0};
    fu_err err;
    char words[64], *argv[8] = {"--face-mask-types"};
    int argc = 1;
    snprintf(words, sizeof words, "%s", types);
    for (char *save = NULL, *w = strtok_r(words, " ", &save); w && argc < 8; w = strtok_r(NULL, " ", &save))
        argv[argc++] = w;
    if (fu_run_config_from_args(&set, &cfg, argc, argv, &err) != FACEFUSE_OK ||
        fu_face_masker_open(ctx, &cfg.masker, &m, &err) != FACEFUSE_OK ||
        fu_swapper_open(ctx, "inswapper_128", boost, 0.3f, NULL, &sw, &err) != FACEFUSE_OK) {
        fprintf(stderr, "%s: %s\n", label, err.msg);
        fu_face_masker_close(m);
        fu_run_config_free(&cfg);
        fu_optset_free(&set);
        return;
    }
    fu_swapper_set_finish(sw, m, color, blend);
    facefuse_image work = copy_of(frame);
    fu_swapper_swap_face(sw, &work, face, zero_latent, NULL, &err);
    for (int i = 0; i < runs; i++)
        if (fu_swapper_swap_face(sw, &work, face, zero_latent, &t, &err) != FACEFUSE_OK) {
            fprintf(stderr, "%s: %s\n", label, err.msg);
            break;
        }
    printf("swap %-30s boost %4d: align %6.3f  masks+colour %7.3f  model %7.3f  paste %7.3f ms\n", label, boost,
           t.align_ns / 1e6 / runs, t.mask_ns / 1e6 / runs, t.model_ns / 1e6 / runs, t.paste_ns / 1e6 / runs);
    fu_swapper_close(sw);
    fu_face_masker_close(m);
    facefuse_image_free(&work);
    fu_run_config_free(&cfg);
    fu_optset_free(&set);
}

int main(int argc, char **argv)
{
    char dir[1024];
    facefuse_image target = {0};
    facefuse_face *faces = NULL;
    int n = 0;

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
    printf("target %dx%d, face box %.0fx%.0f px, ONNX Runtime %s, 2 intra-op threads, per face\n", target.width,
           target.height, faces[0].box[2] - faces[0].box[0], faces[0].box[3] - faces[0].box[1], fu_ort_version());
    bench_enhancer(ctx, "gfpgan_1.4", &target, &faces[0], 20);
    bench_enhancer(ctx, "codeformer", &target, &faces[0], 20);
    for (int boost = 128; boost <= 512; boost *= 4) {
        int runs = boost == 128 ? 50 : 10;
        bench_swap(ctx, "box", "box", FU_COLOR_MATCH_NONE, FU_BLEND_LINEAR, boost, &target, &faces[0], runs);
        bench_swap(ctx, "box occlusion", "box occlusion", FU_COLOR_MATCH_NONE, FU_BLEND_LINEAR, boost, &target,
                   &faces[0], runs);
        bench_swap(ctx, "box region", "box region", FU_COLOR_MATCH_NONE, FU_BLEND_LINEAR, boost, &target,
                   &faces[0], runs);
        bench_swap(ctx, "box + reinhard", "box", FU_COLOR_MATCH_REINHARD, FU_BLEND_LINEAR, boost, &target,
                   &faces[0], runs);
        bench_swap(ctx, "box + histogram", "box", FU_COLOR_MATCH_HISTOGRAM, FU_BLEND_LINEAR, boost, &target,
                   &faces[0], runs);
        bench_swap(ctx, "box + poisson", "box", FU_COLOR_MATCH_NONE, FU_BLEND_POISSON, boost, &target, &faces[0],
                   runs);
    }
    facefuse_faces_free(faces);
    facefuse_image_free(&target);
    facefuse_context_free(ctx);
    return 0;
}
