/*
 * test_cli_video_face_chain_keeps_audio.c — `--processors face_swapper
 * expression_restorer face_enhancer` on a video with a soundtrack (a face
 * photo over a tone, made here), with the stand-ins of the test model
 * cache: every frame is written, the face changed and a far corner did not,
 * and the audio is copied packet for packet (the processors that need the
 * original frame do not disturb the muxing).
 */
#include "clitest.h"
#include "core/image.h"
#include "media/resize.h"
#include "media/video_reader.h"
#include "../media/video_testutil.h"

#define FRAMES 6

static facefuse_context *ctx;

/* The first frame of a video, decoded. */
static facefuse_image first_frame(const char *path)
{
    facefuse_image f = {0};
    fu_video_reader *r = NULL;
    int64_t pts;
    int got = 0;
    fu_err err;
    if (fu_video_reader_open(&r, path, 1, &err) == FACEFUSE_OK)
        fu_video_reader_next(r, &f, &pts, &got, &err);
    fu_video_reader_close(r);
    return f;
}

/* Mean |a − b| per value over the rectangle x0,y0–x1,y1. */
static double mean_diff(const facefuse_image *a, const facefuse_image *b, int x0, int y0, int x1, int y1)
{
    double sum = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            for (int ch = 0; ch < 3; ch++)
                sum += abs(fu_pixel(a, x, y)[ch] - fu_pixel(b, x, y)[ch]);
    return sum / (3.0 * (x1 - x0) * (y1 - y0));
}

static void swap_restore_enhance_keeps_the_soundtrack(void)
{
    const char *clip = tl_tmp("face-tone.mp4"), *out = tl_tmp("face-tone-out.mp4");
    facefuse_image photo = tl_load(ctx, "samples/grace_hopper.jpg"), small = {0};
    vt_stats in, res;
    /* 256×300 (even sizes for 4:2:0), FRAMES frames of the photo over a tone */
    REQUIRE(fu_resize(&photo, &small, 256, 300) == FACEFUSE_OK, "resize");
    uint8_t *rgb = malloc((size_t)256 * 300 * 3);
    for (int y = 0; y < 300; y++)
        memcpy(rgb + (size_t)y * 256 * 3, small.data + (size_t)y * small.stride, 256 * 3);
    vt_clip c = vt_clip_default();
    c.width = 256, c.height = 300, c.frames = FRAMES, c.still = rgb;
    REQUIRE(vt_make_clip(clip, &c) == 0, "make clip");
    free(rgb);
    char args[4096], *e = NULL;
    snprintf(args, sizeof args,
             "headless-run -s '%s' -t '%s' -o '%s' --processors face_swapper expression_restorer face_enhancer "
             "--face-swapper-model inswapper_128 --face-enhancer-model gfpgan_1.4 --face-detector-model scrfd "
             "--face-landmarker-score 0 --log-level error --progress none",
             tl_shared("samples/astronaut.png"), clip, out);
    int code = tl_run_cli(args, NULL, &e);
    REQUIRE(code == 0, "exit %d: %s", code, e ? e : "");
    free(e);
    REQUIRE(vt_probe(clip, &in) == 0 && vt_probe(out, &res) == 0, "probe");
    REQUIRE(in.audio_count == 1 && res.audio_count == 1, "audio streams %d -> %d", in.audio_count, res.audio_count);
    const vt_stream_stats *sa = &in.s[in.audio[0]], *sb = &res.s[res.audio[0]];
    int same = 0;
    for (int i = 0; i < sa->packets && i < sb->packets; i++)
        same += sa->hashes[i] == sb->hashes[i];
    CHECK(sa->packets > 0 && sa->packets == sb->packets && same == sa->packets,
          "audio: %d packets -> %d, %d identical", sa->packets, sb->packets, same);
    CHECK(vt_video_frames(&res) == FRAMES, "%d frames written of %d", vt_video_frames(&res), FRAMES);
    vt_stats_free(&in);
    vt_stats_free(&res);

    /* the face (Grace Hopper's, about x 90-170, y 60-170 at this size) changed; a corner did not */
    facefuse_image fa = first_frame(clip), fb = first_frame(out);
    REQUIRE(fa.data && fb.data && fa.width == fb.width && fa.height == fb.height, "first frames");
    double face = mean_diff(&fa, &fb, 100, 80, 160, 160), corner = mean_diff(&fa, &fb, 0, 260, 40, 300);
    printf("    first frame: mean change %.2f on the face, %.2f in a corner\n", face, corner);
    CHECK(face > 4 && corner < 2, "mean change %.2f on the face, %.2f in a corner", face, corner);
    facefuse_image_free(&fa), facefuse_image_free(&fb);
    facefuse_image_free(&small), facefuse_image_free(&photo);
}

int main(void)
{
    ctx = tl_context();
    RUN(swap_restore_enhance_keeps_the_soundtrack);
    facefuse_context_free(ctx);
    return tl_finish();
}
