/*
 * test_video_run_analyse_stage.c — the optional ordered analysis stage of
 * the video engine, with 4 workers and a look-ahead of 3:
 * - analyse sees every frame exactly once, strictly in frame order, from one
 *   thread, with increasing times; release hands frames over in order, each
 *   only after analyse has seen 3 frames past it (or the video ended);
 * - the data released for a frame reaches the worker processing that very
 *   frame, and the frame's pixels are the ones analysed (a checksum taken in
 *   analyse matches in the worker); every datum is freed exactly once;
 * - frames still come out in order; a cancel halfway frees every datum that
 *   was released and leaves no output.
 */
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "media/video_reader.h"
#include "pipeline/video_run.h"
#include "testlib.h"
#include "../media/video_testutil.h"

#define FRAMES 40
#define LOOKAHEAD 3

typedef struct datum {
    int64_t index;
    uint64_t checksum;
} datum;

typedef struct stage_state {
    pthread_mutex_t lock;
    pthread_t analyse_thread;
    int threads_seen_differ;
    int64_t next_analyse, next_release, analysed;
    double last_time_s;
    int times_increase;
    uint64_t checksum[FRAMES];
    int early_release;
    int processed[FRAMES], data_ok[FRAMES];
    int allocated, freed;
    volatile int *cancel;
    int cancel_at;
} stage_state;

static uint64_t frame_checksum(const facefuse_image *im)
{
    uint64_t h = 1469598103934665603ull;
    for (int y = 0; y < im->height; y++)
        h = (h ^ vt_hash(im->data + (size_t)y * im->stride, im->width * im->channels)) * 1099511628211ull;
    return h;
}

static facefuse_status analyse(void *user, const facefuse_image *frame, int64_t index, double time_s, fu_err *err)
{
    stage_state *s = user;
    if (s->next_analyse == 0)
        s->analyse_thread = pthread_self();
    else if (!pthread_equal(s->analyse_thread, pthread_self()))
        s->threads_seen_differ = 1;
    if (index != s->next_analyse)
        return fu_fail(err, FACEFUSE_ERR_INTERNAL, "analysed frame %lld, expected %lld", (long long)index,
                       (long long)s->next_analyse);
    if (index > 0 && !(time_s > s->last_time_s))
        s->times_increase = 0;
    s->last_time_s = time_s;
    s->checksum[index] = frame_checksum(frame);
    s->next_analyse++;
    s->analysed = index + 1;
    usleep(500); /* the analysis takes a little time */
    return FACEFUSE_OK;
}

static facefuse_status release(void *user, int64_t index, void **data, fu_err *err)
{
    stage_state *s = user;
    if (index != s->next_release)
        return fu_fail(err, FACEFUSE_ERR_INTERNAL, "released frame %lld, expected %lld", (long long)index,
                       (long long)s->next_release);
    if (s->analysed < index + 1 + LOOKAHEAD && s->analysed < FRAMES)
        s->early_release = 1;
    datum *d = malloc(sizeof *d);
    if (!d)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    d->index = index;
    d->checksum = s->checksum[index];
    *data = d;
    pthread_mutex_lock(&s->lock);
    s->allocated++;
    pthread_mutex_unlock(&s->lock);
    s->next_release++;
    return FACEFUSE_OK;
}

static void free_datum(void *user, void *data)
{
    stage_state *s = user;
    pthread_mutex_lock(&s->lock);
    s->freed++;
    pthread_mutex_unlock(&s->lock);
    free(data);
}

static facefuse_status process(void *user, facefuse_image *frame, int64_t index, double time_s, void *data,
                               fu_err *err)
{
    (void)time_s;
    stage_state *s = user;
    const datum *d = data;
    int ok = d && d->index == index && d->checksum == frame_checksum(frame);
    pthread_mutex_lock(&s->lock);
    if (index >= 0 && index < FRAMES) {
        s->processed[index]++;
        s->data_ok[index] = ok;
    }
    if (s->cancel && index == s->cancel_at)
        *s->cancel = 1;
    pthread_mutex_unlock(&s->lock);
    usleep(1000 * (int)(index % 3)); /* finish out of order */
    vt_stamp(frame, index);
    return FACEFUSE_OK;
}

