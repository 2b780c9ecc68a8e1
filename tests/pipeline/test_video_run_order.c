/*
 * test_video_run_order.c — with 4 workers every frame goes through process()
 * exactly once and comes out in order (frame index stamped into pixels,
 * lossless ffv1); a cancel halfway gives FACEFUSE_ERR_CANCELLED and leaves
 * neither the output nor a partial file; bad targets are
 * FACEFUSE_ERR_DECODE with nothing written.
 */
#include <dirent.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "media/video_reader.h"
#include "pipeline/video_run.h"
#include "testlib.h"
#include "../media/video_testutil.h"

#define FRAMES 40

typedef struct stamp_state {
    pthread_mutex_t lock;
    int calls[FRAMES];
    volatile int *cancel;
    int cancel_at;
    int64_t last_done, last_total;
    int progress_in_order;
} stamp_state;

static facefuse_status stamp(void *user, facefuse_image *frame, int64_t index, fu_err *err)
{
    stamp_state *s = user;
    pthread_mutex_lock(&s->lock);
    if (index >= 0 && index < FRAMES)
        s->calls[index]++;
    if (s->cancel && index == s->cancel_at)
        *s->cancel = 1;
    pthread_mutex_unlock(&s->lock);
    usleep(1000 * (int)(index % 3)); /* finish out of order */
    vt_stamp(frame, index);
    return FACEFUSE_OK;
}

static void progress(void *user, int64_t done, int64_t total, double fps)
{
    stamp_state *s = user;
    /* the final call repeats the last count with the exact total */
    if (done != s->last_done + 1 && done != s->last_done)
        s->progress_in_order = 0;
    s->last_done = done;
    s->last_total = total;
}

static char clip[4096];

static const char *order_clip(void)
{
    if (!clip[0]) {
        snprintf(clip, sizeof clip, "%s", tl_tmp("order_in.mkv"));
        vt_clip c = vt_clip_default();
        c.frames = FRAMES;
        c.acodec = "libvorbis";
        if (vt_make_clip(clip, &c) != 0)
            clip[0] = '\0';
    }
    return clip;
}

static int partials_in(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strstr(e->d_name, ".partial-"))
            n++;
    if (d)
        closedir(d);
    return n;
}

static void test_each_frame_once_in_order(void)
{
    const char *in = order_clip();
    REQUIRE(in[0], "no clip");
    stamp_state s;
    memset(&s, 0, sizeof s);
    pthread_mutex_init(&s.lock, NULL);
    s.progress_in_order = 1;
    fu_video_job job = fu_video_job_default();
    job.target_path = in;
    job.output_path = tl_tmp("ordered.mkv");
    job.video_encoder = "ffv1";
    job.thread_count = 4;
    job.process = stamp;
    job.process_user = &s;
    job.progress = progress;
    job.progress_user = &s;
    fu_err err;
    REQUIRE(fu_video_run(&job, &err) == FACEFUSE_OK, "%s", err.msg);
    for (int i = 0; i < FRAMES; i++)
        CHECK(s.calls[i] == 1, "frame %d processed %d times", i, s.calls[i]);
    CHECK(s.progress_in_order && s.last_done == FRAMES && s.last_total == FRAMES,
          "progress out of order (last %lld/%lld)", (long long)s.last_done,
          (long long)s.last_total);

    fu_video_reader *r;
    REQUIRE(fu_video_reader_open(&r, job.output_path, 2, &err) == FACEFUSE_OK, "%s", err.msg);
    facefuse_image im = {0};
    int64_t pts;
    int got, n = 0, in_order = 1;
    while (fu_video_reader_next(r, &im, &pts, &got, &err) == FACEFUSE_OK && got) {
        if (vt_read_stamp(&im) != n && in_order) {
            in_order = 0;
            CHECK(0, "output frame %d carries stamp %lld", n, (long long)vt_read_stamp(&im));
        }
        n++;
    }
    CHECK(n == FRAMES, "%d frames out", n);
    facefuse_image_free(&im);
    fu_video_reader_close(r);
    pthread_mutex_destroy(&s.lock);
}

