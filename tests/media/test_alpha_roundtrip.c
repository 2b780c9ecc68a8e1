/*
 * test_alpha_roundtrip.c — alpha survives every output that can carry it:
 * RGBA frames written and decoded again give the alpha plane back
 * (png, webp and ffv1 exactly; prores 4444 within one level, its alpha
 * going through 10 bits; VP9's separately coded alpha at quality 90 within
 * a mean of 1.5 and a maximum of 16 levels), and the reader hands out RGBA
 * for them (VP9's alpha through libvpx). Outputs that cannot carry alpha are refused up front
 * with one line, before any frame is encoded.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "media/image_io.h"
#include "media/video_reader.h"
#include "media/video_writer.h"
#include "testlib.h"

#define W 96
#define H 64
#define FRAMES 6

/* Frame i: a colour ramp; alpha a horizontal ramp, a hard-edged opaque
 * disc that moves, and a fully transparent corner. */
static void make_frame(facefuse_image *f, int i)
{
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            uint8_t *p = fu_pixel(f, x, y);
            p[0] = (uint8_t)(x * 255 / (W - 1));
            p[1] = (uint8_t)(y * 255 / (H - 1));
            p[2] = (uint8_t)(40 * i);
            int dx = x - (20 + 8 * i), dy = y - 32;
            int a = x * 255 / (W - 1);
            if (dx * dx + dy * dy < 12 * 12)
                a = 255;
            if (x < 16 && y < 16)
                a = 0;
            p[3] = (uint8_t)a;
        }
}

typedef struct alpha_error {
    double mean;
    int max;
} alpha_error;

static alpha_error compare_alpha(const facefuse_image *got, const facefuse_image *want)
{
    alpha_error e = {0, 0};
    long n = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            int d = abs((int)fu_pixel(got, x, y)[3] - (int)fu_pixel(want, x, y)[3]);
            e.mean += d;
            e.max = d > e.max ? d : e.max;
            n++;
        }
    e.mean /= n;
    return e;
}

static void video_round_trip(const char *name, const char *encoder, double max_mean, int max_abs)
{
    const char *path = tl_tmp(name);
    fu_video_writer_params p = {0};
    p.final_path = path;
    p.temp_path = path;
    p.width = W, p.height = H, p.channels = 4;
    p.encoder = encoder;
    p.quality = 90;
    p.tb_num = 1, p.tb_den = 25, p.fps_num = 25, p.fps_den = 1;
    p.require_alpha = 1;
    fu_video_writer *w;
    fu_err err;
    REQUIRE(fu_video_alpha_check(path, encoder, &err) == FACEFUSE_OK, "%s: %s", name, err.msg);
    REQUIRE(fu_video_writer_open(&w, &p, &err) == FACEFUSE_OK, "%s: %s", name, err.msg);
    REQUIRE(fu_video_writer_start(w, &err) == FACEFUSE_OK, "%s: %s", name, err.msg);
    facefuse_image frames[FRAMES];
    for (int i = 0; i < FRAMES; i++) {
        facefuse_image_alloc(&frames[i], W, H, 4);
        make_frame(&frames[i], i);
        REQUIRE(fu_video_writer_write(w, &frames[i], i, &err) == FACEFUSE_OK, "%s: %s", name, err.msg);
    }
    REQUIRE(fu_video_writer_finish(w, &err) == FACEFUSE_OK, "%s: %s", name, err.msg);
    fu_video_writer_free(w);

    fu_video_reader *r;
    REQUIRE(fu_video_reader_open(&r, path, 0, &err) == FACEFUSE_OK, "%s: %s", name, err.msg);
    CHECK(fu_video_reader_info(r)->channels == 4, "%s: the reader says %d channels", name,
          fu_video_reader_info(r)->channels);
    facefuse_image got = {0};
    int64_t pts;
    int n = 0, is_rgba = 1;
    alpha_error worst = {0, 0};
    for (;;) {
        int ok = 0;
        REQUIRE(fu_video_reader_next(r, &got, &pts, &ok, &err) == FACEFUSE_OK, "%s: %s", name, err.msg);
        if (!ok)
            break;
        is_rgba &= got.channels == 4;
        if (got.channels == 4 && n < FRAMES) {
            alpha_error e = compare_alpha(&got, &frames[n]);
            worst.mean = e.mean > worst.mean ? e.mean : worst.mean;
            worst.max = e.max > worst.max ? e.max : worst.max;
        }
        n++;
    }
    printf("  %s (%s): alpha mean error %.3f, max %d\n", name, encoder, worst.mean, worst.max);
    CHECK(n == FRAMES, "%s: %d frames back", name, n);
    CHECK(is_rgba, "%s: frames came back without alpha", name);
    CHECK(worst.mean <= max_mean && worst.max <= max_abs, "%s: alpha error mean %.3f max %d", name, worst.mean,
          worst.max);
    facefuse_image_free(&got);
    fu_video_reader_close(r);
    for (int i = 0; i < FRAMES; i++)
        facefuse_image_free(&frames[i]);
}

