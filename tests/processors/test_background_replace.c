/*
 * test_background_replace.c — background replacement: the picture is
 * scaled to cover the frame (centred, overflow cropped); composited with
 * the matte, a pixel is the background where the matte is 0 and the
 * foreground where it is 255; a background video is looped by time and,
 * when it fits the cache, each of its frames is decoded once. A frame whose
 * border hides the screen keys with the screen colour seen before.
 */
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/image.h"
#include "keyer_testutil.h"
#include "media/image_io.h"
#include "media/video_writer.h"
#include "processors/background_remover.h"
#include "processors/background_source.h"
#include "processors/chroma_key.h"
#include "testlib.h"

static facefuse_context *ctx;

static void fill_rect(facefuse_image *im, int x0, int y0, int x1, int y1, const uint8_t rgb[3])
{
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            memcpy(fu_pixel(im, x, y), rgb, 3);
}

static const uint8_t red[3] = {220, 20, 30}, blue[3] = {20, 40, 210};

static int is(const uint8_t *p, const uint8_t rgb[3])
{
    return memcmp(p, rgb, 3) == 0;
}

static void cover_scales_and_crops_the_centre(void)
{
    facefuse_image wide = {0}, tall = {0}, out = {0};
    fu_err err;
    REQUIRE(facefuse_image_alloc(&wide, 200, 100, 3) == FACEFUSE_OK, "wide");
    fill_rect(&wide, 0, 0, 100, 100, red);
    fill_rect(&wide, 100, 0, 200, 100, blue);
    REQUIRE(fu_cover(&wide, 100, 100, &out, &err) == FACEFUSE_OK, "%s", err.msg);
    /* scale 1, columns 50..149 kept: red then blue at the middle */
    CHECK(out.width == 100 && out.height == 100, "%dx%d", out.width, out.height);
    CHECK(is(fu_pixel(&out, 10, 50), red) && is(fu_pixel(&out, 48, 50), red) && is(fu_pixel(&out, 51, 50), blue) &&
              is(fu_pixel(&out, 90, 50), blue),
          "wide cover");
    facefuse_image_free(&out);

    REQUIRE(facefuse_image_alloc(&tall, 50, 100, 3) == FACEFUSE_OK, "tall");
    fill_rect(&tall, 0, 0, 50, 50, red);
    fill_rect(&tall, 0, 50, 50, 100, blue);
    REQUIRE(fu_cover(&tall, 100, 100, &out, &err) == FACEFUSE_OK, "%s", err.msg);
    /* scale 2 → 100×200, rows 50..149 kept: red rows 0..49, blue rows 50..99 */
    int ok = 1;
    for (int y = 0; y < 100; y++) {
        if (y >= 47 && y <= 52)
            continue;
        ok &= is(fu_pixel(&out, 50, y), y < 50 ? red : blue);
    }
    CHECK(ok, "tall cover");
    facefuse_image_free(&out);
    facefuse_image_free(&wide);
    facefuse_image_free(&tall);
}