static const char *clip(void)
{
    static char path[4096];
    if (!path[0]) {
        snprintf(path, sizeof path, "%s", tl_tmp("stage_in.mkv"));
        vt_clip c = vt_clip_default();
        c.frames = FRAMES;
        c.audio_tracks = 0;
        if (vt_make_clip(path, &c) != 0)
            path[0] = '\0';
    }
    return path;
}

static fu_video_job stage_job(stage_state *s, const char *out)
{
    fu_video_job job = fu_video_job_default();
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    s->times_increase = 1;
    job.target_path = clip();
    job.output_path = out;
    job.video_encoder = "ffv1";
    job.thread_count = 4;
    job.analyse = analyse;
    job.release = release;
    job.analyse_lookahead = LOOKAHEAD;
    job.analyse_user = s;
    job.free_data = free_datum;
    job.process_analysed = process;
    job.process_user = s;
    return job;
}

static void analysed_in_order_data_reaches_its_frame(void)
{
    stage_state s;
    REQUIRE(clip()[0], "no clip");
    fu_video_job job = stage_job(&s, tl_tmp("stage_out.mkv"));
    fu_err err;
    REQUIRE(fu_video_run(&job, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(s.next_analyse == FRAMES && s.next_release == FRAMES, "analysed %lld, released %lld",
          (long long)s.next_analyse, (long long)s.next_release);
    CHECK(!s.threads_seen_differ, "analyse ran on more than one thread");
    CHECK(s.times_increase, "frame times do not increase");
    CHECK(!s.early_release, "a frame was released before 3 frames past it were analysed");
    for (int i = 0; i < FRAMES; i++) {
        CHECK(s.processed[i] == 1, "frame %d processed %d times", i, s.processed[i]);
        CHECK(s.data_ok[i], "frame %d got the wrong data or other pixels than analysed", i);
    }
    CHECK(s.allocated == FRAMES && s.freed == FRAMES, "%d data made, %d freed", s.allocated, s.freed);

    fu_video_reader *r;
    REQUIRE(fu_video_reader_open(&r, job.output_path, 2, &err) == FACEFUSE_OK, "%s", err.msg);
    facefuse_image im = {0};
    int64_t pts;
    int got, n = 0, in_order = 1;
    while (fu_video_reader_next(r, &im, &pts, &got, &err) == FACEFUSE_OK && got)
        in_order &= vt_read_stamp(&im) == n++;
    CHECK(n == FRAMES && in_order, "%d frames out, in order %d", n, in_order);
    facefuse_image_free(&im);
    fu_video_reader_close(r);
    pthread_mutex_destroy(&s.lock);
}

static void cancel_frees_every_released_datum(void)
{
    stage_state s;
    volatile int cancel = 0;
    REQUIRE(clip()[0], "no clip");
    fu_video_job job = stage_job(&s, tl_tmp("stage_cancel.mkv"));
    s.cancel = &cancel;
    s.cancel_at = FRAMES / 2;
    job.cancel = &cancel;
    fu_err err;
    CHECK(fu_video_run(&job, &err) == FACEFUSE_ERR_CANCELLED, "%s", err.msg);
    CHECK(s.allocated > 0 && s.freed == s.allocated, "%d data made, %d freed", s.allocated, s.freed);
    CHECK(access(job.output_path, F_OK) != 0, "cancelled output exists");
    pthread_mutex_destroy(&s.lock);
}

static void analysis_without_release_is_refused(void)
{
    stage_state s;
    fu_video_job job = stage_job(&s, tl_tmp("stage_bad.mkv"));
    job.release = NULL;
    fu_err err;
    CHECK(fu_video_run(&job, &err) == FACEFUSE_ERR_INVALID_ARGUMENT, "no release accepted");
    pthread_mutex_destroy(&s.lock);
}

int main(void)
{
    RUN(analysed_in_order_data_reaches_its_frame);
    RUN(cancel_frees_every_released_datum);
    RUN(analysis_without_release_is_refused);
    return tl_finish();
}