static void test_cancel_leaves_nothing(void)
{
    const char *in = order_clip();
    REQUIRE(in[0], "no clip");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/cancel", tl_tmpdir());
    REQUIRE(mkdir(dir, 0755) == 0, "mkdir");
    char out[4200];
    snprintf(out, sizeof out, "%s/cancelled.mp4", dir);
    volatile int cancel = 0;
    stamp_state s;
    memset(&s, 0, sizeof s);
    pthread_mutex_init(&s.lock, NULL);
    s.cancel = &cancel;
    s.cancel_at = FRAMES / 2;
    fu_video_job job = fu_video_job_default();
    job.target_path = in;
    job.output_path = out;
    job.thread_count = 4;
    job.process = stamp;
    job.process_user = &s;
    job.cancel = &cancel;
    fu_err err;
    facefuse_status st = fu_video_run(&job, &err);
    CHECK(st == FACEFUSE_ERR_CANCELLED, "status %d: %s", st, err.msg);
    CHECK(access(out, F_OK) != 0, "output exists after cancel");
    CHECK(partials_in(dir) == 0, "partial file left in %s", dir);
    pthread_mutex_destroy(&s.lock);
}

static void expect_run_decode_error(const char *target, const char *dir)
{
    char out[4200];
    snprintf(out, sizeof out, "%s/out.mp4", dir);
    fu_video_job job = fu_video_job_default();
    job.target_path = target;
    job.output_path = out;
    fu_err err;
    fu_err_clear(&err);
    facefuse_status st = fu_video_run(&job, &err);
    CHECK(st == FACEFUSE_ERR_DECODE, "%s: status %d (%s)", target, st, err.msg);
    CHECK(strstr(err.msg, target) != NULL, "message does not name %s: %s", target, err.msg);
    CHECK(access(out, F_OK) != 0, "output written for %s", target);
    CHECK(partials_in(dir) == 0, "partial left for %s", target);
}

static void test_bad_targets(void)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/bad", tl_tmpdir());
    REQUIRE(mkdir(dir, 0755) == 0, "mkdir");
    char good[4096], cut[4096], holed[4096], text[4096], empty[4096];
    snprintf(good, sizeof good, "%s", tl_tmp("bad_src.mp4"));
    snprintf(cut, sizeof cut, "%s", tl_tmp("bad_cut.mp4"));
    snprintf(holed, sizeof holed, "%s", tl_tmp("bad_holed.mp4"));
    snprintf(text, sizeof text, "%s", tl_tmp("bad_text.mp4"));
    snprintf(empty, sizeof empty, "%s", tl_tmp("bad_empty.mp4"));
    vt_clip c = vt_clip_default();
    c.faststart = 1; /* index first, so a cut file still opens */
    REQUIRE(vt_make_clip(good, &c) == 0, "cannot make clip");
    REQUIRE(vt_copy_bytes(good, cut, 0.3, 0, 0) == 0, "copy");
    REQUIRE(vt_copy_bytes(good, holed, 1.0, 0.3, 0.7) == 0, "copy");
    FILE *f = fopen(text, "w");
    REQUIRE(f, "write");
    fputs("not a video\n", f);
    fclose(f);
    f = fopen(empty, "w");
    REQUIRE(f, "write");
    fclose(f);
    expect_run_decode_error(cut, dir);
    expect_run_decode_error(holed, dir);
    expect_run_decode_error(text, dir);
    expect_run_decode_error(empty, dir);
}

int main(void)
{
    av_log_set_level(AV_LOG_QUIET);
    RUN(test_each_frame_once_in_order);
    RUN(test_cancel_leaves_nothing);
    RUN(test_bad_targets);
    return tl_finish();
}
