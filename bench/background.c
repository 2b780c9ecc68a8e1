/*
 * background.c — figures for background removal on 1920×1080 frames:
 *   - the chroma keyer, ms a frame on one thread and on every core (plain,
 *     and with choke 2 + feather 3);
 *   - background replacement: the whole processor (key + despill + a cover
 *     scaled background image composited), and the composite alone;
 *   - model removers at their sizes: time outside the model (scaling,
 *     normalising, mask and foreground back to the frame, fill, alpha),
 *     measured with the stand-ins, whose own run is nearly free.
 * The shot is synthetic: the astronaut sample in a soft ellipse on a lit
 * green screen with noise.
 *
 * Usage: bench_background [MODEL_DIR] [runs] [keyer]
 * (no MODEL_DIR: stand-ins are generated; "keyer": the one-thread keyer only)
 */
#include <math.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "benchutil.h"
#include "core/clock.h"
#include "core/image.h"
#include "core/parallel.h"
#include "infer/context.h"
#include "media/image_io.h"
#include "media/resize.h"
#include "processors/background_remover.h"
#include "processors/background_source.h"
#include "processors/chroma_key.h"

#define W 1920
#define H 1080

static facefuse_image make_shot(void)
{
    facefuse_image portrait = {0}, big = {0}, shot = {0};
    fu_err err;
    char path[1024];
    snprintf(path, sizeof path, "%s/../shared/samples/astronaut.png", FACEFUSE_SOURCE_DIR);
    if (fu_image_read(path, &portrait, &err) != FACEFUSE_OK || fu_resize(&portrait, &big, H, H) != FACEFUSE_OK ||
        facefuse_image_alloc(&shot, W, H, 3) != FACEFUSE_OK) {
        fprintf(stderr, "cannot make the shot: %s\n", err.msg);
        exit(1);
    }
    unsigned long long rng = 99;
    const int x0 = (W - H) / 2;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double dx = (x - W / 2.0) / 420.0, dy = (y - H * 0.45) / 520.0;
            double a = 0.5 - (sqrt(dx * dx + dy * dy) - 1.0) * 420.0 / 12.0;
            a = a < 0 ? 0 : a > 1 ? 1 : a;
            const uint8_t screen[3] = {52, 178, 72};
            double light = 1.0 + 0.06 * (2.0 * x / W - 1.0);
            uint8_t *o = fu_pixel(&shot, x, y);
            for (int c = 0; c < 3; c++) {
                int fg = (x >= x0 && x < x0 + H) ? fu_pixel(&big, x - x0, y)[c] : 0;
                rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
                double noise = ((double)(rng >> 40) / (1 << 24) - 0.5) * 6.0;
                double v = a * fg + (1 - a) * screen[c] * light + noise + 0.5;
                o[c] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
            }
        }
    facefuse_image_free(&portrait);
    facefuse_image_free(&big);
    return shot;
}

/* CPU time of the process, ms: with the machine shared, wall time counts
 * other people's work; CPU time counts ours only. */
static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void bench_keyer(const facefuse_image *shot, int threads, int choke, int feather, int runs)
{
    facefuse_image f = {0};
    uint8_t *matte = malloc((size_t)W * H);
    double *ms = malloc(sizeof(double) * runs), *cpu = malloc(sizeof(double) * runs);
    fu_chroma_key_settings s = fu_chroma_key_defaults();
    s.threads = threads;
    s.choke_px = choke;
    s.feather_px = feather;
    fu_image_copy(&f, shot);
    for (int r = 0; r < runs; r++) {
        memcpy(f.data, shot->data, (size_t)shot->stride * H);
        fu_err err;
        int64_t t0 = fu_now_ns();
        double c0 = cpu_ms();
        if (fu_chroma_key(&s, &f, matte, NULL, &err) != FACEFUSE_OK) {
            fprintf(stderr, "%s\n", err.msg);
            exit(1);
        }
        ms[r] = (fu_now_ns() - t0) / 1e6;
        cpu[r] = cpu_ms() - c0;
    }
    printf("chroma key 1920x1080, %d thread%s%s: wall %.2f ms a frame, CPU %.2f ms (medians of %d)\n", threads,
           threads > 1 ? "s" : "", choke || feather ? ", choke 2 + feather 3" : "", median(ms, runs), median(cpu, runs),
           runs);
    free(ms);
    free(cpu);
    free(matte);
    facefuse_image_free(&f);
}

