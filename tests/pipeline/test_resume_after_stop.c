/*
 * test_resume_after_stop.c — fu_video_run_resumable (`headless-run
 * --resume`): a run stopped halfway keeps its finished pieces; the same run
 * again renders only what is missing and gives the same frames, timestamps
 * and audio packets as one uninterrupted fu_video_run (FFV1, lossless),
 * then removes its work directory; a truncated checkpoint piece is
 * rendered again; a trimmed resumable run equals a trimmed single run.
 */
#include <dirent.h>
#include <sys/stat.h>

#include "core/file.h"
#include "core/image.h"
#include "media/video_reader.h"
#include "pipeline/resume.h"
#include "pipeline/video_run.h"
#include "testlib.h"
#include "../media/video_testutil.h"

#define FRAMES 30

static char clip[4096];
static volatile int cancel_flag;
static int processed, stop_after;

static facefuse_status invert(void *user, facefuse_image *frame, int64_t index, fu_err *err)
{
    (void)user;
    (void)err;
    for (int y = 0; y < frame->height; y++)
        for (int x = 0; x < frame->width; x++) {
            uint8_t *p = fu_pixel(frame, x, y);
            p[0] = (uint8_t)(255 - p[0]);
            p[1] = (uint8_t)(p[1] ^ (uint8_t)index);
        }
    int n = __atomic_add_fetch(&processed, 1, __ATOMIC_SEQ_CST);
    if (stop_after > 0 && n >= stop_after)
        cancel_flag = 1;
    return FACEFUSE_OK;
}

static fu_video_job job_for(const char *out)
{
    fu_video_job job = fu_video_job_default();
    job.target_path = clip;
    job.output_path = out;
    job.video_encoder = "ffv1";
    job.thread_count = 2;
    job.process = invert;
    job.cancel = &cancel_flag;
    return job;
}

static int count_pieces(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d)))
        n += !strncmp(e->d_name, "piece-", 6) && !strstr(e->d_name, ".partial-");
    if (d)
        closedir(d);
    return n;
}