static void ffv1_in_mkv_keeps_alpha_exactly(void)
{
    video_round_trip("alpha.mkv", "ffv1", 0.0, 0);
}

static void prores_4444_in_mov_keeps_alpha(void)
{
    video_round_trip("alpha.mov", "prores_ks", 1.0, 1);
}

static void vp9_in_webm_keeps_alpha(void)
{
    video_round_trip("alpha.webm", "libvpx-vp9", 1.5, 16);
}

static void image_round_trip(const char *name, double max_mean, int max_abs)
{
    facefuse_image f = {0}, got = {0};
    fu_err err;
    facefuse_image_alloc(&f, W, H, 4);
    make_frame(&f, 1);
    const char *path = tl_tmp(name);
    REQUIRE(fu_image_alpha_check(path, &err) == FACEFUSE_OK, "%s: %s", name, err.msg);
    REQUIRE(fu_image_write(path, &f, 90, &err) == FACEFUSE_OK, "%s: %s", name, err.msg);
    REQUIRE(fu_image_read(path, &got, &err) == FACEFUSE_OK, "%s: %s", name, err.msg);
    REQUIRE(got.channels == 4, "%s: read back with %d channels", name, got.channels);
    alpha_error e = compare_alpha(&got, &f);
    printf("  %s: alpha mean error %.3f, max %d\n", name, e.mean, e.max);
    CHECK(e.mean <= max_mean && e.max <= max_abs, "%s: alpha error mean %.3f max %d", name, e.mean, e.max);
    facefuse_image_free(&f);
    facefuse_image_free(&got);
}

static void png_and_webp_keep_alpha(void)
{
    image_round_trip("alpha.png", 0.0, 0);
    image_round_trip("alpha.webp", 0.0, 0);
}

/* Refused before anything is written, with one line naming the file and
 * what would work. */
static void outputs_without_alpha_are_refused(void)
{
    const char *cases[][2] = {{"out.mp4", "libx264"}, {"out.mov", "libx264"}, {"out.mkv", "libx265"},
                              {"out.mp4", "prores_ks"}, {"out.avi", "libx264"}};
    fu_err err;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *path = tl_tmp(cases[i][0]);
        CHECK(fu_video_alpha_check(path, cases[i][1], &err) == FACEFUSE_ERR_INVALID_ARGUMENT, "%s with %s accepted",
              cases[i][0], cases[i][1]);
        CHECK(strstr(err.msg, path) && strstr(err.msg, "alpha") && strstr(err.msg, "prores_ks") &&
                  !strchr(err.msg, '\n'),
              "message: %s", err.msg);
        fu_video_writer_params p = {0};
        p.final_path = path, p.temp_path = path;
        p.width = W, p.height = H, p.channels = 4;
        p.encoder = cases[i][1];
        p.tb_num = 1, p.tb_den = 25, p.fps_num = 25, p.fps_den = 1;
        p.require_alpha = 1;
        fu_video_writer *w = NULL;
        CHECK(fu_video_writer_open(&w, &p, &err) == FACEFUSE_ERR_INVALID_ARGUMENT, "the writer opened %s",
              cases[i][0]);
        fu_video_writer_free(w);
    }
    /* webm turns any encoder into libvpx-vp9, which keeps alpha */
    CHECK(fu_video_alpha_check(tl_tmp("out.webm"), "libx264", &err) == FACEFUSE_OK, "webm: %s", err.msg);
    CHECK(fu_image_alpha_check(tl_tmp("out.jpg"), &err) == FACEFUSE_ERR_INVALID_ARGUMENT, "jpg accepted");
    CHECK(strstr(err.msg, "png") && !strchr(err.msg, '\n'), "message: %s", err.msg);
}

int main(void)
{
    RUN(ffv1_in_mkv_keeps_alpha_exactly);
    RUN(prores_4444_in_mov_keeps_alpha);
    RUN(vp9_in_webm_keeps_alpha);
    RUN(png_and_webp_keep_alpha);
    RUN(outputs_without_alpha_are_refused);
    return tl_finish();
}
