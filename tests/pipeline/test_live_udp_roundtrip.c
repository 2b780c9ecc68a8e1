/*
 * test_live_udp_roundtrip.c — a generated 2-second clip used as the camera,
 * played in real time (--camera-realtime), each frame stamped with its
 * processing number by the frame callback, sent to udp://127.0.0.1:PORT
 * (a free port) as MPEG-TS, and read back with libavformat:
 * - the frames decode, at the camera's size;
 * - their timestamps increase and span the clip's duration (they follow
 *   capture time: 2 s of camera is 2 s of stream);
 * - the stamps come in order with none repeated;
 * - the count received equals the frames the session says it sent, within
 *   2 (bound: the receiver may lose at most the frames of one UDP datagram
 *   burst; on the loopback with a 4 MB buffer it loses none in practice);
 * - the session took about the clip's length (real time), dropped nothing
 *   (the callback is fast) and wrote one stats line a second plus a summary
 *   whose counts match.
 */
#include "livetest.h"

#include "core/clock.h"
#include "pipeline/live_run.h"
#include "testlib.h"
#include "../media/video_testutil.h"

#define CLIP_FRAMES 60
#define FPS 30

typedef struct stamper {
    int64_t next;
} stamper;

static facefuse_status stamp(void *user, facefuse_image *frame, double time_s, int *faces, fu_err *err)
{
    stamper *s = user;
    vt_stamp(frame, s->next++);
    *faces = 1;
    return FACEFUSE_OK;
}

static void realtime_clip_to_udp_and_back(void)
{
    char clip[1024], url[128];
    snprintf(clip, sizeof clip, "%s", tl_tmp("camera.mp4"));
    vt_clip c = vt_clip_default();
    c.width = 320;
    c.height = 180;
    c.frames = CLIP_FRAMES;
    c.fps = FPS;
    c.audio_tracks = 0;
    REQUIRE(vt_make_clip(clip, &c) == 0, "clip");

    int port = lt_free_udp_port();
    REQUIRE(port > 0, "no free UDP port");
    snprintf(url, sizeof url, "udp://127.0.0.1:%d", port);
    static lt_receiver rx;
    REQUIRE(lt_receiver_start(&rx, port), "receiver on port %d", port);

    stamper st = {0};
    fu_live_job job;
    memset(&job, 0, sizeof job);
    job.camera.source = clip;
    job.camera.realtime = 1;
    job.output = url;
    job.stats_path = tl_tmp("stats.jsonl");
    job.process = stamp;
    job.process_user = &st;
    fu_live_summary sum;
    fu_err err;
    int64_t t0 = fu_now_ns();
    facefuse_status rc = fu_live_run(&job, &sum, &err);
    double took = (fu_now_ns() - t0) / 1e9;
    lt_receiver_join(&rx);
    REQUIRE(rc == FACEFUSE_OK, "%s", err.msg);

    printf("  session %.2f s: %lld in, %lld out, %lld dropped, p50 %.1f ms, p95 %.1f ms; received %d frames\n", took,
           (long long)sum.frames_in, (long long)sum.frames_out, (long long)sum.dropped, sum.latency_p50_ms,
           sum.latency_p95_ms, rx.frames);
    CHECK(took > 1.7 && took < 4.0, "a 2 s clip in real time took %.2f s", took);
    CHECK(sum.frames_in == CLIP_FRAMES, "%lld frames captured", (long long)sum.frames_in);
    CHECK(sum.frames_out + sum.dropped <= sum.frames_in && sum.frames_out + sum.dropped >= sum.frames_in - 2,
          "in %lld, out %lld, dropped %lld", (long long)sum.frames_in, (long long)sum.frames_out,
          (long long)sum.dropped);
    CHECK(rx.frames >= sum.frames_out - 2 && rx.frames <= sum.frames_out, "received %d frames, sent %lld", rx.frames,
          (long long)sum.frames_out);
    CHECK(rx.width == 320 && rx.height == 180, "received %dx%d", rx.width, rx.height);
    int increasing = 1, stamps_ok = 1;
    for (int i = 1; i < rx.frames; i++) {
        increasing &= rx.pts_s[i] > rx.pts_s[i - 1];
        stamps_ok &= rx.stamps[i] > rx.stamps[i - 1];
    }
    CHECK(increasing, "received timestamps do not increase");
    CHECK(stamps_ok, "frames out of order or repeated");
    if (rx.frames > 1) {
        double span = rx.pts_s[rx.frames - 1] - rx.pts_s[0];
        double want = (double)(CLIP_FRAMES - 1) / FPS;
        CHECK(span > want - 0.15 && span < want + 0.15, "stream timestamps span %.3f s, the camera %.3f s", span, want);
    }

    char *stats = lt_read_file(job.stats_path);
    int lines = 0, summaries = 0;
    const char *last = NULL;
    for (char *line = strtok(stats, "\n"); line; line = strtok(NULL, "\n")) {
        lines++;
        CHECK(line[0] == '{' && line[strlen(line) - 1] == '}', "not a JSON object: %s", line);
        CHECK(lt_number(line, "p95") >= 0 && lt_number(line, "frames_out") >= 0, "fields missing: %s", line);
        if (strstr(line, "\"summary\":true")) {
            summaries++;
            last = line;
        }
    }
    CHECK(lines >= 2 && lines <= 5, "%d stats lines for a 2 s session", lines);
    CHECK(summaries == 1 && last, "%d summary lines", summaries);
    if (last)
        CHECK(lt_number(last, "frames_out") == (double)sum.frames_out &&
                  lt_number(last, "frames_in") == (double)sum.frames_in,
              "summary line disagrees: %s", last);
    free(stats);
}

int main(void)
{
    RUN(realtime_clip_to_udp_and_back);
    return tl_finish();
}