static void check_same(const char *a, const char *b, int frames)
{
    fu_video_reader *ra = NULL, *rb = NULL;
    fu_err err;
    REQUIRE(fu_video_reader_open(&ra, a, 1, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_video_reader_open(&rb, b, 1, &err) == FACEFUSE_OK, "%s", err.msg);
    int n = 0, differ = 0;
    for (;;) {
        facefuse_image fa = {0}, fb = {0};
        int64_t pa = 0, pb = 0;
        int ga = 0, gb = 0;
        fu_video_reader_next(ra, &fa, &pa, &ga, &err);
        fu_video_reader_next(rb, &fb, &pb, &gb, &err);
        if (ga != gb || (ga && (memcmp(fa.data, fb.data, (size_t)fa.stride * fa.height) ||
                                fabs(fu_video_reader_pts_seconds(ra, pa) - fu_video_reader_pts_seconds(rb, pb)) > 1e-6)))
            differ++;
        n += ga && gb;
        facefuse_image_free(&fa);
        facefuse_image_free(&fb);
        if (!ga || !gb)
            break;
    }
    fu_video_reader_close(ra);
    fu_video_reader_close(rb);
    CHECK(n == frames && differ == 0, "%d frames, %d differ (%s vs %s)", n, differ, a, b);

    vt_stats sa, sb;
    REQUIRE(vt_probe(a, &sa) == 0 && vt_probe(b, &sb) == 0, "probe");
    REQUIRE(sa.audio_count == 1 && sb.audio_count == 1, "audio streams %d, %d", sa.audio_count, sb.audio_count);
    const vt_stream_stats *xa = &sa.s[sa.audio[0]], *xb = &sb.s[sb.audio[0]];
    int same = xa->packets == xb->packets && xa->packets > 0;
    for (int i = 0; same && i < xa->packets; i++)
        same = xa->hashes[i] == xb->hashes[i] && fabs(xa->pts_s[i] - xb->pts_s[i]) < 1e-6;
    CHECK(same, "audio differs: %d vs %d packets", xa->packets, xb->packets);
    vt_stats_free(&sa);
    vt_stats_free(&sb);
}

static void stopped_run_resumes_to_the_same_output(void)
{
    REQUIRE(clip[0], "no clip");
    fu_err err;
    char dir[4096];
    const char *single = tl_tmp("single.mkv"), *resumed = tl_tmp("resumed.mkv");
    fu_video_job job = job_for(single);
    REQUIRE(fu_video_run(&job, &err) == FACEFUSE_OK, "%s", err.msg);

    fu_resume_settings rs = fu_resume_default_settings();
    rs.checkpoint_s = 0.5; /* 4 pieces of the 2 s clip */
    job = job_for(resumed);
    processed = 0;
    stop_after = 14;
    cancel_flag = 0;
    facefuse_status rc = fu_video_run_resumable(&job, &rs, &err);
    CHECK(rc == FACEFUSE_ERR_CANCELLED, "stopped run returned %d: %s", rc, err.msg);
    CHECK(!fu_file_exists(resumed), "a stopped run left an output");
    fu_resume_work_dir(resumed, dir, sizeof dir);
    int kept = count_pieces(dir);
    CHECK(kept >= 1 && kept < 4, "%d finished pieces kept", kept);

    processed = 0;
    stop_after = 0;
    cancel_flag = 0;
    rc = fu_video_run_resumable(&job, &rs, &err);
    REQUIRE(rc == FACEFUSE_OK, "resumed run: %s", err.msg);
    CHECK(processed > 0 && processed < FRAMES, "the resumed run processed %d frames of %d", processed, FRAMES);
    struct stat st;
    CHECK(stat(dir, &st) != 0, "work directory %s is left", dir);
    check_same(single, resumed, FRAMES);
}

static void damaged_checkpoint_is_rendered_again(void)
{
    REQUIRE(clip[0], "no clip");
    fu_err err;
    char dir[4096], first[4200];
    const char *single = tl_tmp("single.mkv"), *out = tl_tmp("damaged.mkv");
    fu_resume_settings rs = fu_resume_default_settings();
    rs.checkpoint_s = 0.5;
    fu_video_job job = job_for(out);
    processed = 0;
    stop_after = 20;
    cancel_flag = 0;
    CHECK(fu_video_run_resumable(&job, &rs, &err) == FACEFUSE_ERR_CANCELLED, "%s", err.msg);
    fu_resume_work_dir(out, dir, sizeof dir);
    snprintf(first, sizeof first, "%s/piece-00000.mkv", dir);
    REQUIRE(fu_file_exists(first), "no first piece");
    REQUIRE(vt_copy_bytes(first, first, 0.6, 0, 0) == 0, "truncate");
    processed = 0;
    stop_after = 0;
    cancel_flag = 0;
    REQUIRE(fu_video_run_resumable(&job, &rs, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(processed == FRAMES, "the resumed run processed %d frames, want all %d (piece 0 was damaged)", processed,
          FRAMES);
    check_same(single, out, FRAMES);
}

static void trimmed_resumable_run_equals_trimmed_run(void)
{
    REQUIRE(clip[0], "no clip");
    fu_err err;
    const char *single = tl_tmp("trim-single.mkv"), *resumed = tl_tmp("trim-resumed.mkv");
    fu_video_job job = job_for(single);
    job.trim_start = 5;
    job.trim_end = 27;
    stop_after = 0;
    cancel_flag = 0;
    REQUIRE(fu_video_run(&job, &err) == FACEFUSE_OK, "%s", err.msg);
    fu_resume_settings rs = fu_resume_default_settings();
    rs.checkpoint_s = 0.5;
    job.output_path = resumed;
    REQUIRE(fu_video_run_resumable(&job, &rs, &err) == FACEFUSE_OK, "%s", err.msg);
    check_same(single, resumed, 22);
}

static void changed_frame_rate_is_refused(void)
{
    fu_err err;
    fu_video_job job = job_for(tl_tmp("fps.mkv"));
    job.output_fps = 30;
    CHECK(fu_video_run_resumable(&job, NULL, &err) == FACEFUSE_ERR_INVALID_ARGUMENT && strstr(err.msg, "--resume"),
          "%s", err.msg);
}

int main(void)
{
    av_log_set_level(AV_LOG_QUIET);
    snprintf(clip, sizeof clip, "%s", tl_tmp("clip.mkv"));
    vt_clip c = vt_clip_default(); /* 15 fps, aac */
    c.frames = FRAMES;
    c.width = 96;
    c.height = 64;
    c.gop = 6;
    if (vt_make_clip(clip, &c) != 0)
        clip[0] = '\0';
    RUN(stopped_run_resumes_to_the_same_output);
    RUN(damaged_checkpoint_is_rendered_again);
    RUN(trimmed_resumable_run_equals_trimmed_run);
    RUN(changed_frame_rate_is_refused);
    return tl_finish();
}
