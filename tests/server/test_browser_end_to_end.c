/*
 * test_browser_end_to_end.c — the web UI in a real browser: Debian's
 * chromium, driven headless by npm's playwright-core (tests/browser/e2e.mjs,
 * installed by scripts/setup.sh), against the server on the real pipeline
 * (pipeline_service.h) with the test suite's stand-in models: face_swapper
 * with the stand-in inswapper_128 and the scrfd detector. The page uploads
 * a source and a target, shows a preview that differs from the frame and
 * changes with the swapper's weight slider, picks a reference face, runs
 * the job to 100 % and downloads the result; here the download is checked
 * to differ from the target around the face only (the swapped crop) and
 * to be the face swapped with the slider's weight, as the command line
 * writes it. Then the webcam tab (the server's camera is the shared clip):
 * Start shows the processed camera as an updating <img>, Stop ends it; and
 * the about button names the version. A screenshot of the finished page is kept in
 * <build>/test-artifacts/browser/.
 * Skipped (saying why) when chromium, node or playwright-core is missing.
 */
#include <signal.h>
#include <sys/wait.h>

#include "core/clock.h"
#include "core/image.h"
#include "pipelinetest.h"

#define BROWSER_DIR FACEFUSE_SOURCE_DIR "/tests/browser"
#define ARTIFACTS FACEFUSE_BINARY_DIR "/test-artifacts/browser"
#define CHROMIUM "/usr/bin/chromium"

static char node_path[1024];

static int find_node(void)
{
    const char *dirs[] = {"/usr/bin", "/usr/local/bin", NULL};
    for (int i = 0; dirs[i]; i++) {
        snprintf(node_path, sizeof node_path, "%s/node", dirs[i]);
        if (access(node_path, X_OK) == 0)
            return 1;
    }
    return 0;
}

