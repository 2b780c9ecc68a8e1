/*
 * test_cli_run_webcam_layout.c — `facefuse run --ui-layouts webcam
 * benchmark --camera CLIP` as a user starts it: the options are taken, the
 * printed address opens on the webcam tab, GET /api/ui lists both layouts,
 * GET /api/live offers the --camera given (and nothing a client names), and
 * Ctrl-C ends the program with exit 0.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "clitest.h"

static size_t collect(char *data, size_t size, size_t n, void *user)
{
    char **buf = user;
    size_t old = *buf ? strlen(*buf) : 0, add = size * n;
    *buf = realloc(*buf, old + add + 1);
    memcpy(*buf + old, data, add);
    (*buf)[old + add] = '\0';
    return add;
}

static json_t *get(const char *url, const char *body, long *status)
{
    char *text = NULL;
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &text);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(c);
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    return j;
}

static void run_takes_the_webcam_and_benchmark_layouts(void)
{
    char errlog[1024], clip[1024], jobs[1024], url[700], base[600];
    snprintf(errlog, sizeof errlog, "%s", tl_tmp("run.err"));
    snprintf(clip, sizeof clip, "%s", tl_shared("samples/grace_hopper_zoom_2s.mp4"));
    snprintf(jobs, sizeof jobs, "%s", tl_tmp("jobs"));
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(errlog, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 2);
        execl(FACEFUSE_BINARY, "facefuse", "run", "--ui-port", "0", "--ui-layouts", "webcam", "benchmark", "--camera",
              clip, "--camera-loop", "--jobs-path", jobs, "--model-dir", tl_test_models(""), "--log-level", "error",
              (char *)NULL);
        _exit(127);
    }
    /* the address, once printed */
    base[0] = '\0';
    for (int i = 0; i < 200 && !base[0]; i++) {
        usleep(50000);
        char *log = tl_slurp(errlog);
        char *at = log ? strstr(log, "http://") : NULL;
        if (at && sscanf(at, "%599s", base) == 1) {
            char *hash = strchr(base, '#');
            CHECK(hash && !strcmp(hash, "#webcam"), "the address opens on %s", hash ? hash : "the default tab");
            if (hash)
                *hash = '\0';
        }
        free(log);
    }
    if (!base[0]) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        REQUIRE(0, "no address printed");
    }
    long status;
    snprintf(url, sizeof url, "%sapi/ui", base);
    json_t *ui = get(url, NULL, &status);
    json_t *layouts = json_object_get(ui, "layouts");
    CHECK(status == 200 && json_array_size(layouts) == 2 &&
              !strcmp(json_string_value(json_array_get(layouts, 0)) ?: "", "webcam") &&
              !strcmp(json_string_value(json_array_get(layouts, 1)) ?: "", "benchmark"),
          "GET /api/ui: %ld %s", status, ui ? json_dumps(ui, 0) : "(none)");
    json_decref(ui);
    snprintf(url, sizeof url, "%sapi/live", base);
    json_t *live = get(url, NULL, &status);
    json_t *devices = json_object_get(live, "devices");
    int offered = 0;
    for (size_t i = 0; i < json_array_size(devices); i++)
        offered |= !strcmp(json_string_value(json_array_get(devices, i)) ?: "", clip);
    CHECK(status == 200 && offered, "GET /api/live: %s", live ? json_dumps(live, 0) : "(none)");
    json_decref(live);
    snprintf(url, sizeof url, "%sapi/live/start", base);
    json_t *refused = get(url, "{\"camera\":\"/etc/hostname\"}", &status);
    CHECK(status == 400, "a client's camera path: %ld", status);
    json_decref(refused);

    kill(pid, SIGINT);
    int st = 0;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "exit %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    RUN(run_takes_the_webcam_and_benchmark_layouts);
    curl_global_cleanup();
    return tl_finish();
}
