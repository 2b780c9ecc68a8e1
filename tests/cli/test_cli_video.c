/*
 * test_cli_video.c — video targets through the whole program: every frame of
 * the shared clip goes through the chain (the debugger's box is on the
 * face in the output), the soundtrack of a clip with audio is copied packet
 * for packet, and Ctrl-C halfway exits with 4 within a second or two,
 * leaving no output and no partial file.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "clitest.h"
#include "core/image.h"
#include "media/video_reader.h"
#include "../media/video_testutil.h"

static void debugger_runs_on_every_frame_of_the_clip(void)
{
    const char *out = tl_tmp("zoom-debug.mkv");
    char args[2048], *e = NULL;
    snprintf(args, sizeof args,
             "headless-run -t '%s' -o '%s' --processors face_debugger --face-debugger-items bounding-box "
             "--face-detector-model scrfd --face-selector-mode many --face-landmarker-score 0 "
             "--output-video-encoder ffv1 --log-level error --progress none",
             tl_shared("samples/grace_hopper_zoom_2s.mp4"), out);
    int code = tl_run_cli(args, NULL, &e);
    REQUIRE(code == 0, "exit %d: %s", code, e);
    free(e);
    vt_stats in, res;
    REQUIRE(vt_probe(tl_shared("samples/grace_hopper_zoom_2s.mp4"), &in) == 0, "probe input");
    REQUIRE(vt_probe(out, &res) == 0, "probe output");
    CHECK(vt_video_frames(&res) == vt_video_frames(&in), "%d frames out of %d", vt_video_frames(&res),
          vt_video_frames(&in));
    vt_stats_free(&in);
    vt_stats_free(&res);

    /* Every frame carries the red box (ffv1 is lossless RGB). */
    fu_video_reader *r = NULL;
    fu_err err;
    REQUIRE(fu_video_reader_open(&r, out, 1, &err) == FACEFUSE_OK, "%s", err.msg);
    int frames = 0, boxed = 0, got = 1;
    while (got) {
        facefuse_image f = {0};
        int64_t pts;
        if (fu_video_reader_next(r, &f, &pts, &got, &err) != FACEFUSE_OK || !got)
            break;
        int red = 0;
        for (int y = 0; y < f.height; y++)
            for (int x = 0; x < f.width; x++) {
                const uint8_t *p = fu_pixel(&f, x, y);
                red += p[0] == 255 && p[1] == 0 && p[2] == 0;
            }
        boxed += red > 100;
        frames++;
        facefuse_image_free(&f);
    }
    fu_video_reader_close(r);
    CHECK(frames == 50 && boxed == frames, "%d of %d frames have the box", boxed, frames);
}

static void progress_json_prints_one_object_per_line(void)
{
    char args[2048], *o = NULL, *e = NULL;
    snprintf(args, sizeof args,
             "headless-run -t '%s' -o '%s' --processors face_debugger --face-detector-model scrfd "
             "--face-selector-mode many --log-level error --progress json",
             tl_shared("samples/grace_hopper_zoom_2s.mp4"), tl_tmp("progress.mp4"));
    int code = tl_run_cli(args, &o, &e);
    REQUIRE(code == 0, "exit %d: %s", code, e);
    int lines = 0, bad = 0;
    long last_done = -1;
    for (char *line = strtok(o, "\n"); line; line = strtok(NULL, "\n")) {
        long done = -1, total = -1;
        lines++;
        if (sscanf(line, "{\"frames\":%ld,\"total\":%ld,", &done, &total) != 2 || total != 50 || done < last_done ||
            !strstr(line, "\"fps\":") || !strstr(line, "\"eta_s\":") || line[strlen(line) - 1] != '}')
            bad++;
        last_done = done;
    }
    CHECK(lines >= 1 && bad == 0, "%d lines, %d malformed or going backwards", lines, bad);
    CHECK(last_done == 50, "last line says %ld frames", last_done);
    free(o);
    free(e);
}

