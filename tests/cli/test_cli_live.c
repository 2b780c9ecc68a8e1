/*
 * test_cli_live.c — `facefuse live` as a user runs it: the shared clip as a
 * camera played in real time (looped), the face swapper on it (stand-in
 * models), recording to .mkv with --live-stats, stopped by Ctrl-C:
 * - the program exits 0 (a normal end, not 4);
 * - the recording is under its final name, no partial file beside it, and
 *   decodes to the frames the summary says were sent, with increasing
 *   timestamps;
 * - every --live-stats line is JSON with the documented fields (per second:
 *   time_s, frames_in, frames_out, dropped, fps_out, latency_ms {p50, p95,
 *   max}, faces; then one summary line with seconds and cancelled true), and
 *   faces were found and swapped;
 * - a bad --webcam-resolution and an unopenable camera fail at once with
 *   exit 2 / 1 and one error line naming them.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "clitest.h"
#include "media/video_reader.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    int n = 0, c;
    while (f && (c = fgetc(f)) != EOF)
        n += c == '\n';
    if (f)
        fclose(f);
    return n;
}

/* Checks every line of the stats file with Python's json module; returns
 * its verdict ("ok <lines> <frames_out> <faces>" or what is wrong). */
static void check_stats(const char *path, char *verdict, size_t size)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "python3 -c '\n"
             "import json, sys\n"
             "lines = open(sys.argv[1]).read().splitlines()\n"
             "per = [\"time_s\", \"frames_in\", \"frames_out\", \"dropped\", \"fps_out\", \"latency_ms\", \"faces\"]\n"
             "rows = [json.loads(l) for l in lines]\n"
             "assert len(rows) >= 2, \"fewer than 2 lines\"\n"
             "for r in rows[:-1]:\n"
             "    assert all(k in r for k in per), \"per-second line lacks a field: %%s\" %% r\n"
             "for r in rows:\n"
             "    assert all(k in r[\"latency_ms\"] for k in (\"p50\", \"p95\", \"max\")), \"latency fields\"\n"
             "    assert r[\"latency_ms\"][\"p50\"] <= r[\"latency_ms\"][\"p95\"] <= r[\"latency_ms\"][\"max\"], r\n"
             "s = rows[-1]\n"
             "assert s.get(\"summary\") is True and s.get(\"cancelled\") is True, \"summary line: %%s\" %% s\n"
             "assert all(k in s for k in (\"seconds\", \"frames_in\", \"frames_out\", \"dropped\", \"faces\")), s\n"
             "print(\"ok\", len(rows), s[\"frames_out\"], s[\"faces\"])\n"
             "' '%s' 2>&1",
             path);
    FILE *p = popen(cmd, "r");
    verdict[0] = 0;
    if (p) {
        size_t n = fread(verdict, 1, size - 1, p);
        verdict[n] = 0;
        pclose(p);
    }
}

static void ctrl_c_exits_0_with_a_complete_recording(void)
{
    const char *dir = tl_tmp("live");
    char rec[1024], stats[1024], verdict[4096];
    mkdir(dir, 0755);
    snprintf(rec, sizeof rec, "%s/rec.mkv", dir);
    snprintf(stats, sizeof stats, "%s/stats.jsonl", dir);
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        dup2(devnull, 2);
        execl(FACEFUSE_BINARY, "facefuse", "live", "-s", tl_shared("samples/grace_hopper.jpg"), "--camera",
              tl_shared("samples/grace_hopper_zoom_2s.mp4"), "--camera-realtime", "--camera-loop",
              "--webcam-resolution", "320x240", "--live-output", rec, "--live-stats", stats, "--processors",
              "face_swapper", "--face-detector-model", "scrfd", "--log-level", "error", (char *)NULL);
        _exit(127);
    }
    /* Running once two per-second lines are written (startup may be slow under the sanitizers). */
    double t0 = now_s();
    while (count_lines(stats) < 2 && now_s() - t0 < 40 && waitpid(pid, NULL, WNOHANG) == 0)
        usleep(50000);
    CHECK(count_lines(stats) >= 2, "no two stats lines within 40 s");
    kill(pid, SIGINT);
    int status = 0;
    waitpid(pid, &status, 0);
    REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0, "exit status %d (signal %d)",
            WIFEXITED(status) ? WEXITSTATUS(status) : -1, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    CHECK(!dir_has(dir, ".partial-"), "a partial file is left");

    check_stats(stats, verdict, sizeof verdict);
    int lines = 0, sent = -1, faces = -1;
    REQUIRE(sscanf(verdict, "ok %d %d %d", &lines, &sent, &faces) == 3, "stats file: %s", verdict);
    printf("  stats: %d lines, %d frames sent, %d faces\n", lines, sent, faces);
    CHECK(faces > 0, "no face found in the clip");

    fu_video_reader *r;
    fu_err err;
    REQUIRE(fu_video_reader_open(&r, rec, 1, &err) == FACEFUSE_OK, "%s", err.msg);
    facefuse_image im = {0};
    int64_t pts, prev = INT64_MIN;
    int got, n = 0, increasing = 1;
    while (fu_video_reader_next(r, &im, &pts, &got, &err) == FACEFUSE_OK && got) {
        increasing &= pts > prev;
        prev = pts;
        n++;
    }
    fu_video_reader_close(r);
    facefuse_image_free(&im);
    printf("  recording: %d frames\n", n);
    CHECK(n > 0 && n == sent, "the recording has %d frames, the summary says %d sent", n, sent);
    CHECK(increasing, "timestamps do not increase");
}

static void bad_settings_fail_at_once(void)
{
    char args[2048], *e = NULL;
    snprintf(args, sizeof args, "live -s '%s' --camera lavfi:testsrc2 --webcam-resolution 640by480 "
             "--live-output '%s'", tl_shared("samples/grace_hopper.jpg"), tl_tmp("x.mkv"));
    int code = tl_run_cli(args, NULL, &e);
    CHECK(code == 2 && error_lines(e) == 1 && strstr(e, "--webcam-resolution"), "exit %d: %s", code, e);
    free(e);
    snprintf(args, sizeof args, "live -s '%s' --camera '%s' --live-output '%s' --face-detector-model scrfd",
             tl_shared("samples/grace_hopper.jpg"), tl_tmp("no-such-camera.mp4"), tl_tmp("y.mkv"));
    code = tl_run_cli(args, NULL, &e);
    CHECK(code != 0 && error_lines(e) == 1 && strstr(e, "no-such-camera.mp4"), "exit %d: %s", code, e);
    CHECK(!path_exists(tl_tmp("y.mkv")), "an output was written");
    free(e);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    RUN(ctrl_c_exits_0_with_a_complete_recording);
    RUN(bad_settings_fail_at_once);
    return tl_finish();
}