/* chroma_key with a background image on a green-screen shot. */
static void replaced_pixels_are_background_or_foreground(void)
{
    facefuse_image portrait = tl_load(ctx, "samples/astronaut.png");
    const uint8_t green[3] = {52, 178, 72};
    kt_shot k;
    REQUIRE(kt_make(&portrait, green, 1, 16.0, &k), "shot");
    const int w = k.shot.width, h = k.shot.height;

    /* a background picture of another shape: a colour ramp */
    facefuse_image bg = {0}, covered = {0};
    REQUIRE(facefuse_image_alloc(&bg, 300, 200, 3) == FACEFUSE_OK, "bg");
    for (int y = 0; y < 200; y++)
        for (int x = 0; x < 300; x++) {
            uint8_t *p = fu_pixel(&bg, x, y);
            p[0] = (uint8_t)(x * 255 / 299), p[1] = (uint8_t)(y * 255 / 199), p[2] = 128;
        }
    const char *bg_path = tl_tmp("background.png");
    fu_err err;
    REQUIRE(fu_image_write(bg_path, &bg, 90, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_cover(&bg, w, h, &covered, &err) == FACEFUSE_OK, "%s", err.msg);

    /* the keyer alone, for the matte and the foreground */
    facefuse_image keyed = {0};
    REQUIRE(fu_image_copy(&keyed, &k.shot) == FACEFUSE_OK, "copy");
    uint8_t *matte = malloc((size_t)w * h);
    REQUIRE(matte, "matte");
    fu_chroma_key_settings ks = fu_chroma_key_defaults();
    REQUIRE(fu_chroma_key(&ks, &keyed, matte, NULL, &err) == FACEFUSE_OK, "%s", err.msg);

    fu_background_remover_settings s = fu_background_remover_defaults();
    s.model = "chroma_key";
    s.background_image = bg_path;
    CHECK(!fu_background_remover_makes_alpha(&s), "a background picture makes no alpha");
    fu_background_remover *r;
    REQUIRE(fu_background_remover_open(ctx, &s, &r, &err) == FACEFUSE_OK, "%s", err.msg);
    facefuse_image out = {0};
    REQUIRE(fu_image_copy(&out, &k.shot) == FACEFUSE_OK, "copy");
    REQUIRE(fu_background_remover_process(r, &out, 0, NULL, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(out.channels == 3, "%d channels", out.channels);

    long n_bg = 0, n_fg = 0, bad_bg = 0, bad_fg = 0, bad_mix = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int m = matte[(size_t)y * w + x];
            const uint8_t *o = fu_pixel(&out, x, y), *b = fu_pixel(&covered, x, y), *f = fu_pixel(&keyed, x, y);
            if (m == 0) {
                n_bg++;
                bad_bg += memcmp(o, b, 3) != 0;
            } else if (m == 255) {
                n_fg++;
                bad_fg += memcmp(o, f, 3) != 0;
            } else {
                for (int c = 0; c < 3; c++) {
                    double want = (f[c] * m + b[c] * (255.0 - m)) / 255.0;
                    bad_mix += fabs(o[c] - want) > 1.0;
                }
            }
        }
    CHECK(n_bg > w * h / 2 && n_fg > 20000, "matte: %ld background, %ld foreground pixels", n_bg, n_fg);
    CHECK(bad_bg == 0, "%ld background pixels are not the background picture", bad_bg);
    CHECK(bad_fg == 0, "%ld foreground pixels are not the keyed foreground", bad_fg);
    CHECK(bad_mix == 0, "%ld edge values off the blend", bad_mix);

    fu_background_remover_close(r);
    free(matte);
    facefuse_image_free(&out);
    facefuse_image_free(&keyed);
    facefuse_image_free(&covered);
    facefuse_image_free(&bg);
    facefuse_image_free(&portrait);
    kt_free(&k);
}

/* A close-up whose border hides the screen: alone it is left as it was;
 * after a frame that showed the screen, it is keyed with that colour. */
static void close_up_keys_with_the_screen_seen_before(void)
{
    facefuse_image portrait = tl_load(ctx, "samples/astronaut.png");
    const uint8_t green[3] = {52, 178, 72}, grey[3] = {128, 128, 128};
    kt_shot k;
    REQUIRE(kt_make(&portrait, green, 1, 0.0, &k), "shot");
    const int w = k.shot.width, h = k.shot.height;
    facefuse_image close_up = {0}, f = {0};
    REQUIRE(fu_image_copy(&close_up, &k.shot) == FACEFUSE_OK, "copy");
    fill_rect(&close_up, 0, 0, w, 16, grey), fill_rect(&close_up, 0, h - 16, w, h, grey);
    fill_rect(&close_up, 0, 0, 16, h, grey), fill_rect(&close_up, w - 16, 0, w, h, grey);

    fu_background_remover_settings s = fu_background_remover_defaults();
    s.model = "chroma_key";
    s.fill_color[2] = 255, s.fill_color[3] = 255; /* opaque blue */
    fu_background_remover *r;
    fu_err err;
    REQUIRE(fu_background_remover_open(ctx, &s, &r, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_image_copy(&f, &close_up) == FACEFUSE_OK, "copy");
    REQUIRE(fu_background_remover_process(r, &f, 0, NULL, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(memcmp(f.data, close_up.data, (size_t)f.stride * h) == 0, "a close-up with no screen seen was changed");
    facefuse_image_free(&f);
    REQUIRE(fu_image_copy(&f, &k.shot) == FACEFUSE_OK, "copy");
    REQUIRE(fu_background_remover_process(r, &f, 0.04, NULL, &err) == FACEFUSE_OK, "%s", err.msg);
    facefuse_image_free(&f);
    REQUIRE(fu_image_copy(&f, &close_up) == FACEFUSE_OK, "copy");
    REQUIRE(fu_background_remover_process(r, &f, 0.08, NULL, &err) == FACEFUSE_OK, "%s", err.msg);
    const uint8_t *screen = fu_pixel(&f, 450, 450), *face = fu_pixel(&f, 228, 160);
    CHECK(screen[0] == 0 && screen[1] == 0 && screen[2] == 255, "screen became %d %d %d", screen[0], screen[1],
          screen[2]);
    CHECK(memcmp(face, fu_pixel(&close_up, 228, 160), 3) == 0, "the face changed");
    fu_background_remover_close(r);
    facefuse_image_free(&f);
    facefuse_image_free(&close_up);
    facefuse_image_free(&portrait);
    kt_free(&k);
}

static const uint8_t palette[6][3] = {{250, 10, 10}, {10, 250, 10}, {10, 10, 250},
                                      {250, 250, 10}, {10, 250, 250}, {250, 10, 250}};

/* A 6-frame, 10 fps ffv1 clip, frame i a solid palette[i]. */
static const char *write_palette_clip(void)
{
    const char *path = tl_tmp("palette.mkv");
    fu_video_writer_params p = {0};
    p.final_path = path;
    p.temp_path = path;
    p.width = 64, p.height = 48, p.channels = 3;
    p.encoder = "ffv1";
    p.tb_num = 1, p.tb_den = 10, p.fps_num = 10, p.fps_den = 1;
    fu_video_writer *w;
    fu_err err;
    if (fu_video_writer_open(&w, &p, &err) != FACEFUSE_OK || fu_video_writer_start(w, &err) != FACEFUSE_OK) {
        fprintf(stderr, "    %s\n", err.msg);
        return NULL;
    }
    facefuse_image f = {0};
    facefuse_image_alloc(&f, 64, 48, 3);
    facefuse_status st = FACEFUSE_OK;
    for (int i = 0; i < 6 && st == FACEFUSE_OK; i++) {
        fill_rect(&f, 0, 0, 64, 48, palette[i]);
        st = fu_video_writer_write(w, &f, i, &err);
    }
    if (st == FACEFUSE_OK)
        st = fu_video_writer_finish(w, &err);
    fu_video_writer_free(w);
    facefuse_image_free(&f);
    return st == FACEFUSE_OK ? path : NULL;
}

static void background_video_loops_by_time(void)
{
    const char *clip = write_palette_clip();
    REQUIRE(clip, "clip");
    fu_background_source *b;
    fu_err err;
    REQUIRE(fu_background_source_open(clip, 1, &b, &err) == FACEFUSE_OK, "%s", err.msg);
    facefuse_image out = {0};
    int wrong = 0;
    for (int n = 0; n < 20; n++) { /* a 25 fps target over 0.8 s: background frame floor(t·10) mod 6 */
        double t = n / 25.0;
        REQUIRE(fu_background_source_frame(b, t, 100, 80, &out, &err) == FACEFUSE_OK, "%s", err.msg);
        int want = (int)(t * 10 + 1e-6) % 6;
        wrong += !(out.width == 100 && out.height == 80 && is(fu_pixel(&out, 50, 40), palette[want]) &&
                   is(fu_pixel(&out, 0, 0), palette[want]));
    }
    for (int n = 0; n < 30; n++) { /* past the end: looped */
        double t = n / 10.0;
        REQUIRE(fu_background_source_frame(b, t, 100, 80, &out, &err) == FACEFUSE_OK, "%s", err.msg);
        wrong += !is(fu_pixel(&out, 50, 40), palette[n % 6]);
    }
    CHECK(wrong == 0, "%d frames had the wrong background", wrong);
    CHECK(fu_background_source_decoded(b) == 6, "decoded %ld frames for a 6-frame loop",
          fu_background_source_decoded(b));
    /* back in time, after the cache: still right */
    REQUIRE(fu_background_source_frame(b, 0.25, 100, 80, &out, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(is(fu_pixel(&out, 10, 10), palette[2]), "seek back");
    facefuse_image_free(&out);
    fu_background_source_close(b);
}

int main(void)
{
    ctx = tl_context();
    RUN(cover_scales_and_crops_the_centre);
    RUN(replaced_pixels_are_background_or_foreground);
    RUN(close_up_keys_with_the_screen_seen_before);
    RUN(background_video_loops_by_time);
    facefuse_context_free(ctx);
    return tl_finish();
}
