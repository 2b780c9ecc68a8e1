/*
 * poisson_blend.c — times fu_poisson_blend on a 512×512 region (a disc mask
 * of radius 250 in a 1024×768 frame), median of N runs, and prints ms.
 *
 * Usage: bench_poisson_blend [runs] [--dump DIR]
 * --dump writes DIR/dst.ppm, DIR/src.ppm and DIR/mask.pgm (the inputs) so
 * bench/poisson_opencv.py can time OpenCV's seamlessClone on the same data.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/image.h"
#include "core/poisson.h"

enum { W = 1024, H = 768, X0 = 256, Y0 = 128, R = 512 };

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void make_inputs(facefuse_image *dst, facefuse_image *src, float *mask)
{
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            uint8_t *d = fu_pixel(dst, x, y), *s = fu_pixel(src, x, y);
            d[0] = (uint8_t)(40 + 150.0 * x / W);
            d[1] = (uint8_t)(60 + 120.0 * y / H + 10 * sin(x * 0.05));
            d[2] = (uint8_t)(90 + 40 * sin((x + y) * 0.01));
            s[0] = (uint8_t)(180 + 30 * sin(x * 0.11) * cos(y * 0.07));
            s[1] = (uint8_t)(120 + 40 * sin(y * 0.03));
            s[2] = (uint8_t)(30 + 20 * cos(x * 0.02 + y * 0.05));
            double dx = x - (X0 + R / 2.0), dy = y - (Y0 + R / 2.0);
            mask[(size_t)y * W + x] = dx * dx + dy * dy < 250.0 * 250.0 ? 1.0f : 0.0f;
        }
}

static int dump(const char *dir, const facefuse_image *dst, const facefuse_image *src, const float *mask)
{
    char path[4096];
    const facefuse_image *ims[2] = {dst, src};
    const char *names[2] = {"dst.ppm", "src.ppm"};
    for (int k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        FILE *f = fopen(path, "wb");
        if (!f)
            return -1;
        fprintf(f, "P6\n%d %d\n255\n", W, H);
        for (int y = 0; y < H; y++)
            fwrite(fu_pixel(ims[k], 0, y), 3, W, f);
        fclose(f);
    }
    snprintf(path, sizeof path, "%s/mask.pgm", dir);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fprintf(f, "P5\n%d %d\n255\n", W, H);
    for (size_t i = 0; i < (size_t)W * H; i++)
        fputc(mask[i] > 0.5f ? 255 : 0, f);
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    int runs = 21;
    const char *dump_dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dump") == 0 && i + 1 < argc)
            dump_dir = argv[++i];
        else
            runs = atoi(argv[i]) > 0 ? atoi(argv[i]) : runs;
    }
    facefuse_image dst, src, work;
    float *mask = malloc(sizeof(float) * W * H);
    double *ms = malloc(sizeof(double) * (size_t)runs);
    if (!mask || !ms || facefuse_image_alloc(&dst, W, H, 3) || facefuse_image_alloc(&src, W, H, 3) ||
        facefuse_image_alloc(&work, W, H, 3))
        return 1;
    make_inputs(&dst, &src, mask);
    if (dump_dir && dump(dump_dir, &dst, &src, mask) != 0) {
        fprintf(stderr, "cannot write to %s\n", dump_dir);
        return 1;
    }
    fu_poisson_stats stats = {0};
    fu_err err;
    for (int r = 0; r < runs; r++) {
        memcpy(work.data, dst.data, (size_t)dst.stride * H);
        double t0 = (fu_now_ns() / 1e6);
        if (fu_poisson_blend_ex(&work, &src, mask, X0, Y0, R, R, &stats, &err) != FACEFUSE_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        ms[r] = (fu_now_ns() / 1e6) - t0;
    }
    qsort(ms, (size_t)runs, sizeof(double), cmp_double);
    printf("facefuse poisson blend %dx%d region: median %.2f ms (min %.2f) over %d runs; "
           "%d unknowns, %d V-cycles, residual %.4f\n",
           R, R, ms[runs / 2], ms[0], runs, stats.unknowns, stats.cycles, stats.residual_max);
    if (dump_dir) {
        char path[4096];
        snprintf(path, sizeof path, "%s/facefuse.ppm", dump_dir);
        FILE *f = fopen(path, "wb");
        if (f) {
            fprintf(f, "P6\n%d %d\n255\n", W, H);
            for (int y = 0; y < H; y++)
                fwrite(fu_pixel(&work, 0, y), 3, W, f);
            fclose(f);
        }
    }
    facefuse_image_free(&dst), facefuse_image_free(&src), facefuse_image_free(&work);
    free(mask), free(ms);
    return 0;
}
