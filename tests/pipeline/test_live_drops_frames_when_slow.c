/*
 * test_live_drops_frames_when_slow.c — the real-time policy with a frame
 * callback that takes 100 ms (a chain too slow for a 30 fps camera):
 * - a paced camera (lavfi testsrc2 at 30 fps, real time) keeps running:
 *   about 30 frames a second come in, about 10 go out, the rest are counted
 *   as dropped (in = out + dropped, within the 2 frames in hand at the end);
 * - the callback always gets the newest frame, so latency stays bounded by
 *   one processing time plus a frame and the encoder (p95 under 250 ms,
 *   allowing for a loaded machine), and does not grow: the last second's
 *   p95 is no worse than the first's by more than 60 ms — nothing queues up;
 * - the frames it gets have increasing capture times, about 100 ms apart;
 * - an unpaced file camera (no --camera-realtime) drops nothing: every
 *   frame of the file is processed, however slow.
 */
#include "livetest.h"

#include "pipeline/live_run.h"
#include "testlib.h"
#include "../media/video_testutil.h"

typedef struct slow {
    int delay_ms;
    double times[256];
    int n;
} slow;

static facefuse_status slow_process(void *user, facefuse_image *frame, double time_s, int *faces, fu_err *err)
{
    slow *s = user;
    if (s->n < 256)
        s->times[s->n++] = time_s;
    usleep((useconds_t)s->delay_ms * 1000);
    return FACEFUSE_OK;
}

static void slow_chain_drops_and_latency_stays_bounded(void)
{
    slow s = {100, {0}, 0};
    fu_live_job job;
    memset(&job, 0, sizeof job);
    job.camera.source = "lavfi:testsrc2=size=320x180:rate=30";
    job.camera.realtime = 1;
    job.output = tl_tmp("slow.mkv");
    job.stats_path = tl_tmp("slow.jsonl");
    job.process = slow_process;
    job.process_user = &s;
    job.max_seconds = 3.2;
    fu_live_summary sum;
    fu_err err;
    REQUIRE(fu_live_run(&job, &sum, &err) == FACEFUSE_OK, "%s", err.msg);
    printf("  %.2f s: %lld in, %lld out, %lld dropped; latency p50 %.1f p95 %.1f max %.1f ms\n", sum.seconds,
           (long long)sum.frames_in, (long long)sum.frames_out, (long long)sum.dropped, sum.latency_p50_ms,
           sum.latency_p95_ms, sum.latency_max_ms);
    double secs = sum.seconds;
    CHECK(sum.frames_in >= 25 * secs && sum.frames_in <= 31 * secs + 2, "%lld frames in over %.2f s",
          (long long)sum.frames_in, secs);
    CHECK(sum.frames_out >= 6 * secs && sum.frames_out <= 10.5 * secs + 1, "%lld frames out over %.2f s",
          (long long)sum.frames_out, secs);
    CHECK(sum.dropped >= sum.frames_in / 2, "only %lld dropped", (long long)sum.dropped);
    CHECK(sum.frames_out + sum.dropped <= sum.frames_in && sum.frames_out + sum.dropped >= sum.frames_in - 2,
          "in %lld != out %lld + dropped %lld", (long long)sum.frames_in, (long long)sum.frames_out,
          (long long)sum.dropped);
    CHECK(sum.latency_p95_ms < 250, "latency p95 %.1f ms", sum.latency_p95_ms);
    CHECK(sum.latency_p50_ms >= 100, "latency p50 %.1f ms is less than the processing time", sum.latency_p50_ms);

    int increasing = 1;
    double gaps = 0;
    for (int i = 1; i < s.n; i++) {
        increasing &= s.times[i] > s.times[i - 1];
        gaps += s.times[i] - s.times[i - 1];
    }
    CHECK(increasing, "capture times given to the callback do not increase");
    if (s.n > 1)
        CHECK(gaps / (s.n - 1) > 0.09 && gaps / (s.n - 1) < 0.16, "the callback gets frames %.3f s apart",
              gaps / (s.n - 1));

    /* Per-second p95: the first full second against the last. */
    char *stats = lt_read_file(job.stats_path);
    double first = -1, last = -1;
    int windows = 0;
    for (char *line = strtok(stats, "\n"); line; line = strtok(NULL, "\n")) {
        if (strstr(line, "\"summary\""))
            continue;
        double p95 = lt_number(line, "p95");
        CHECK(lt_number(line, "dropped") > 0, "a second without drops: %s", line);
        if (first < 0)
            first = p95;
        last = p95;
        windows++;
    }
    printf("  per-second latency p95: first %.1f ms, last %.1f ms over %d seconds\n", first, last, windows);
    CHECK(windows >= 2, "%d stats lines", windows);
    CHECK(last <= first + 60, "latency grows: %.1f ms then %.1f ms", first, last);
    free(stats);
}

static void unpaced_file_processes_every_frame(void)
{
    char clip[1024];
    snprintf(clip, sizeof clip, "%s", tl_tmp("unpaced.mp4"));
    vt_clip c = vt_clip_default();
    c.frames = 20;
    c.audio_tracks = 0;
    REQUIRE(vt_make_clip(clip, &c) == 0, "clip");
    slow s = {20, {0}, 0};
    fu_live_job job;
    memset(&job, 0, sizeof job);
    job.camera.source = clip;
    job.process = slow_process;
    job.process_user = &s;
    fu_live_summary sum;
    fu_err err;
    REQUIRE(fu_live_run(&job, &sum, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(sum.frames_in == 20 && sum.frames_out == 20 && sum.dropped == 0, "in %lld, out %lld, dropped %lld",
          (long long)sum.frames_in, (long long)sum.frames_out, (long long)sum.dropped);
    CHECK(s.n == 20, "%d frames processed", s.n);
}

int main(void)
{
    RUN(slow_chain_drops_and_latency_stays_bounded);
    RUN(unpaced_file_processes_every_frame);
    return tl_finish();
}
