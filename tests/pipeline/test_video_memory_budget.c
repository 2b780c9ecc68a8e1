/*
 * test_video_memory_budget.c — frames in flight are bounded by a memory
 * budget, not only by the thread count: the ring holds 2 × workers + 2
 * frames unless that many frames (at the size processing makes them) pass
 * the budget (4K with 32 workers is 21 frames, not 66; a 4K frame enlarged
 * ×4 holds 2); and a run with 8 workers and a budget of 3 frames never has
 * more than 3 frames in process() at once, yet writes every frame.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "pipeline/video_run.h"
#include "testlib.h"
#include "../media/video_testutil.h"

#define FRAMES 40

static void capacity_follows_the_budget(void)
{
    const int64_t mb = 1 << 20, hd = 1920LL * 1080 * 3, uhd = 3840LL * 2160 * 3;
    CHECK(fu_video_ring_capacity(hd, 32, 512 * mb) == 66, "1080p, 32 workers: %d", fu_video_ring_capacity(hd, 32, 512 * mb));
    CHECK(fu_video_ring_capacity(uhd, 32, 512 * mb) == 21, "4K, 32 workers: %d", fu_video_ring_capacity(uhd, 32, 512 * mb));
    CHECK(fu_video_ring_capacity(uhd * 16, 8, 512 * mb) == 2, "4K enlarged x4: %d",
          fu_video_ring_capacity(uhd * 16, 8, 512 * mb));
    CHECK(fu_video_ring_capacity(uhd, 32, 0) == fu_video_ring_capacity(uhd, 32, FU_VIDEO_MEMORY_BUDGET),
          "0 is the default budget");
    CHECK(fu_video_ring_capacity(1000, 4, 512 * mb) == 10, "small frames: 2 x 4 + 2");
}

static atomic_int in_flight, most_in_flight, calls;

static facefuse_status slow_process(void *user, facefuse_image *frame, int64_t index, fu_err *err)
{
    (void)user, (void)frame, (void)index, (void)err;
    int now = atomic_fetch_add(&in_flight, 1) + 1;
    int seen = atomic_load(&most_in_flight);
    while (now > seen && !atomic_compare_exchange_weak(&most_in_flight, &seen, now))
        ;
    usleep(20000);
    atomic_fetch_sub(&in_flight, 1);
    atomic_fetch_add(&calls, 1);
    return FACEFUSE_OK;
}

static void a_small_budget_bounds_frames_in_process(void)
{
    const char *in = tl_tmp("budget_in.mkv"), *out = tl_tmp("budget_out.mkv");
    vt_clip c = vt_clip_default();
    c.frames = FRAMES;
    c.vcodec = "ffv1";
    c.audio_tracks = 0;
    REQUIRE(vt_make_clip(in, &c) == 0, "make clip");
    fu_video_job job = fu_video_job_default();
    job.target_path = in;
    job.output_path = out;
    job.video_encoder = "ffv1";
    job.thread_count = 8;
    job.process = slow_process;
    job.memory_budget_bytes = 3LL * c.width * c.height * 3; /* three frames */
    fu_err err;
    REQUIRE(fu_video_run(&job, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(atomic_load(&most_in_flight) <= 3, "%d frames in process() at once", atomic_load(&most_in_flight));
    CHECK(atomic_load(&calls) == FRAMES, "%d of %d frames processed", atomic_load(&calls), FRAMES);
    vt_stats st;
    REQUIRE(vt_probe(out, &st) == 0, "probe");
    CHECK(vt_video_frames(&st) == FRAMES, "%d frames written", vt_video_frames(&st));
    vt_stats_free(&st);
    /* the same run without a budget uses the workers */
    atomic_store(&most_in_flight, 0);
    atomic_store(&calls, 0);
    job.memory_budget_bytes = 0;
    REQUIRE(fu_video_run(&job, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(atomic_load(&most_in_flight) > 3, "without a budget only %d frames at once", atomic_load(&most_in_flight));
}

int main(void)
{
    av_log_set_level(AV_LOG_ERROR);
    RUN(capacity_follows_the_budget);
    RUN(a_small_budget_bounds_frames_in_process);
    return tl_finish();
}
