/*
 * age_deep_swapper.c — per-face cost of the age modifier (fran,
 * styleganex_age) and the deep swapper (224 and 320 px DeepFaceLive
 * models), split into crop/warp (+ masks before the model), model (tensor
 * in, ORT, tensor out, and the steps on the model's output size: the
 * styleganex 1536 → 1024 shrink, the deep swapper's sharpening and mask
 * erosion), and paste (colour match, masks after, paste-back), at
 * FaceFusion's sizes, with the stand-ins of tests/models.
 *
 *   bench_age_deep_swapper [TEST_MODEL_DIR]
 *   BENCH_DEFAULT_MALLOC=1 bench_age_deep_swapper …   (glibc's default policy:
 *                                                      freed memory returned)
 *
 * The stand-ins are trivial graphs, so ORT's share is mostly tensor
 * traffic; "outside" is everything but the ORT call: the work facefuse
 * adds around the real network. "cpu" is the process's CPU time a face
 * (all threads), steadier than wall time on a busy machine; "page faults"
 * the minor faults a face (fresh pages touched: large buffers allocated
 * and returned to the system each face).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "benchutil.h"
#include "core/alloc_policy.h"
#include "core/image.h"
#include "infer/ort.h"
#include "pipeline/config.h"
#include "processors/age_modifier.h"
#include "processors/deep_swapper.h"
#include "processors/face_masker.h"

/* The masker of "--face-mask-types <types>", built through the option
 * tables as the command line builds it. */
static fu_face_masker *open_masker(facefuse_context *ctx, const char *types)
{
    char words[64], *argv[8] = {"--face-mask-types"};
    int argc = 1;
    fu_optset set;
    fu_run_config cfg;
    fu_face_masker *m = NULL;
    fu_err err;
    snprintf(words, sizeof words, "%s", types);
    for (char *save = NULL, *w = strtok_r(words, " ", &save); w && argc < 8; w = strtok_r(NULL, " ", &save))
        argv[argc++] = w;
    if (fu_run_config_from_args(&set, &cfg, argc, argv, &err) != FACEFUSE_OK) {
        fprintf(stderr, "masker %s: %s\n", types, err.msg);
        return NULL;
    }
    if (fu_face_masker_open(ctx, &cfg.masker, &m, &err) != FACEFUSE_OK)
        fprintf(stderr, "masker %s: %s\n", types, err.msg);
    fu_run_config_free(&cfg);
    fu_optset_free(&set);
    return m;
}

/* Minor page faults so far: fresh pages the process touched. */
static long minor_faults(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_minflt;
}

static double cpu_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void report(const char *what, int size, int64_t crop, int64_t model, int64_t paste, int64_t ort, double cpu,
                   long faults, int runs)
{
    double c = crop / 1e6 / runs, m = model / 1e6 / runs, p = paste / 1e6 / runs, o = ort / 1e6 / runs;
    double total = c + m + p;
    printf("%-46s %4d px: crop %7.2f  model %7.2f (ORT %6.2f)  paste %7.2f  total %7.2f ms (cpu %7.2f)  outside "
           "ORT %5.1f%%  page faults %6ld\n", what, size, c, m, o, p, total, cpu / runs,
           total > 0 ? 100 * (total - o) / total : 0, faults / runs);
}

