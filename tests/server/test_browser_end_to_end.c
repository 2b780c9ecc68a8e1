/*
 * test_browser_end_to_end.c — the web UI in a real browser: Debian's
 * chromium, driven headless by npm's playwright-core (tests/browser/e2e.mjs,
 * installed by scripts/setup.sh), against the server with the fake service.
 * The page uploads a source and a target, shows a preview that differs from
 * the frame and changes with an option, picks a reference face, runs the job
 * to 100 % and downloads the result; here the download is checked to differ
 * from the target only inside the faces. A screenshot of the finished page
 * is kept in <build>/test-artifacts/browser/.
 * Skipped (saying why) when chromium, node or playwright-core is missing.
 */
#include <signal.h>
#include <sys/wait.h>

#include "apitest.h"
#include "core/clock.h"
#include "core/image.h"

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
    int64_t deadline = fu_now_ns() + 60LL * 1000000000LL;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (fu_now_ns() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            fprintf(stderr, "    the browser session took over 60 s\n");
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

/* The download differs from the target inside the faces and nowhere else. */
static void check_download(const char *file, const char *target, fake_service *fake)
{
    facefuse_image got = {0}, want = {0};
    facefuse_face *faces = NULL;
    int n = 0;
    REQUIRE(fu_image_read(file, &got, NULL) == FACEFUSE_OK, "cannot read the download %s", file);
    REQUIRE(fu_image_read(target, &want, NULL) == FACEFUSE_OK, "target");
    REQUIRE(got.width == want.width && got.height == want.height, "download is %dx%d, target %dx%d", got.width,
            got.height, want.width, want.height);
    fake_detect(fake, &want, &faces, &n, NULL);
    REQUIRE(n >= 1, "no face in the target");
    long inside = 0, inside_changed = 0, outside_changed = 0;
    for (int y = 0; y < want.height; y++)
        for (int x = 0; x < want.width; x++) {
            int in = 0;
            for (int i = 0; i < n; i++)
                in |= x >= faces[i].box[0] - 1 && x <= faces[i].box[2] + 1 && y >= faces[i].box[1] - 1 &&
                      y <= faces[i].box[3] + 1;
            int changed = memcmp(fu_pixel(&got, x, y), fu_pixel(&want, x, y), 3) != 0;
            inside += in;
            inside_changed += in && changed;
            outside_changed += !in && changed;
        }
    CHECK(outside_changed == 0, "%ld pixels changed outside the faces", outside_changed);
    CHECK(inside_changed > inside * 9 / 10, "only %ld of %ld face pixels changed", inside_changed, inside);
    facefuse_faces_free(faces);
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
    fake_service fake;
    fake_service_init(&fake);
    fake.step_count = 20;
    fake.step_ms = 50; /* a visible second of progress */
    fu_server *server = api_start(&fake, "jobs_browser", NULL, 30, 64, 64);
    const char *target = tl_shared("samples/astronaut.png");
    char *out = NULL;
    int64_t t0 = fu_now_ns();
    int code = run_e2e(fu_server_url(server), tl_shared("samples/grace_hopper.jpg"), target, &out);
    double took = (fu_now_ns() - t0) / 1e9;
    printf("%s", out ? out : "");
    printf("   browser session: %.1f s\n", took);
    CHECK(code == 0, "the browser session failed (exit %d); see %s", code, ARTIFACTS);
    const char *line = out ? strstr(out, "DOWNLOADED ") : NULL;
    if (line) {
        char file[1024];
        sscanf(line + 11, "%1023s", file);
        check_download(file, target, &fake);
    } else {
        CHECK(0, "nothing was downloaded");
    }
    CHECK(access(ARTIFACTS "/finished-page.png", F_OK) == 0, "no screenshot");
    free(out);
    fu_server_stop(server);
    fake_service_free(&fake);
    curl_global_cleanup();
}

int main(void)
{
    RUN(browser_session);
    return tl_finish();
}