static void audio_is_copied_packet_for_packet(void)
{
    const char *clip = tl_tmp("tone.mp4"), *out = tl_tmp("tone-out.mp4");
    vt_clip c = vt_clip_default();
    c.frames = 20;
    REQUIRE(vt_make_clip(clip, &c) == 0, "make clip");
    char args[2048], *e = NULL;
    snprintf(args, sizeof args,
             "headless-run -t '%s' -o '%s' --processors face_debugger --face-detector-model scrfd "
             "--face-selector-mode many --face-landmarker-score 0 --log-level error --progress none",
             clip, out);
    int code = tl_run_cli(args, NULL, &e);
    REQUIRE(code == 0, "exit %d: %s", code, e);
    free(e);
    vt_stats a, b;
    REQUIRE(vt_probe(clip, &a) == 0 && vt_probe(out, &b) == 0, "probe");
    REQUIRE(a.audio_count == 1 && b.audio_count == 1, "audio streams %d -> %d", a.audio_count, b.audio_count);
    const vt_stream_stats *sa = &a.s[a.audio[0]], *sb = &b.s[b.audio[0]];
    CHECK(sa->packets == sb->packets, "audio packets %d -> %d", sa->packets, sb->packets);
    int same = 0;
    for (int i = 0; i < sa->packets && i < sb->packets; i++)
        same += sa->hashes[i] == sb->hashes[i];
    CHECK(same == sa->packets, "%d of %d audio packets identical", same, sa->packets);
    CHECK(vt_video_frames(&b) == 20, "%d frames", vt_video_frames(&b));
    vt_stats_free(&a);
    vt_stats_free(&b);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void ctrl_c_halfway_exits_4_and_leaves_nothing(void)
{
    const char *clip = tl_tmp("long.mp4");
    const char *dir = tl_tmp("sigint");
    char out[1024], tmp[1024], err_path[1024];
    vt_clip c = vt_clip_default();
    c.frames = 600;
    c.fps = 30;
    REQUIRE(vt_make_clip(clip, &c) == 0, "make clip");
    mkdir(dir, 0755);
    snprintf(out, sizeof out, "%s/out.mp4", dir);
    snprintf(tmp, sizeof tmp, "%s/tmp", dir);
    snprintf(err_path, sizeof err_path, "%s-stderr", dir);
    mkdir(tmp, 0755);
    setenv("FACEFUSE_MODEL_DIR", FACEFUSE_TEST_MODELS, 0);
    setenv("TMPDIR", tmp, 1);
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY), e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(devnull, 1);
        dup2(e, 2);
        execl(FACEFUSE_BINARY, "facefuse", "headless-run", "-t", clip, "-o", out, "--processors", "face_debugger",
              "--face-detector-model", "scrfd", "--face-selector-mode", "many", "--face-landmarker-score", "0",
              "--progress", "none", "--log-level", "error", (char *)NULL);
        _exit(127);
    }
    /* Wait until the run is under way: its partial file exists. */
    double t0 = now_s();
    while (!dir_has(dir, ".partial-") && now_s() - t0 < 20)
        usleep(20000);
    CHECK(dir_has(dir, ".partial-"), "the run never started writing");
    usleep(500000);
    kill(pid, SIGINT);
    double t_sig = now_s(), took = 99;
    /* The stop is timed to the line that says it; the sanitizers' own work
     * at exit (leak check of a large heap) can take seconds on a loaded
     * machine and is not the program's. */
    while (now_s() - t_sig < 20) {
        char *text = tl_slurp(err_path);
        int said = strstr(text, "stopped") != NULL;
        free(text);
        if (said) {
            took = now_s() - t_sig;
            break;
        }
        usleep(10000);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 4, "exit status %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    CHECK(took < 2.0, "said it stopped %.2f s after Ctrl-C", took);
    CHECK(!path_exists(out), "output written");
    CHECK(!dir_has(dir, ".partial-"), "partial file left");
    CHECK(!dir_has(tmp, "f"), "temp files left in TMPDIR");
    unsetenv("TMPDIR");
}

static void frame_enhancer_writes_the_enlarged_video(void)
{
    const char *out = tl_tmp("enhanced.mkv");
    char args[2048], *e = NULL;
    /* The stand-in x4 "model" is nearest-neighbour upscaling. */
    snprintf(args, sizeof args,
             "headless-run -t '%s' -o '%s' --processors frame_enhancer --frame-enhancer-model real_esrgan_x4 "
             "--trim-frame-end 10 --output-video-encoder ffv1 --log-level error --progress none",
             tl_shared("samples/grace_hopper_zoom_2s.mp4"), out);
    int code = tl_run_cli(args, NULL, &e);
    REQUIRE(code == 0, "exit %d: %s", code, e);
    free(e);
    fu_video_reader *r = NULL;
    fu_err err;
    REQUIRE(fu_video_reader_open(&r, out, 1, &err) == FACEFUSE_OK, "%s", err.msg);
    const fu_video_info *info = fu_video_reader_info(r);
    CHECK(info->width == 4 * 320 && info->height == 4 * 376, "output %dx%d", info->width, info->height);
    int frames = 0, got = 1;
    while (got) {
        int64_t pts;
        if (fu_video_reader_next(r, NULL, &pts, &got, &err) != FACEFUSE_OK || !got)
            break;
        frames++;
    }
    CHECK(frames == 10, "%d frames", frames);
    fu_video_reader_close(r);
}

