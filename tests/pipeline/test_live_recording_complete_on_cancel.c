/*
 * test_live_recording_complete_on_cancel.c — a live session recording to
 * .mkv, ended by its cancel flag (what the CLI's Ctrl-C sets) from inside
 * the frame callback after 20 frames:
 * - the run ends normally (FACEFUSE_OK, summary.cancelled);
 * - the recording is under its final name, with no partial file beside it,
 *   and decodes to exactly the frames the session sent, in order (stamped),
 *   with increasing timestamps that follow the capture times (the output
 *   may skip frames on a loaded machine: those are counted as dropped);
 * - an output nobody can write (a directory that does not exist, an unknown
 *   URL scheme) fails at the start with one message naming it.
 */
#include <dirent.h>

#include "livetest.h"

#include "media/video_reader.h"
#include "pipeline/live_run.h"
#include "testlib.h"
#include "../media/video_testutil.h"

typedef struct canceller {
    volatile int *cancel;
    int64_t next;
    int cancel_after;
} canceller;

static facefuse_status stamp_then_cancel(void *user, facefuse_image *frame, double time_s, int *faces, fu_err *err)
{
    canceller *c = user;
    vt_stamp(frame, c->next++);
    if (c->next == c->cancel_after)
        *c->cancel = 1;
    return FACEFUSE_OK;
}

static int partials_in(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strstr(e->d_name, ".partial-") != NULL;
    if (d)
        closedir(d);
    return n;
}

static void cancel_leaves_a_complete_recording(void)
{
    volatile int cancel = 0;
    canceller c = {&cancel, 0, 20};
    fu_live_job job;
    memset(&job, 0, sizeof job);
    job.camera.source = "lavfi:testsrc2=size=320x240:rate=30";
    job.camera.realtime = 1;
    job.output = tl_tmp("recording.mkv");
    job.process = stamp_then_cancel;
    job.process_user = &c;
    job.cancel = &cancel;
    job.max_seconds = 10; /* a safety net: the cancel ends it long before */
    fu_live_summary sum;
    fu_err err;
    REQUIRE(fu_live_run(&job, &sum, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(sum.cancelled, "summary does not say cancelled");
    CHECK(sum.seconds < 3, "the session went on for %.2f s after the cancel", sum.seconds);
    /* 20 processed; on a loaded machine the output may skip a few (counted as dropped) */
    CHECK(sum.frames_out >= 10 && sum.frames_out <= 20, "%lld frames out", (long long)sum.frames_out);
    CHECK(sum.frames_out + sum.dropped <= sum.frames_in, "%lld out + %lld dropped > %lld in",
          (long long)sum.frames_out, (long long)sum.dropped, (long long)sum.frames_in);
    CHECK(partials_in(tl_tmpdir()) == 0, "a partial file is left");

    fu_video_reader *r;
    REQUIRE(fu_video_reader_open(&r, job.output, 1, &err) == FACEFUSE_OK, "%s", err.msg);
    facefuse_image im = {0};
    int64_t pts, prev_pts = INT64_MIN, prev_stamp = -1;
    int got, n = 0, ordered = 1;
    while (fu_video_reader_next(r, &im, &pts, &got, &err) == FACEFUSE_OK && got) {
        int64_t s = vt_read_stamp(&im);
        ordered &= s > prev_stamp && pts > prev_pts;
        prev_stamp = s;
        prev_pts = pts;
        n++;
    }
    double last_s = fu_video_reader_pts_seconds(r, prev_pts);
    fu_video_reader_close(r);
    facefuse_image_free(&im);
    printf("  recording: %d frames, last at %.3f s; the session sent %lld\n", n, last_s, (long long)sum.frames_out);
    CHECK(n == sum.frames_out, "the recording has %d frames, the session sent %lld", n, (long long)sum.frames_out);
    CHECK(ordered, "frames or timestamps out of order");
    /* the last frame sent is the 20th processed: captured at frame 19 of the
     * 30 fps source or later (frames dropped before it), and before the end */
    CHECK(last_s > 19 / 30.0 - 0.05 && last_s < sum.seconds + 0.05,
          "last timestamp %.3f s (20th frame processed at 30 fps, session %.2f s)", last_s, sum.seconds);
}

static void unwritable_outputs_fail_at_start(void)
{
    fu_live_job job;
    fu_err err;
    memset(&job, 0, sizeof job);
    job.camera.source = "lavfi:testsrc2=size=160x120:rate=30";
    job.output = "/nonexistent-dir/recording.mkv";
    CHECK(fu_live_run(&job, NULL, &err) != FACEFUSE_OK, "wrote into a missing directory");
    CHECK(strstr(err.msg, "/nonexistent-dir") != NULL, "message does not name the output: %s", err.msg);
    job.output = "gopher://example/stream";
    CHECK(fu_live_run(&job, NULL, &err) == FACEFUSE_ERR_UNSUPPORTED, "gopher output accepted: %s", err.msg);
    CHECK(strstr(err.msg, "gopher://example/stream") != NULL, "message does not name the output: %s", err.msg);
    job.output = NULL;
    job.camera.source = tl_tmp("no-such-camera.mp4");
    CHECK(fu_live_run(&job, NULL, &err) == FACEFUSE_ERR_DECODE, "missing camera file: %s", err.msg);
    CHECK(strstr(err.msg, "no-such-camera.mp4") != NULL, "message does not name the camera: %s", err.msg);
}

int main(void)
{
    RUN(cancel_leaves_a_complete_recording);
    RUN(unwritable_outputs_fail_at_start);
    return tl_finish();
}
