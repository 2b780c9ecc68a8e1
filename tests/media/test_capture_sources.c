/*
 * test_capture_sources.c — camera input without a camera:
 * - a file at another aspect ratio with --webcam-resolution is scaled to
 *   cover and centre-cropped (the gradient's rows land where the crop puts
 *   them), at exactly the asked size;
 * - --webcam-fps 10 on a 30 fps file keeps every third frame;
 * - --camera-loop starts the file again at its end with timestamps that keep
 *   increasing by one frame;
 * - --camera-realtime delivers 15 frames of a 30 fps file in about 0.5 s;
 *   without it they come as fast as they decode;
 * - a lavfi graph is a camera; a missing file and a missing device fail with
 *   one message naming them.
 */
#include "core/clock.h"
#include "core/image.h"
#include "media/capture.h"
#include "testlib.h"
#include "video_testutil.h"

static const char *clip_path(int frames, int w, int h)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s", tl_tmp("cam.mkv"));
    vt_clip c = vt_clip_default();
    c.frames = frames;
    c.width = w;
    c.height = h;
    c.fps = 30;
    c.audio_tracks = 0;
    c.vcodec = "ffv1";
    return vt_make_clip(path, &c) == 0 ? path : NULL;
}

static int read_all(fu_capture_params *p, int max, double *times, facefuse_image *last)
{
    fu_capture *c;
    fu_err err;
    int n = 0, got = 1;
    if (fu_capture_open(&c, p, &err) != FACEFUSE_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    while (n < max && got) {
        fu_capture_frame info;
        if (fu_capture_read(c, last, &info, &got, &err) != FACEFUSE_OK) {
            fprintf(stderr, "%s\n", err.msg);
            break;
        }
        if (got)
            times[n++] = info.time_s;
    }
    fu_capture_close(c);
    return n;
}

static void resolution_covers_and_crops(void)
{
    const char *clip = clip_path(3, 160, 120); /* 4:3 */
    REQUIRE(clip, "clip");
    fu_capture_params p = {0};
    double times[8];
    facefuse_image im = {0};
    p.source = clip;
    p.width = 160;
    p.height = 90; /* 16:9: 15 rows cut at the top and the bottom */
    REQUIRE(read_all(&p, 8, times, &im) == 3, "frames");
    CHECK(im.width == 160 && im.height == 90, "%dx%d", im.width, im.height);
    /* vt_pattern: green = y · 255 / 120 in the source; row y here is source row y + 15. */
    int worst = 0;
    for (int y = 10; y < 80; y += 10) {
        int want = (y + 15) * 255 / 120, got = fu_pixel(&im, 40, y)[1];
        worst = abs(got - want) > worst ? abs(got - want) : worst;
    }
    CHECK(worst <= 6, "rows off by up to %d levels", worst);
    facefuse_image_free(&im);
}

static void fps_cap_keeps_every_third(void)
{
    const char *clip = clip_path(30, 160, 120);
    REQUIRE(clip, "clip");
    fu_capture_params p = {0};
    double times[64];
    facefuse_image im = {0};
    p.source = clip;
    p.fps = 10;
    int n = read_all(&p, 64, times, &im);
    CHECK(n == 10, "%d frames at 10 fps from 30 at 30 fps", n);
    for (int i = 1; i < n; i++)
        CHECK(fabs(times[i] - times[i - 1] - 0.1) < 0.005, "frames %.3f s apart", times[i] - times[i - 1]);
    facefuse_image_free(&im);
}

static void loop_keeps_time_increasing(void)
{
    const char *clip = clip_path(10, 160, 120);
    REQUIRE(clip, "clip");
    fu_capture_params p = {0};
    double times[32];
    facefuse_image im = {0};
    p.source = clip;
    p.loop = 1;
    int n = read_all(&p, 25, times, &im);
    CHECK(n == 25, "%d frames from a looped 10-frame file", n);
    for (int i = 1; i < n; i++)
        CHECK(fabs(times[i] - times[i - 1] - 1 / 30.0) < 0.002, "frame %d: %.4f s after the last", i,
              times[i] - times[i - 1]);
    facefuse_image_free(&im);
}

static void realtime_paces_files(void)
{
    const char *clip = clip_path(16, 160, 120);
    REQUIRE(clip, "clip");
    fu_capture_params p = {0};
    double times[32];
    facefuse_image im = {0};
    p.source = clip;
    p.realtime = 1;
    int64_t t0 = fu_now_ns();
    int n = read_all(&p, 16, times, &im);
    double paced = (fu_now_ns() - t0) / 1e9;
    p.realtime = 0;
    t0 = fu_now_ns();
    read_all(&p, 16, times, &im);
    double fast = (fu_now_ns() - t0) / 1e9;
    printf("  16 frames at 30 fps: %.3f s in real time, %.3f s unpaced\n", paced, fast);
    CHECK(n == 16, "%d frames", n);
    CHECK(paced >= 0.48 && paced < 1.5, "real time took %.3f s for 0.5 s of video", paced);
    CHECK(fast < paced, "unpaced reading (%.3f s) is not faster", fast);
    facefuse_image_free(&im);
}

static void lavfi_and_bad_sources(void)
{
    fu_capture_params p = {0};
    double times[8];
    facefuse_image im = {0};
    fu_capture *c;
    fu_err err;
    p.source = "lavfi:testsrc2=size=200x100:rate=25";
    CHECK(read_all(&p, 5, times, &im) == 5 && im.width == 200 && im.height == 100, "lavfi camera %dx%d", im.width,
          im.height);
    p.source = tl_tmp("missing.mp4");
    CHECK(fu_capture_open(&c, &p, &err) == FACEFUSE_ERR_DECODE && strstr(err.msg, "missing.mp4"), "%s", err.msg);
    p.source = "/dev/video-none";
    CHECK(fu_capture_open(&c, &p, &err) == FACEFUSE_ERR_IO && strstr(err.msg, "/dev/video-none"), "%s", err.msg);
    p.source = "lavfi:testsrc2";
    p.width = 100;
    CHECK(fu_capture_open(&c, &p, &err) == FACEFUSE_ERR_INVALID_ARGUMENT, "width without height accepted");
    facefuse_image_free(&im);
}

int main(void)
{
    RUN(resolution_covers_and_crops);
    RUN(fps_cap_keeps_every_third);
    RUN(loop_keeps_time_increasing);
    RUN(realtime_paces_files);
    RUN(lavfi_and_bad_sources);
    return tl_finish();
}
