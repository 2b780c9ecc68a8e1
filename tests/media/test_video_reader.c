/*
 * test_video_reader.c — the video reader decodes what was encoded: size,
 * frame count, fps, colours, rotation, seeking; and refuses bad files with
 * FACEFUSE_ERR_DECODE naming the path.
 */
#include <string.h>

#include "core/image.h"
#include "media/video_reader.h"
#include "testlib.h"
#include "video_testutil.h"

static const char *clip_path(void)
{
    static char path[4096];
    if (!path[0]) {
        snprintf(path, sizeof path, "%s", tl_tmp("clip.mp4"));
        vt_clip c = vt_clip_default();
        c.faststart = 1;
        if (vt_make_clip(path, &c) != 0)
            path[0] = '\0';
    }
    return path;
}

static void test_info_and_frames(void)
{
    const char *path = clip_path();
    REQUIRE(path[0], "could not make the test clip");
    fu_video_reader *r;
    fu_err err;
    REQUIRE(fu_video_reader_open(&r, path, 2, &err) == FACEFUSE_OK, "%s", err.msg);
    const fu_video_info *in = fu_video_reader_info(r);
    CHECK(in->width == 160 && in->height == 120, "size %dx%d", in->width, in->height);
    CHECK(in->frame_count == 30, "frame_count %lld", (long long)in->frame_count);
    CHECK(fabs(in->fps - 15.0) < 1e-6, "fps %f", in->fps);
    CHECK(in->channels == 3, "channels %d", in->channels);
    CHECK(in->rotation_deg == 0, "rotation %d", in->rotation_deg);
    CHECK(in->color_space == AVCOL_SPC_BT709, "colour space %d", in->color_space);

    facefuse_image im = {0};
    int64_t pts, last_pts = -1;
    int got, n = 0, monotonic = 1;
    double max_err = 0;
    uint8_t *ref = malloc(160 * 120 * 3);
    while (fu_video_reader_next(r, &im, &pts, &got, &err) == FACEFUSE_OK && got) {
        if (pts <= last_pts)
            monotonic = 0;
        last_pts = pts;
        vt_pattern(ref, 160 * 3, 160, 120, n);
        /* mean absolute error over the frame: lossy but close */
        double sum = 0;
        for (int y = 0; y < 120; y++)
            for (int x = 0; x < 160 * 3; x++)
                sum += abs((int)im.data[y * im.stride + x] - (int)ref[y * 480 + x]);
        double mae = sum / (160 * 120 * 3);
        if (mae > max_err)
            max_err = mae;
        n++;
    }
    CHECK(n == 30, "decoded %d frames", n);
    CHECK(monotonic, "pts not increasing");
    CHECK(max_err < 6.0, "colours off: mean abs error %.2f", max_err);
    free(ref);
    facefuse_image_free(&im);
    fu_video_reader_close(r);
}

