/*
 * test_video_alpha_kept.c — a video with an alpha channel (ffv1 in .mkv)
 * through `headless-run` with face_swapper and face_enhancer, whose
 * paste-back writes only RGB: the output video has alpha, byte-identical
 * to the input's in every frame, while the face did change.
 */
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "media/video_reader.h"
#include "media/video_writer.h"
#include "testlib.h"

#define FRAMES 3

static uint8_t alpha_at(int x, int y, int i)
{
    if ((x / 16 + y / 16 + i) % 5 == 0)
        return 0;
    return (uint8_t)(60 + (x * 7 + y * 3 + i * 11) % 196);
}

static facefuse_status write_rgba_clip(const char *path, const facefuse_image *face, fu_err *err)
{
    fu_video_writer_params p = {0};
    p.final_path = path, p.temp_path = path;
    p.width = face->width, p.height = face->height, p.channels = 4;
    p.encoder = "ffv1";
    p.tb_num = 1, p.tb_den = 25, p.fps_num = 25, p.fps_den = 1;
    p.require_alpha = 1;
    fu_video_writer *w;
    facefuse_status st = fu_video_writer_open(&w, &p, err);
    if (st != FACEFUSE_OK)
        return st;
    st = fu_video_writer_start(w, err);
    facefuse_image f = {0};
    facefuse_image_alloc(&f, face->width, face->height, 4);
    for (int i = 0; i < FRAMES && st == FACEFUSE_OK; i++) {
        for (int y = 0; y < f.height; y++)
            for (int x = 0; x < f.width; x++) {
                memcpy(fu_pixel(&f, x, y), fu_pixel(face, x, y), 3);
                fu_pixel(&f, x, y)[3] = alpha_at(x, y, i);
            }
        st = fu_video_writer_write(w, &f, i, err);
    }
    if (st == FACEFUSE_OK)
        st = fu_video_writer_finish(w, err);
    fu_video_writer_free(w);
    facefuse_image_free(&f);
    return st;
}

static void swap_and_enhance_keep_video_alpha(void)
{
    facefuse_context *ctx = tl_context();
    facefuse_image face = tl_load(ctx, "samples/grace_hopper.jpg");
    const char *in = tl_tmp("rgba-in.mkv"), *out = tl_tmp("rgba-out.mkv");
    fu_err err;
    REQUIRE(write_rgba_clip(in, &face, &err) == FACEFUSE_OK, "%s", err.msg);
    char args[4096], *e = NULL;
    snprintf(args, sizeof args,
             "headless-run -s '%s' -t '%s' -o '%s' --processors face_swapper face_enhancer "
             "--face-swapper-model inswapper_128 --face-detector-model scrfd --face-landmarker-score 0 "
             "--output-video-encoder ffv1 --log-level error",
             tl_shared("samples/astronaut.png"), in, out);
    int code = tl_run_cli(args, NULL, &e);
    REQUIRE(code == 0, "exit %d: %s", code, e ? e : "");
    free(e);

    fu_video_reader *r;
    REQUIRE(fu_video_reader_open(&r, out, 0, &err) == FACEFUSE_OK, "%s", err.msg);
    facefuse_image got = {0};
    int64_t pts;
    int n = 0, ok = 0;
    long alpha_changed = 0, face_changed = 0;
    while (fu_video_reader_next(r, &got, &pts, &ok, &err) == FACEFUSE_OK && ok) {
        REQUIRE(got.channels == 4, "frame %d has %d channels", n, got.channels);
        for (int y = 0; y < got.height; y++)
            for (int x = 0; x < got.width; x++) {
                alpha_changed += fu_pixel(&got, x, y)[3] != alpha_at(x, y, n);
                if (x >= 200 && x < 330 && y >= 170 && y < 300)
                    face_changed += memcmp(fu_pixel(&got, x, y), fu_pixel(&face, x, y), 3) != 0;
            }
        n++;
    }
    CHECK(n == FRAMES, "%d frames", n);
    CHECK(alpha_changed == 0, "%ld alpha values changed", alpha_changed);
    CHECK(face_changed > 5000 * FRAMES, "the face did not change (%ld)", face_changed);
    facefuse_image_free(&got);
    fu_video_reader_close(r);
    facefuse_image_free(&face);
    facefuse_context_free(ctx);
}

int main(void)
{
    RUN(swap_and_enhance_keep_video_alpha);
    return tl_finish();
}