static void bench_replacement(facefuse_context *ctx, const facefuse_image *shot, int threads, int runs)
{
    char bg_path[] = "/tmp/facefuse-bench-bg-XXXXXX.png";
    int fd = mkstemps(bg_path, 4);
    if (fd < 0)
        return;
    close(fd);
    facefuse_image bg = {0};
    facefuse_image_alloc(&bg, 1280, 960, 3); /* another shape: covered and cropped */
    for (int y = 0; y < 960; y++)
        for (int x = 0; x < 1280; x++) {
            uint8_t *p = fu_pixel(&bg, x, y);
            p[0] = (uint8_t)(x / 5), p[1] = (uint8_t)(y / 4), p[2] = 90;
        }
    fu_err err;
    fu_image_write(bg_path, &bg, 90, &err);
    fu_background_remover_settings s = fu_background_remover_defaults();
    s.model = "chroma_key";
    s.background_image = bg_path;
    s.threads = threads;
    fu_background_remover *r;
    if (fu_background_remover_open(ctx, &s, &r, &err) != FACEFUSE_OK) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    double *whole = malloc(sizeof(double) * runs), *composite = malloc(sizeof(double) * runs);
    double *whole_cpu = malloc(sizeof(double) * runs), *composite_cpu = malloc(sizeof(double) * runs);
    facefuse_image f = {0}, covered = {0};
    uint8_t *mask = malloc((size_t)W * H);
    for (int i = 0; i < W * H; i++)
        mask[i] = (uint8_t)(i % 256);
    fu_cover(&bg, W, H, &covered, &err);
    for (int k = 0; k < runs; k++) {
        facefuse_image_free(&f);
        fu_image_copy(&f, shot);
        int64_t t0 = fu_now_ns();
        double c0 = cpu_ms();
        fu_background_remover_process(r, &f, 0, NULL, &err);
        whole[k] = (fu_now_ns() - t0) / 1e6;
        whole_cpu[k] = cpu_ms() - c0;
        t0 = fu_now_ns();
        c0 = cpu_ms();
        fu_background_replace(&f, mask, &covered);
        composite[k] = (fu_now_ns() - t0) / 1e6;
        composite_cpu[k] = cpu_ms() - c0;
    }
    printf("background replacement 1920x1080 (%d thread%s): with keying wall %.2f ms, CPU %.2f ms; "
           "composite alone wall %.2f ms, CPU %.2f ms\n",
           threads, threads > 1 ? "s" : "", median(whole, runs), median(whole_cpu, runs), median(composite, runs),
           median(composite_cpu, runs));
    fu_background_remover_close(r);
    facefuse_image_free(&f), facefuse_image_free(&covered), facefuse_image_free(&bg);
    free(mask), free(whole), free(composite), free(whole_cpu), free(composite_cpu);
    unlink(bg_path);
}

static void bench_model(facefuse_context *ctx, const char *model, const facefuse_image *shot, int runs)
{
    fu_background_remover_settings s = fu_background_remover_defaults();
    s.model = model;
    fu_background_remover *r;
    fu_err err;
    if (fu_background_remover_open(ctx, &s, &r, &err) != FACEFUSE_OK) {
        printf("%s: skipped (%s)\n", model, err.msg);
        return;
    }
    fu_background_remover_stats st = {0};
    facefuse_image f = {0};
    double cpu = 0;
    for (int k = 0; k < runs; k++) {
        facefuse_image_free(&f);
        fu_image_copy(&f, shot);
        double c0 = cpu_ms();
        facefuse_status rc = fu_background_remover_process(r, &f, 0, &st, &err);
        cpu += cpu_ms() - c0;
        if (rc != FACEFUSE_OK) {
            fprintf(stderr, "%s\n", err.msg);
            exit(1);
        }
    }
    const fu_model_def *def = fu_model_find(model);
    printf("%-18s %4d px: outside the model wall %.1f ms a frame (before %.1f, after %.1f); stand-in run %.1f ms; "
           "CPU for the whole frame %.1f ms\n",
           model, def ? def->size : 0, (st.pre_ns + st.post_ns) / 1e6 / runs, st.pre_ns / 1e6 / runs,
           st.post_ns / 1e6 / runs, st.run_ns / 1e6 / runs, cpu / runs);
    facefuse_image_free(&f);
    fu_background_remover_close(r);
}

int main(int argc, char **argv)
{
    char dir[1024];
    if (bench_model_dir(argc, argv, dir, sizeof dir))
        return 1;
    int runs = argc > 2 && atoi(argv[2]) > 0 ? atoi(argv[2]) : 15;
    facefuse_context *ctx = bench_open_context(dir);
    int cores = fu_cpu_count();
    facefuse_image shot = make_shot();
    printf("machine: %d cores\n", cores);
    bench_keyer(&shot, 1, 0, 0, runs);
    if (argc > 3 && strcmp(argv[3], "keyer") == 0)
        return 0; /* for profiling the keyer alone */
    bench_keyer(&shot, cores, 0, 0, runs);
    bench_keyer(&shot, 1, 2, 3, runs);
    bench_keyer(&shot, cores, 2, 3, runs);
    bench_replacement(ctx, &shot, 1, runs);
    bench_replacement(ctx, &shot, cores, runs);
    const char *models[] = {"u2netp", "modnet", "u2net_cloth", "corridor_key_1024"};
    for (int i = 0; i < 4; i++)
        bench_model(ctx, models[i], &shot, runs > 5 ? 5 : runs);
    facefuse_image_free(&shot);
    facefuse_context_free(ctx);
    return 0;
}