/* Runs node e2e.mjs with a deadline; its output into out (malloc'd). */
static int run_e2e(const char *url, const char *source, const char *target, char **out)
{
    const char *log = ARTIFACTS "/e2e.log";
    pid_t pid = fork();
    if (pid == 0) {
        FILE *f = freopen(log, "w", stdout);
        (void)f;
        dup2(1, 2);
        execl(node_path, "node", BROWSER_DIR "/e2e.mjs", url, ARTIFACTS, source, target, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    int64_t deadline = fu_now_ns() + 90LL * 1000000000LL; /* the webcam steps add about 10 s on a loaded machine */
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (fu_now_ns() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            fprintf(stderr, "    the browser session took over 90 s\n");
            break;
        }
        fake_sleep_ms(50);
    }
    size_t size;
    *out = api_slurp(log, &size);
    if (*out)
        (*out)[size] = '\0';
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

#define SERVER_DEFAULTS "--processors face_swapper --face-swapper-model inswapper_128 --face-detector-model scrfd"

/* The download differs from the target around the face and nowhere else:
 * no pixel changed outside the face box grown by half its size on each side
 * (the swapper's crop and its blurred mask), most pixels inside the box
 * changed. And it is what headless-run writes for the same step (the
 * options the page sent: the weight slider at 0.8, face 0 of frame 0). */
static void check_download(const char *file, const char *target, const char *source, facefuse_context *ctx)
{
    facefuse_image got = {0}, want = {0}, cli = {0};
    facefuse_analysis_params a = facefuse_analysis_default_params();
    facefuse_face *faces = NULL;
    int n = 0;
    REQUIRE(fu_image_read(file, &got, NULL) == FACEFUSE_OK, "cannot read the download %s", file);
    REQUIRE(fu_image_read(target, &want, NULL) == FACEFUSE_OK, "target");
    REQUIRE(got.width == want.width && got.height == want.height, "download is %dx%d, target %dx%d", got.width,
            got.height, want.width, want.height);
    a.detector_model = "scrfd";
    a.recognizer_model = NULL;
    REQUIRE(facefuse_detect_faces(ctx, &want, &a, &faces, &n) == FACEFUSE_OK && n == 1, "faces in the target: %d", n);
    const float *b = faces[0].box;
    float mx = (b[2] - b[0]) / 2, my = (b[3] - b[1]) / 2;
    long inside = 0, inside_changed = 0, outside_changed = 0;
    for (int y = 0; y < want.height; y++)
        for (int x = 0; x < want.width; x++) {
            int changed = memcmp(fu_pixel(&got, x, y), fu_pixel(&want, x, y), 3) != 0;
            int in_box = x >= b[0] && x < b[2] && y >= b[1] && y < b[3];
            int near = x >= b[0] - mx && x < b[2] + mx && y >= b[1] - my && y < b[3] + my;
            inside += in_box;
            inside_changed += in_box && changed;
            outside_changed += !near && changed;
        }
    CHECK(outside_changed == 0, "%ld pixels changed away from the face", outside_changed);
    CHECK(inside_changed > inside / 2, "only %ld of %ld face pixels changed", inside_changed, inside);

    char args[4096], *err = NULL;
    snprintf(args, sizeof args,
             "headless-run -s '%s' -t '%s' -o '%s' " SERVER_DEFAULTS " --face-swapper-weight 0.8 "
             "--reference-face-position 0 --reference-frame-number 0 --progress none",
             source, target, tl_tmp("cli.png"));
    CHECK(tl_run_cli(args, NULL, &err) == 0, "headless-run: %s", err);
    free(err);
    if (fu_image_read(tl_tmp("cli.png"), &cli, NULL) == FACEFUSE_OK) {
        long differ = 0;
        for (int y = 0; y < cli.height && cli.width == got.width && cli.height == got.height; y++)
            differ += memcmp(fu_pixel(&cli, 0, y), fu_pixel(&got, 0, y), (size_t)cli.width * 3) != 0;
        CHECK(cli.width == got.width && differ == 0, "the UI's output differs from headless-run's in %ld rows",
              differ);
    }
    facefuse_faces_free(faces);
    facefuse_image_free(&cli);
    facefuse_image_free(&got);
    facefuse_image_free(&want);
}

static void browser_session(void)
{
    if (access(CHROMIUM, X_OK) != 0 || !find_node() ||
        access(BROWSER_DIR "/node_modules/playwright-core/package.json", F_OK) != 0) {
        tl_skip("needs " CHROMIUM ", node and tests/browser/node_modules/playwright-core (scripts/setup.sh)");
        return;
    }
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", ARTIFACTS);
    REQUIRE(system(cmd) == 0, "cannot make %s", ARTIFACTS);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pt_server p;
    pt_start_webcam(&p, "jobs_browser", SERVER_DEFAULTS, tl_shared("samples/grace_hopper_zoom_2s.mp4"));
    char target[1024], source[1024];
    snprintf(target, sizeof target, "%s", tl_shared("samples/astronaut.png"));
    snprintf(source, sizeof source, "%s", tl_shared("samples/grace_hopper.jpg"));
    char *out = NULL;
    int64_t t0 = fu_now_ns();
    int code = run_e2e(fu_server_url(p.server), source, target, &out);
    double took = (fu_now_ns() - t0) / 1e9;
    printf("%s", out ? out : "");
    printf("   browser session: %.1f s\n", took);
    CHECK(code == 0, "the browser session failed (exit %d); see %s", code, ARTIFACTS);
    const char *line = out ? strstr(out, "DOWNLOADED ") : NULL;
    if (line) {
        char file[1024];
        sscanf(line + 11, "%1023s", file);
        check_download(file, target, source, p.ctx);
    } else {
        CHECK(0, "nothing was downloaded");
    }
    CHECK(access(ARTIFACTS "/finished-page.png", F_OK) == 0, "no screenshot");
    CHECK(out && strstr(out, "WEBCAM STREAMED"), "the webcam tab's steps did not run");
    free(out);
    pt_stop(&p);
    curl_global_cleanup();
}

int main(void)
{
    RUN(browser_session);
    return tl_finish();
}
