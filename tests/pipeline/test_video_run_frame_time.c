/*
 * test_video_run_frame_time.c — a job's process_at hears each frame's
 * presentation time from its timestamp, counted from the first frame kept
 * by the trim (what the lip syncer's audio window follows): on a variable
 * frame rate clip (durations 40–120 ms) trimmed at frame 5, frame i is at
 * pts(i) − pts(5), not (i − 5) / fps.
 */
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "pipeline/video_run.h"
#include "testlib.h"
#include "../media/video_testutil.h"

#define FRAMES 16
#define TRIM 5

typedef struct times {
    pthread_mutex_t lock;
    double t[FRAMES];
    int calls[FRAMES];
} times;

static facefuse_status record(void *user, facefuse_image *frame, int64_t index, double time_s, fu_err *err)
{
    times *s = user;
    (void)frame, (void)err;
    pthread_mutex_lock(&s->lock);
    if (index >= 0 && index < FRAMES) {
        s->t[index] = time_s;
        s->calls[index]++;
    }
    pthread_mutex_unlock(&s->lock);
    return FACEFUSE_OK;
}

static void vfr_frames_are_at_their_timestamps_from_the_trim(void)
{
    const char *in = tl_tmp("vfr.mkv");
    vt_clip c = vt_clip_default();
    c.frames = FRAMES, c.vfr = 1, c.vcodec = "ffv1", c.audio_tracks = 0;
    REQUIRE(vt_make_clip(in, &c) == 0, "make clip");
    times s;
    memset(&s, 0, sizeof s);
    pthread_mutex_init(&s.lock, NULL);
    fu_video_job job = fu_video_job_default();
    job.target_path = in;
    job.output_path = tl_tmp("vfr-out.mkv");
    job.video_encoder = "ffv1";
    job.thread_count = 3;
    job.trim_start = TRIM;
    job.process_at = record;
    job.process_user = &s;
    fu_err err;
    REQUIRE(fu_video_run(&job, &err) == FACEFUSE_OK, "%s", err.msg);
    int differ = 0;
    for (int i = 0; i < FRAMES; i++) {
        if (i < TRIM) {
            CHECK(s.calls[i] == 0, "frame %d before the trim processed", i);
            continue;
        }
        double want = (vt_vfr_pts_ms(i) - vt_vfr_pts_ms(TRIM)) / 1000.0;
        CHECK(s.calls[i] == 1 && fabs(s.t[i] - want) < 1e-6, "frame %d: %d calls, time %.4f s, its timestamp %.4f s",
              i, s.calls[i], s.t[i], want);
        differ += fabs(want - (i - TRIM) / (double)c.fps) > 0.01;
    }
    CHECK(differ > 0, "the clip's timestamps never leave the constant rate: the test proves nothing");
    pthread_mutex_destroy(&s.lock);
}

int main(void)
{
    RUN(vfr_frames_are_at_their_timestamps_from_the_trim);
    return tl_finish();
}
