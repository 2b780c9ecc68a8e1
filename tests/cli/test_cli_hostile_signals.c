/*
 * test_cli_hostile_signals.c — signals and closed pipes, against the real
 * program: SIGHUP (terminal closed) stops a video run like Ctrl-C (exit 4,
 * one line naming the signal, no output, no partial file); a second signal
 * stops at once and still says what happened; a closed `--progress json`
 * pipe stops the progress, not the render; Ctrl-C stops an image run and a
 * model download (from a trickling local server) within a couple of seconds
 * on this loaded 2-core machine, leaving no output and no .download file.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "clitest.h"
#include "media/image_io.h"
#include "../infer/http_testserver.h"
#include "../media/video_testutil.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* Starts facefuse with argv (NULL-terminated after the program name);
 * stdout to out_fd (-1: /dev/null), stderr to err_path. */
static pid_t spawn(const char *const *argv, int out_fd, const char *err_path)
{
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR);
        int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(devnull, 0);
        dup2(out_fd >= 0 ? out_fd : devnull, 1);
        dup2(err, 2);
        execv(tl_cli_binary(), (char *const *)argv);
        _exit(127);
    }
    return pid;
}

static int wait_for(const char *dir, const char *part, double limit_s)
{
    double t0 = now_s();
    while (!dir_has(dir, part) && now_s() - t0 < limit_s)
        usleep(20000);
    return dir_has(dir, part);
}

/* Seconds until the file at path holds `text` (limit_s + 1 when it never does). */
static double seconds_until_text(const char *path, const char *text, double limit_s)
{
    double t0 = now_s();
    while (now_s() - t0 < limit_s) {
        char *s = tl_slurp(path);
        int found = strstr(s, text) != NULL;
        free(s);
        if (found)
            return now_s() - t0;
        usleep(10000);
    }
    return limit_s + 1;
}