/* Runs facefuse with a file-size limit (as a full disk would stop writes). */
static int run_limited(const char *target, const char *out, const char *err_path)
{
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit lim = {64 * 1024, 64 * 1024};
        setrlimit(RLIMIT_FSIZE, &lim);
        int devnull = open("/dev/null", O_WRONLY), e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(devnull, 1);
        dup2(e, 2);
        execl(FACEFUSE_BINARY, "facefuse", "headless-run", "-t", target, "-o", out, "--processors", "face_debugger",
              "--face-detector-model", "scrfd", "--face-selector-mode", "many", "--output-video-encoder", "ffv1",
              "--progress", "none", "--log-level", "error", (char *)NULL);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void full_disk_fails_with_one_line_and_leaves_nothing(void)
{
    const char *dir = tl_tmp("full");
    char out[1024], err_path[1024];
    const char *targets[2] = {tl_shared("samples/grace_hopper_zoom_2s.mp4"), tl_shared("samples/astronaut.png")};
    const char *names[2] = {"out.mkv", "out.png"};
    mkdir(dir, 0755);
    setenv("FACEFUSE_MODEL_DIR", FACEFUSE_TEST_MODELS, 0);
    for (int i = 0; i < 2; i++) {
        snprintf(out, sizeof out, "%s/%s", dir, names[i]);
        snprintf(err_path, sizeof err_path, "%s/../full-stderr-%d", dir, i);
        int code = run_limited(targets[i], out, err_path);
        FILE *f = fopen(err_path, "r");
        char text[4096] = "";
        if (f) {
            size_t n = fread(text, 1, sizeof text - 1, f);
            text[n] = '\0';
            fclose(f);
        }
        CHECK(code == 1, "%s: exit %d (%s)", names[i], code, text);
        CHECK(error_lines(text) == 1 && strstr(text, "File too large"), "%s: message %s", names[i], text);
        CHECK(!path_exists(out) && !dir_has(dir, ".partial-"), "%s: something was left in %s", names[i], dir);
    }
}

static void bad_videos_are_exit_2_with_one_line(void)
{
    const char *text = tl_tmp("notes.mp4"), *empty = tl_tmp("empty.mp4"), *cut = tl_tmp("cut.mp4");
    char cmd[2048];
    write_text(text, "not a video at all\n");
    write_text(empty, "");
    snprintf(cmd, sizeof cmd, "head -c 30000 '%s' > '%s'", tl_shared("samples/grace_hopper_zoom_2s.mp4"), cut);
    REQUIRE(system(cmd) == 0, "truncate");
    const char *bad[3] = {text, empty, cut};
    for (int i = 0; i < 3; i++) {
        char args[2048], out[1024], *e = NULL;
        snprintf(out, sizeof out, "%s/bad-out-%d.mp4", tl_tmpdir(), i);
        snprintf(args, sizeof args,
                 "headless-run -t '%s' -o '%s' --processors face_debugger --face-detector-model scrfd "
                 "--face-selector-mode many --progress none",
                 bad[i], out);
        int code = tl_run_cli(args, NULL, &e);
        CHECK(code == 2, "%s: exit %d (%s)", bad[i], code, e);
        CHECK(error_lines(e) == 1 && strstr(e, bad[i]), "%s: message %s", bad[i], e);
        CHECK(!path_exists(out), "%s: output written", bad[i]);
        free(e);
    }
    CHECK(!dir_has(tl_tmpdir(), ".partial-"), "partial file left");
}

int main(void)
{
    RUN(debugger_runs_on_every_frame_of_the_clip);
    RUN(progress_json_prints_one_object_per_line);
    RUN(audio_is_copied_packet_for_packet);
    RUN(ctrl_c_halfway_exits_4_and_leaves_nothing);
    RUN(frame_enhancer_writes_the_enlarged_video);
    RUN(bad_videos_are_exit_2_with_one_line);
    RUN(full_disk_fails_with_one_line_and_leaves_nothing);
    return tl_finish();
}
