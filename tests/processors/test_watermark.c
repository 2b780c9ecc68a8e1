/*
 * test_watermark.c — the invisible watermark is found in marked 720p
 * frames, after re-encoding with x264 at crf 23, after scaling to 50 %, and
 * after both; it is not found in 20 unmarked frames nor under another key;
 * it costs little picture quality (PSNR) and is the same on the same frame.
 * The visible label changes only its corner of the frame and is drawn
 * white at full opacity.
 */
#include <libavutil/log.h>
#include <math.h>
#include <string.h>

#include "core/image.h"
#include "media/image_io.h"
#include "media/resize.h"
#include "media/video_reader.h"
#include "media/video_writer.h"
#include "processors/watermark.h"
#include "testlib.h"

#define W 1280
#define H 720

static facefuse_image hd(const facefuse_image *src)
{
    facefuse_image rgb = {0}, out = {0};
    fu_image_to_rgb(&rgb, src);
    fu_resize(&rgb, &out, W, H);
    facefuse_image_free(&rgb);
    return out;
}

/* Three 720p pictures: two photos and a video frame. */
static int pictures(facefuse_image *out)
{
    const char *files[] = {"samples/astronaut.png", "samples/grace_hopper.jpg"};
    fu_err err;
    for (int i = 0; i < 2; i++) {
        facefuse_image im = {0};
        if (fu_image_read(tl_shared(files[i]), &im, &err) != FACEFUSE_OK)
            return 0;
        out[i] = hd(&im);
        facefuse_image_free(&im);
    }
    facefuse_image f = {0};
    if (fu_video_read_frame_at(tl_shared("samples/grace_hopper_zoom_2s.mp4"), 25, &f, &err) != FACEFUSE_OK)
        return 0;
    out[2] = hd(&f);
    facefuse_image_free(&f);
    return 3;
}

static double strength(const facefuse_image *im, const char *key)
{
    double z = -100;
    fu_err err;
    if (fu_watermark_detect(key, im, &z, &err) != FACEFUSE_OK)
        fprintf(stderr, "detect: %s\n", err.msg);
    return z;
}

/* The frame through libx264 at crf 23 (quality 55) and back. */
static facefuse_image x264_round_trip(const facefuse_image *im, const char *name)
{
    fu_video_writer *w = NULL;
    fu_video_writer_params p = {0};
    facefuse_image out = {0};
    fu_err err;
    const char *path = tl_tmp(name);
    p.final_path = path;
    p.temp_path = path;
    p.width = im->width;
    p.height = im->height;
    p.channels = 3;
    p.encoder = "libx264";
    p.preset = "veryfast";
    p.quality = 55; /* crf = 51 − 0.51 × 55 ≈ 23 */
    p.tb_num = 1;
    p.tb_den = 25;
    p.fps_num = 25;
    p.fps_den = 1;
    if (fu_video_writer_open(&w, &p, &err) == FACEFUSE_OK && fu_video_writer_start(w, &err) == FACEFUSE_OK) {
        for (int i = 0; i < 3; i++)
            fu_video_writer_write(w, im, i, &err);
        fu_video_writer_finish(w, &err);
    }
    fu_video_writer_free(w);
    if (fu_video_read_frame_at(path, 2, &out, &err) != FACEFUSE_OK)
        fprintf(stderr, "x264 round trip: %s\n", err.msg);
    return out;
}

static facefuse_image half(const facefuse_image *im)
{
    facefuse_image out = {0};
    fu_resize(im, &out, im->width / 2, im->height / 2);
    return out;
}

static double psnr(const facefuse_image *a, const facefuse_image *b)
{
    double se = 0;
    for (int y = 0; y < a->height; y++)
        for (int x = 0; x < a->width * 3; x++) {
            double d = (double)a->data[(size_t)y * a->stride + x] - b->data[(size_t)y * b->stride + x];
            se += d * d;
        }
    return 10 * log10(255.0 * 255.0 / (se / ((double)a->width * a->height * 3)));
}

