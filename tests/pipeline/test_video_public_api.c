/*
 * test_video_public_api.c — the public video calls: the reader hands out
 * every frame of the shared clip upright at its size, and
 * facefuse_process_video runs the caller's callback exactly once per frame
 * and writes a clip with the same frame count; a failing callback stops the
 * run with its status and leaves no output.
 */
#include <stdatomic.h>
#include <string.h>

#include "testlib.h"
#include "../media/video_testutil.h"

static facefuse_context *ctx;
static _Atomic int calls;
static _Atomic long long index_sum;

static facefuse_status count_frame(facefuse_image *frame, int64_t index, void *user)
{
    (void)user;
    atomic_fetch_add(&calls, 1);
    atomic_fetch_add(&index_sum, (long long)index);
    memset(frame->data, 0, (size_t)frame->stride * 8); /* blacken the top rows */
    return FACEFUSE_OK;
}

static facefuse_status fail_at_10(facefuse_image *frame, int64_t index, void *user)
{
    (void)frame;
    (void)user;
    return index == 10 ? FACEFUSE_ERR_INTERNAL : FACEFUSE_OK;
}

static void reader_gives_every_frame(void)
{
    facefuse_video *v = NULL;
    REQUIRE(facefuse_video_open(ctx, tl_shared("samples/grace_hopper_zoom_2s.mp4"), &v) == FACEFUSE_OK, "%s",
            facefuse_context_errmsg(ctx));
    facefuse_video_info info = facefuse_video_get_info(v);
    CHECK(info.width == 320 && info.height == 376 && info.fps > 24.9 && info.fps < 25.1, "%dx%d %.2f fps", info.width,
          info.height, info.fps);
    int frames = 0, got = 1;
    while (got) {
        facefuse_image f = {0};
        REQUIRE(facefuse_video_read(ctx, v, &f, &got) == FACEFUSE_OK, "%s", facefuse_context_errmsg(ctx));
        if (got) {
            CHECK(f.width == 320 && f.height == 376, "frame size");
            frames++;
        }
        facefuse_image_free(&f);
    }
    CHECK(frames == 50, "%d frames", frames);
    facefuse_video_close(v);
    facefuse_video *bad = NULL;
    CHECK(facefuse_video_open(ctx, tl_shared("samples/astronaut.png") /* not a video */, &bad) != FACEFUSE_OK ||
              bad != NULL, "an image is not a video");
    facefuse_video_close(bad);
}

static void process_video_calls_back_once_per_frame(void)
{
    facefuse_video_params p = facefuse_video_default_params();
    const char *out = tl_tmp("api.mp4");
    p.on_frame = count_frame;
    p.thread_count = 3;
    REQUIRE(facefuse_process_video(ctx, tl_shared("samples/grace_hopper_zoom_2s.mp4"), out, &p) == FACEFUSE_OK, "%s",
            facefuse_context_errmsg(ctx));
    CHECK(calls == 50 && index_sum == 49 * 50 / 2, "%d calls, index sum %lld", (int)calls, (long long)index_sum);
    vt_stats st;
    REQUIRE(vt_probe(out, &st) == 0, "probe");
    CHECK(vt_video_frames(&st) == 50, "%d frames written", vt_video_frames(&st));
    vt_stats_free(&st);
}

static void failing_callback_stops_and_leaves_nothing(void)
{
    facefuse_video_params p = facefuse_video_default_params();
    const char *out = tl_tmp("fail.mp4");
    p.on_frame = fail_at_10;
    CHECK(facefuse_process_video(ctx, tl_shared("samples/grace_hopper_zoom_2s.mp4"), out, &p) == FACEFUSE_ERR_INTERNAL,
          "status");
    CHECK(strstr(facefuse_context_errmsg(ctx), "frame 10") != NULL, "message: %s", facefuse_context_errmsg(ctx));
    FILE *f = fopen(out, "rb");
    CHECK(f == NULL, "output left behind");
    if (f)
        fclose(f);
}

int main(void)
{
    ctx = tl_context();
    RUN(reader_gives_every_frame);
    RUN(process_video_calls_back_once_per_frame);
    RUN(failing_callback_stops_and_leaves_nothing);
    facefuse_context_free(ctx);
    return tl_finish();
}