static void test_seek_matches_sequential(void)
{
    const char *path = clip_path();
    REQUIRE(path[0], "no clip");
    fu_err err;
    facefuse_image at = {0}, seq = {0};
    REQUIRE(fu_video_read_frame_at(path, 17, &at, &err) == FACEFUSE_OK, "%s", err.msg);
    fu_video_reader *r;
    REQUIRE(fu_video_reader_open(&r, path, 1, &err) == FACEFUSE_OK, "%s", err.msg);
    int64_t pts;
    int got;
    for (int i = 0; i <= 17; i++)
        fu_video_reader_next(r, &seq, &pts, &got, &err);
    fu_video_reader_close(r);
    REQUIRE(at.width == seq.width && at.height == seq.height, "sizes differ");
    CHECK(memcmp(at.data, seq.data, (size_t)at.stride * at.height) == 0,
          "frame 17 by seeking differs from frame 17 decoded in sequence");
    facefuse_image_free(&at);
    /* past the end: the last frame */
    REQUIRE(fu_video_read_frame_at(path, 1000, &at, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(at.width == 160, "last frame missing");
    facefuse_image_free(&at);
    facefuse_image_free(&seq);
}

static void test_rotation_applied(void)
{
    const char *path = tl_tmp("rotated.mp4");
    vt_clip c = vt_clip_default();
    c.frames = 3;
    c.audio_tracks = 0;
    c.rotation_deg = 90;
    REQUIRE(vt_make_clip(path, &c) == 0, "cannot make clip");
    fu_video_info info;
    fu_err err;
    REQUIRE(fu_video_probe(path, &info, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(info.rotation_deg == 90, "rotation %d", info.rotation_deg);
    CHECK(info.width == 120 && info.height == 160, "size %dx%d", info.width, info.height);
    facefuse_image im = {0};
    REQUIRE(fu_video_read_frame_at(path, 0, &im, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(im.width == 120 && im.height == 160, "frame %dx%d", im.width, im.height);
    /* The pattern's red grows with x and green with y. Rotated 90° clockwise,
     * the source's top row (green 0) becomes the right column, and source x
     * grows downward, so red grows with y. */
    const uint8_t *top = fu_pixel(&im, 60, 2), *bottom = fu_pixel(&im, 60, 157);
    const uint8_t *left = fu_pixel(&im, 2, 40), *right = fu_pixel(&im, 117, 40);
    CHECK(bottom[0] > top[0] + 150, "red should grow downward: %d → %d", top[0], bottom[0]);
    CHECK(left[1] > right[1] + 150, "green should shrink rightward: %d → %d", left[1], right[1]);
    facefuse_image_free(&im);
}

static void expect_decode_error(const char *path)
{
    fu_video_reader *r = NULL;
    fu_err err;
    fu_err_clear(&err);
    facefuse_status st = fu_video_reader_open(&r, path, 2, &err);
    if (st == FACEFUSE_OK) {
        facefuse_image im = {0};
        int64_t pts;
        int got = 1;
        while (st == FACEFUSE_OK && got)
            st = fu_video_reader_next(r, &im, &pts, &got, &err);
        facefuse_image_free(&im);
        fu_video_reader_close(r);
    }
    CHECK(st == FACEFUSE_ERR_DECODE, "%s: status %d", path, st);
    CHECK(strstr(err.msg, path) != NULL, "message does not name the path: %s", err.msg);
    CHECK(strchr(err.msg, '\n') == NULL, "message not one line: %s", err.msg);
}

static void test_bad_inputs(void)
{
    const char *good = tl_tmp("good.mp4");
    vt_clip c = vt_clip_default();
    REQUIRE(vt_make_clip(good, &c) == 0, "cannot make clip");
    const char *good_fast = tl_tmp("good_fast.mp4");
    c.faststart = 1;
    REQUIRE(vt_make_clip(good_fast, &c) == 0, "cannot make clip");

    const char *cut = tl_tmp("cut.mp4");
    REQUIRE(vt_copy_bytes(good, cut, 0.3, 0, 0) == 0, "copy");
    expect_decode_error(cut);
    const char *cut_fast = tl_tmp("cut_fast.mp4");
    REQUIRE(vt_copy_bytes(good_fast, cut_fast, 0.3, 0, 0) == 0, "copy");
    expect_decode_error(cut_fast);
    const char *holed = tl_tmp("holed.mp4");
    REQUIRE(vt_copy_bytes(good, holed, 1.0, 0.3, 0.7) == 0, "copy");
    expect_decode_error(holed);

    const char *text = tl_tmp("text.mp4");
    FILE *f = fopen(text, "w");
    REQUIRE(f, "cannot write %s", text);
    fputs("this is not a video at all, just some words\n", f);
    fclose(f);
    expect_decode_error(text);

    const char *empty = tl_tmp("empty.mp4");
    f = fopen(empty, "w");
    REQUIRE(f, "cannot write %s", empty);
    fclose(f);
    expect_decode_error(empty);

    fu_err err;
    fu_video_reader *r;
    CHECK(fu_video_reader_open(&r, tl_tmp("missing.mp4"), 1, &err) == FACEFUSE_ERR_NOT_FOUND,
          "missing file");
}

int main(void)
{
    av_log_set_level(AV_LOG_QUIET);
    RUN(test_info_and_frames);
    RUN(test_seek_matches_sequential);
    RUN(test_rotation_applied);
    RUN(test_bad_inputs);
    return tl_finish();
}