static void invisible_mark_survives_x264_and_half_size(void)
{
    facefuse_image pics[3];
    REQUIRE(pictures(pics) == 3, "cannot load the samples");
    fu_watermark_settings s = fu_watermark_default_settings();
    s.invisible = 1;
    fu_watermark *wm = NULL;
    fu_err err;
    REQUIRE(fu_watermark_new(&s, &wm, &err) == FACEFUSE_OK && wm, "%s", err.msg);
    for (int i = 0; i < 3; i++) {
        facefuse_image marked = {0}, again = {0};
        fu_image_copy(&marked, &pics[i]);
        fu_image_copy(&again, &pics[i]);
        REQUIRE(fu_watermark_apply(wm, &marked, &err) == FACEFUSE_OK, "%s", err.msg);
        fu_watermark_apply(wm, &again, &err);
        CHECK(!memcmp(marked.data, again.data, (size_t)marked.stride * H), "picture %d: the mark is not repeatable", i);
        double before = strength(&pics[i], NULL), z = strength(&marked, NULL), q = psnr(&pics[i], &marked);
        facefuse_image enc = x264_round_trip(&marked, "wm.mp4"), small = half(&marked);
        facefuse_image both = enc.data ? half(&enc) : (facefuse_image){0};
        double z_enc = enc.data ? strength(&enc, NULL) : -1, z_half = strength(&small, NULL);
        double z_both = both.data ? strength(&both, NULL) : -1;
        printf("  picture %d: unmarked %.2f, marked %.2f (PSNR %.1f dB), x264 crf 23 %.2f, 50 %% %.2f, both %.2f\n", i,
               before, z, q, z_enc, z_half, z_both);
        CHECK(fabs(before) < FU_WATERMARK_THRESHOLD, "picture %d unmarked reads %.2f", i, before);
        CHECK(z >= 12, "picture %d marked reads only %.2f", i, z);
        CHECK(q >= 40, "picture %d: the mark costs too much: %.1f dB", i, q);
        CHECK(z_enc >= FU_WATERMARK_THRESHOLD + 2, "picture %d: %.2f after x264", i, z_enc);
        CHECK(z_half >= FU_WATERMARK_THRESHOLD + 2, "picture %d: %.2f after halving", i, z_half);
        CHECK(z_both >= FU_WATERMARK_THRESHOLD + 2, "picture %d: %.2f after x264 and halving", i, z_both);
        CHECK(fabs(strength(&marked, "another key")) < FU_WATERMARK_THRESHOLD, "picture %d: another key finds it", i);
        facefuse_image_free(&marked);
        facefuse_image_free(&again);
        facefuse_image_free(&enc);
        facefuse_image_free(&small);
        facefuse_image_free(&both);
        facefuse_image_free(&pics[i]);
    }
    fu_watermark_free(wm);
}

static void no_false_positive_on_unmarked_frames(void)
{
    fu_video_reader *r = NULL;
    fu_err err;
    REQUIRE(fu_video_reader_open(&r, tl_shared("samples/grace_hopper_zoom_2s.mp4"), 1, &err) == FACEFUSE_OK, "%s",
            err.msg);
    double worst = 0;
    int n = 0;
    for (int i = 0; i < 40; i++) {
        facefuse_image f = {0};
        int64_t pts;
        int got = 0;
        if (fu_video_reader_next(r, &f, &pts, &got, &err) != FACEFUSE_OK || !got)
            break;
        if (i % 2 == 0) {
            /* at the source size and, like the marked pictures, at 720p */
            facefuse_image big = hd(&f);
            double z = fabs(strength(i % 4 ? &f : &big, NULL));
            worst = z > worst ? z : worst;
            n++;
            facefuse_image_free(&big);
        }
        facefuse_image_free(&f);
    }
    fu_video_reader_close(r);
    printf("  %d unmarked frames: largest |strength| %.2f\n", n, worst);
    CHECK(n == 20, "%d frames", n);
    CHECK(worst < FU_WATERMARK_THRESHOLD, "an unmarked frame reads %.2f", worst);
}

static void visible_text_marks_only_its_corner(void)
{
    facefuse_image im = {0}, orig = {0};
    facefuse_image_alloc(&im, 640, 360, 3);
    memset(im.data, 60, (size_t)im.stride * im.height);
    fu_image_copy(&orig, &im);
    fu_watermark_draw_text(&im, "MADE WITH FACEFUSE", "bottom-right", 100);
    int changed = 0, white = 0, outside = 0;
    for (int y = 0; y < 360; y++)
        for (int x = 0; x < 640; x++) {
            const uint8_t *p = fu_pixel(&im, x, y), *q = fu_pixel(&orig, x, y);
            if (memcmp(p, q, 3)) {
                changed++;
                white += p[0] == 255 && p[1] == 255 && p[2] == 255;
                outside += x < 320 || y < 300;
            }
        }
    CHECK(changed > 500 && white > 300, "%d pixels changed, %d white", changed, white);
    CHECK(outside == 0, "%d changed pixels outside the bottom-right corner", outside);
    facefuse_image faint = {0};
    fu_image_copy(&faint, &orig);
    fu_watermark_draw_text(&faint, "MADE WITH FACEFUSE", "top-left", 0);
    CHECK(!memcmp(faint.data, orig.data, (size_t)orig.stride * orig.height), "opacity 0 changed the frame");
    facefuse_image_free(&faint);
    facefuse_image_free(&im);
    facefuse_image_free(&orig);
}

int main(void)
{
    av_log_set_level(AV_LOG_QUIET);
    RUN(invisible_mark_survives_x264_and_half_size);
    RUN(no_false_positive_on_unmarked_frames);
    RUN(visible_text_marks_only_its_corner);
    return tl_finish();
}
