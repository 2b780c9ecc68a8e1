/*
 * frame_colorizer.c — the frame colorizer's time outside the model on a
 * 1920×1080 frame, per model type and --frame-colorizer-size: grey
 * conversion and scaling before, the a/b planes scaled to the frame and
 * merged with the original's lightness in Lab after (one thread and every
 * core). Measured with the stand-ins, whose own run is nearly free; with
 * real models in MODEL_DIR the run column is the real model.
 *
 * Usage: bench_frame_colorizer [MODEL_DIR] [runs]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchutil.h"
#include "core/image.h"
#include "core/parallel.h"
#include "infer/context.h"
#include "processors/frame_colorizer.h"

/* Process CPU time, ms: on a shared machine wall time counts others' work too. */
static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void bench(fu_session *s, const char *model, fu_colorizer_type type, int size, int threads,
                  const facefuse_image *in, int runs)
{
    fu_frame_colorizer_settings set = fu_frame_colorizer_defaults();
    set.model = model;
    set.size = size;
    set.threads = threads;
    fu_frame_colorizer_stats st = {0};
    facefuse_image f = {0};
    fu_image_copy(&f, in);
    double cpu = 0;
    for (int r = 0; r < runs; r++) {
        memcpy(f.data, in->data, (size_t)in->stride * in->height);
        fu_err err;
        double c0 = cpu_ms();
        if (fu_frame_colorize(s, type, &set, &f, &st, &err) != FACEFUSE_OK) {
            fprintf(stderr, "%s\n", err.msg);
            exit(1);
        }
        cpu += cpu_ms() - c0;
    }
    printf("%-8s %3d px, %d thread%s: outside the model wall %.1f ms a frame (before %.1f, after %.1f); "
           "run %.1f ms; CPU for the whole frame %.1f ms\n",
           model, size, threads, threads > 1 ? "s" : " ", (st.pre_ns + st.post_ns) / 1e6 / runs,
           st.pre_ns / 1e6 / runs, st.post_ns / 1e6 / runs, st.run_ns / 1e6 / runs, cpu / runs);
    facefuse_image_free(&f);
}

int main(int argc, char **argv)
{
    char dir[1024];
    if (bench_model_dir(argc, argv, dir, sizeof dir))
        return 1;
    int runs = argc > 2 && atoi(argv[2]) > 0 ? atoi(argv[2]) : 5;
    facefuse_context *ctx = bench_open_context(dir);
    facefuse_image in = {0};
    facefuse_image_alloc(&in, 1920, 1080, 3);
    for (int y = 0; y < 1080; y++)
        for (int x = 0; x < 1920; x++) {
            uint8_t *p = fu_pixel(&in, x, y);
            p[0] = p[1] = p[2] = (uint8_t)((x * 3 + y * 5 + (x * y) % 17) % 256); /* an old b&w frame */
        }
    const char *models[] = {"ddcolor", "deoldify"};
    const fu_colorizer_type types[] = {FU_COLORIZER_DDCOLOR, FU_COLORIZER_DEOLDIFY};
    const int sizes[] = {192, 256, 384, 512};
    int cores = fu_cpu_count();
    printf("machine: %d cores\n", cores);
    for (int m = 0; m < 2; m++) {
        fu_session *s;
        fu_err err;
        if (fu_context_session(ctx, models[m], &s, NULL, &err) != FACEFUSE_OK) {
            printf("%s: skipped (%s)\n", models[m], err.msg);
            continue;
        }
        for (int i = 0; i < 4; i++)
            bench(s, models[m], types[m], sizes[i], 1, &in, runs);
        bench(s, models[m], types[m], 256, cores, &in, runs);
    }
    facefuse_image_free(&in);
    facefuse_context_free(ctx);
    return 0;
}