static int exit_of(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static const char *long_clip(void)
{
    static char clip[1024];
    if (!clip[0]) {
        snprintf(clip, sizeof clip, "%s", tl_tmp("long.mp4"));
        vt_clip c = vt_clip_default();
        c.frames = 600;
        c.fps = 30;
        if (vt_make_clip(clip, &c) != 0)
            clip[0] = '\0';
    }
    return clip;
}

/* A video run into dir/out.mp4, signalled with `first` (and `second` 50 ms
 * later when non-zero) once it writes; returns the exit code, stderr in *e. */
static int signalled_video_run(const char *dir, int first, int second, char **e)
{
    char out[1024], err_path[1024];
    snprintf(out, sizeof out, "%s/out.mp4", dir);
    snprintf(err_path, sizeof err_path, "%s.stderr", dir);
    mkdir(dir, 0755);
    const char *argv[] = {"facefuse", "headless-run", "-t", long_clip(), "-o", out, "--processors", "face_debugger",
                          "--face-detector-model", "scrfd", "--face-selector-mode", "many", "--face-landmarker-score",
                          "0", "--progress", "none", "--log-level", "warn", NULL};
    pid_t pid = spawn(argv, -1, err_path);
    CHECK(wait_for(dir, ".partial-", 60), "the run never started writing");
    usleep(300000);
    kill(pid, first);
    if (second) {
        usleep(50000);
        kill(pid, second);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    *e = tl_slurp(err_path);
    CHECK(!path_exists(out), "output written");
    CHECK(!dir_has(dir, ".partial-"), "partial file left");
    return exit_of(status);
}

static void sighup_stops_like_ctrl_c(void)
{
    char *e = NULL;
    int code = signalled_video_run(tl_tmp("hup"), SIGHUP, 0, &e);
    CHECK(code == 4, "exit %d: %s", code, e);
    CHECK(error_lines(e) == 1 && strstr(e, "SIGHUP"), "message: %s", e);
    free(e);
}

static void a_second_signal_still_says_what_happened(void)
{
    char *e = NULL;
    int code = signalled_video_run(tl_tmp("twice"), SIGTERM, SIGTERM, &e);
    CHECK(code == 4, "exit %d: %s", code, e);
    /* One line either way: the second signal's when it lands before the
     * run has said it stopped (the usual case: workers finish their frame,
     * the sanitizers check for leaks at exit), else the run's own. */
    CHECK(error_lines(e) == 1 && (strstr(e, "stopped at once by a second SIGTERM") || strstr(e, "stopped by SIGTERM")),
          "message: %s", e);
    free(e);
}

static void a_closed_progress_pipe_does_not_stop_the_render(void)
{
    char clip[1024], out[1024], err_path[1024];
    int fds[2];
    snprintf(clip, sizeof clip, "%s", tl_tmp("short.mp4"));
    snprintf(out, sizeof out, "%s", tl_tmp("piped.mkv"));
    snprintf(err_path, sizeof err_path, "%s", tl_tmp("piped.stderr"));
    vt_clip c = vt_clip_default();
    c.frames = 20;
    REQUIRE(vt_make_clip(clip, &c) == 0, "make clip");
    REQUIRE(pipe(fds) == 0, "pipe");
    const char *argv[] = {"facefuse", "headless-run", "-t", clip, "-o", out, "--processors", "face_debugger",
                          "--face-detector-model", "scrfd", "--face-landmarker-score", "0", "--output-video-encoder",
                          "ffv1", "--progress", "json", "--log-level", "warn", NULL};
    close(fds[0]); /* `| head -c0`: nobody reads */
    pid_t pid = spawn(argv, fds[1], err_path);
    close(fds[1]);
    int status = 0;
    waitpid(pid, &status, 0);
    char *e = tl_slurp(err_path);
    CHECK(exit_of(status) == 0, "exit %d: %s", exit_of(status), e);
    CHECK(strstr(e, "progress") != NULL, "the closed pipe went unnoticed: %s", e);
    vt_stats st;
    REQUIRE(vt_probe(out, &st) == 0, "no output");
    CHECK(vt_video_frames(&st) == 20, "%d of 20 frames", vt_video_frames(&st));
    vt_stats_free(&st);
    free(e);
}

static void ctrl_c_stops_an_image_run(void)
{
    char target[1024], out[1024], err_path[1024];
    snprintf(target, sizeof target, "%s", tl_tmp("big.png"));
    snprintf(out, sizeof out, "%s", tl_tmp("big-x4.png"));
    snprintf(err_path, sizeof err_path, "%s", tl_tmp("image.stderr"));
    facefuse_image im = {0};
    fu_err err;
    REQUIRE(facefuse_image_alloc(&im, 1600, 1600, 3) == FACEFUSE_OK, "alloc");
    for (size_t i = 0; i < (size_t)1600 * 1600 * 3; i++)
        im.data[i] = (uint8_t)(i % 251);
    REQUIRE(fu_image_write(target, &im, 80, &err) == FACEFUSE_OK, "%s", err.msg);
    facefuse_image_free(&im);
    const char *argv[] = {"facefuse", "headless-run", "-t", target, "-o", out, "--processors", "frame_enhancer",
                          "--frame-enhancer-model", "real_esrgan_x4", "--log-level", "debug", NULL};
    pid_t pid = spawn(argv, -1, err_path);
    /* Once the model is loaded (debug log), the tiles are under way. */
    CHECK(seconds_until_text(err_path, "loaded model real_esrgan_x4", 60) < 60, "the model never loaded");
    usleep(300000);
    kill(pid, SIGINT);
    /* From Ctrl-C to the line saying the run stopped (the exit after it
     * also waits for the sanitizers' leak check). */
    double took = seconds_until_text(err_path, "stopped", 30);
    int status = 0;
    waitpid(pid, &status, 0);
    char *e = tl_slurp(err_path);
    CHECK(exit_of(status) == 4, "exit %d (finished before Ctrl-C?): %s", exit_of(status), e);
    CHECK(took < 2.0, "stopped %.2f s after Ctrl-C", took);
    CHECK(error_lines(e) == 1 && strstr(e, "Ctrl-C"), "message: %s", e);
    CHECK(!path_exists(out) && !dir_has(tl_tmpdir(), ".partial-"), "output or partial written");
    printf("    image run stopped %.2f s after Ctrl-C\n", took);
    free(e);
}

static void ctrl_c_stops_a_model_download(void)
{
    char models[1024], base[256], err_path[1024];
    int port = hs_start();
    REQUIRE(port > 0, "test server");
    snprintf(models, sizeof models, "%s", tl_tmp("empty-models"));
    snprintf(err_path, sizeof err_path, "%s", tl_tmp("download.stderr"));
    mkdir(models, 0755);
    snprintf(base, sizeof base, "http://127.0.0.1:%d/slow", port);
    setenv("FACEFUSE_DOWNLOAD_BASE_URL", base, 1);
    const char *argv[] = {"facefuse", "detect", tl_shared("samples/grace_hopper.jpg"), "--face-detector-model",
                          "scrfd", "--model-dir", models, NULL};
    pid_t pid = spawn(argv, -1, err_path);
    setenv("FACEFUSE_DOWNLOAD_BASE_URL", "file:///nonexistent-facefuse-mirror", 1);
    CHECK(wait_for(models, ".download", 60), "no download started");
    usleep(300000);
    kill(pid, SIGINT);
    double took = seconds_until_text(err_path, "stopped", 30);
    int status = 0;
    waitpid(pid, &status, 0);
    char *e = tl_slurp(err_path);
    CHECK(exit_of(status) == 4, "exit %d: %s", exit_of(status), e);
    CHECK(took < 2.0, "stopped %.2f s after Ctrl-C", took);
    CHECK(!dir_has(models, ".download"), "a .download file is left");
    CHECK(error_lines(e) == 1 && strstr(e, "Ctrl-C"), "message: %s", e);
    printf("    download stopped %.2f s after Ctrl-C\n", took);
    free(e);
    hs_stop();
}

int main(void)
{
    av_log_set_level(AV_LOG_ERROR);
    setenv("FACEFUSE_MODEL_DIR", FACEFUSE_TEST_MODELS, 0);
    setenv("FACEFUSE_DOWNLOAD_BASE_URL", "file:///nonexistent-facefuse-mirror", 1);
    RUN(sighup_stops_like_ctrl_c);
    RUN(a_second_signal_still_says_what_happened);
    RUN(a_closed_progress_pipe_does_not_stop_the_render);
    RUN(ctrl_c_stops_an_image_run);
    RUN(ctrl_c_stops_a_model_download);
    return tl_finish();
}