static void bench_age(facefuse_context *ctx, const char *model, const char *types, const facefuse_image *frame,
                      const facefuse_face *face, int runs)
{
    fu_age_modifier_settings s = fu_age_modifier_defaults();
    fu_face_masker *m = open_masker(ctx, types);
    fu_age_modifier *am = NULL;
    fu_age_timing t = {0};
    fu_err err;
    char label[96];
    s.model = model;
    s.direction = 20;
    if (!m || fu_age_modifier_open(ctx, &s, m, &am, &err) != FACEFUSE_OK) {
        fprintf(stderr, "%s: %s\n", model, m ? err.msg : "no masker");
        fu_face_masker_close(m);
        return;
    }
    facefuse_image work = {0};
    fu_image_copy(&work, frame);
    fu_age_modifier_modify_face(am, &work, face, NULL, &err); /* warm-up */
    int64_t ort0 = fu_ort_run_ns();
    double cpu0 = cpu_ms();
    long faults0 = minor_faults();
    for (int i = 0; i < runs; i++)
        if (fu_age_modifier_modify_face(am, &work, face, &t, &err) != FACEFUSE_OK) {
            fprintf(stderr, "%s: %s\n", model, err.msg);
            break;
        }
    snprintf(label, sizeof label, "age_modifier %s [%s]", model, types);
    report(label, 1024, t.crop_ns, t.model_ns, t.paste_ns, fu_ort_run_ns() - ort0, cpu_ms() - cpu0,
           minor_faults() - faults0, runs);
    fu_age_modifier_close(am);
    fu_face_masker_close(m);
    facefuse_image_free(&work);
}

static void bench_deep(facefuse_context *ctx, const char *model, const char *types, const facefuse_image *frame,
                       const facefuse_face *face, int runs)
{
    fu_deep_swapper_settings s = fu_deep_swapper_defaults();
    fu_face_masker *m = open_masker(ctx, types);
    fu_deep_swapper *ds = NULL;
    fu_deep_swap_timing t = {0};
    fu_err err;
    char label[96];
    s.model = model;
    if (!m || fu_deep_swapper_open(ctx, &s, m, &ds, &err) != FACEFUSE_OK) {
        fprintf(stderr, "%s: %s\n", model, m ? err.msg : "no masker");
        fu_face_masker_close(m);
        return;
    }
    facefuse_image work = {0};
    fu_image_copy(&work, frame);
    fu_deep_swapper_swap_face(ds, &work, face, NULL, &err);
    int64_t ort0 = fu_ort_run_ns();
    double cpu0 = cpu_ms();
    long faults0 = minor_faults();
    for (int i = 0; i < runs; i++)
        if (fu_deep_swapper_swap_face(ds, &work, face, &t, &err) != FACEFUSE_OK) {
            fprintf(stderr, "%s: %s\n", model, err.msg);
            break;
        }
    snprintf(label, sizeof label, "deep_swapper %s [%s]", model, types);
    report(label, fu_deep_swapper_size(ds), t.crop_ns, t.model_ns, t.paste_ns, fu_ort_run_ns() - ort0,
           cpu_ms() - cpu0, minor_faults() - faults0, runs);
    fu_deep_swapper_close(ds);
    fu_face_masker_close(m);
    facefuse_image_free(&work);
}

int main(int argc, char **argv)
{
    char dir[1024];
    facefuse_image target = {0};
    facefuse_face *faces = NULL;
    int n = 0;

    if (bench_model_dir(argc, argv, dir, sizeof dir))
        return 1;
    if (!getenv("BENCH_DEFAULT_MALLOC"))
        fu_alloc_keep_freed_memory(); /* as the facefuse program does */
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
    faces[0].age_start = 30, faces[0].age_end = 39; /* no classifier among the stand-ins */
    printf("target %dx%d, face box %.0fx%.0f px, ONNX Runtime %s, 2 intra-op threads, per face\n", target.width,
           target.height, faces[0].box[2] - faces[0].box[0], faces[0].box[3] - faces[0].box[1], fu_ort_version());
    bench_age(ctx, "fran", "box", &target, &faces[0], 10);
    bench_age(ctx, "fran", "box occlusion", &target, &faces[0], 10);
    bench_age(ctx, "styleganex_age", "box", &target, &faces[0], 10);
    bench_age(ctx, "styleganex_age", "box occlusion", &target, &faces[0], 10);
    bench_deep(ctx, "iperov/elon_musk_224", "box", &target, &faces[0], 30);
    bench_deep(ctx, "iperov/elon_musk_224", "box occlusion region", &target, &faces[0], 30);
    bench_deep(ctx, "iperov/jason_statham_320", "box", &target, &faces[0], 30);
    facefuse_faces_free(faces);
    facefuse_image_free(&target);
    facefuse_context_free(ctx);
    return 0;
}
