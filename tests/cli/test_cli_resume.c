/*
 * test_cli_resume.c — `headless-run --resume` renders a video through
 * checkpoint pieces (the log names each), joins them into an output with
 * every frame and the target's audio packet for packet, and removes its
 * work directory; with --resume on an .avi output (no checkpoint pieces
 * possible) it fails with one error line naming the file. Stopping and
 * re-running is tested on the engine itself (pipeline/test_resume_after_stop).
 */
#include <sys/stat.h>

#include "clitest.h"
#include "../media/video_testutil.h"

static int count_of(const char *s, const char *part)
{
    int n = 0;
    for (const char *p = s; p && (p = strstr(p, part)); p++)
        n++;
    return n;
}

static void resumable_run_joins_every_frame(void)
{
    const char *dir = tl_tmp("resume");
    char clip[1024], out[1024], args[4096], *e = NULL;
    mkdir(dir, 0755);
    snprintf(clip, sizeof clip, "%s/target.mp4", dir);
    snprintf(out, sizeof out, "%s/out.mp4", dir);
    vt_clip c = vt_clip_default();
    c.frames = 20;
    c.gop = 5; /* keyframes every 1/3 s: 0.5 s checkpoints give several pieces */
    REQUIRE(vt_make_clip(clip, &c) == 0, "make clip");
    snprintf(args, sizeof args,
             "headless-run -t '%s' -o '%s' --processors face_debugger --face-detector-model scrfd "
             "--face-landmarker-score 0 --resume --resume-checkpoint 0.5 --log-level info --progress none",
             clip, out);
    int code = tl_run_cli(args, NULL, &e);
    REQUIRE(code == 0, "exit %d: %s", code, e);
    CHECK(count_of(e, "checkpoint:") >= 2, "fewer than 2 checkpoint pieces: %s", e);
    free(e);
    vt_stats a, b;
    REQUIRE(vt_probe(clip, &a) == 0 && vt_probe(out, &b) == 0, "probe");
    CHECK(vt_video_frames(&b) == 20, "%d frames", vt_video_frames(&b));
    REQUIRE(a.audio_count == 1 && b.audio_count == 1, "audio streams %d -> %d", a.audio_count, b.audio_count);
    const vt_stream_stats *sa = &a.s[a.audio[0]], *sb = &b.s[b.audio[0]];
    int same = 0;
    for (int i = 0; i < sa->packets && i < sb->packets; i++)
        same += sa->hashes[i] == sb->hashes[i];
    CHECK(sa->packets == sb->packets && same == sa->packets, "%d of %d audio packets identical (%d out)", same,
          sa->packets, sb->packets);
    CHECK(!dir_has(dir, "facefuse-resume"), "the work directory is left in %s", dir);
    vt_stats_free(&a);
    vt_stats_free(&b);
}

static void avi_output_is_refused(void)
{
    char clip[1024], out[1024], args[4096], *e = NULL;
    snprintf(clip, sizeof clip, "%s/target.mp4", tl_tmp("resume"));
    snprintf(out, sizeof out, "%s/out.avi", tl_tmp("resume"));
    snprintf(args, sizeof args,
             "headless-run -t '%s' -o '%s' --processors face_debugger --face-detector-model scrfd "
             "--face-landmarker-score 0 --resume --log-level error --progress none",
             clip, out);
    int code = tl_run_cli(args, NULL, &e);
    CHECK(code == 2 && e && error_lines(e) == 1 && strstr(e, "out.avi"), "exit %d: %s", code, e);
    CHECK(!path_exists(out), "%s written", out);
    free(e);
}

int main(void)
{
    RUN(resumable_run_joins_every_frame);
    RUN(avi_output_is_refused);
    return tl_finish();
}
