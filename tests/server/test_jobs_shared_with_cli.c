/*
 * test_jobs_shared_with_cli.c — one job store for the command line and the
 * web UI (the server on the real pipeline, the facefuse program beside it
 * on the same --jobs-path):
 * - a job made with job-create / job-add-step / job-submit shows in
 *   GET /api/jobs as queued, and POST .../run has the server run it to
 *   completion (its output where the command line asked, not served);
 * - a job made with POST /api/jobs shows in `job-list completed --json`,
 *   its stored step complete: the run's defaults, the page's option, the
 *   tables' defaults, no job key;
 * - the job_manager workflow's steps go to a drafted job the command line
 *   lists with its steps, and submit queues it; the job_runner workflow's
 *   Start queues a job without running it.
 */
#include <jansson.h>

#include "../cli/clitest.h"
#include "core/clock.h"
#include "pipeline/jobs/job_args.h"
#include "pipeline/jobs/job_store.h"
#include "pipelinetest.h"

#define DEFAULTS "--processors face_debugger --face-detector-model scrfd --face-debugger-items bounding-box"

static pt_server p;
static char base[64], jobs[1024], target_id[128];

static int cli(const char *args, char **out)
{
    char full[4096], *err = NULL;
    snprintf(full, sizeof full, "%s --jobs-path '%s'", args, jobs);
    int code = tl_run_cli(full, out, &err);
    if (code != 0)
        fprintf(stderr, "    facefuse %s: %s", args, err ? err : "");
    free(err);
    return code;
}

static json_t *api(const char *method, const char *path, const char *body, long *status)
{
    return api_call(base, method, path, body, status);
}

/* The job's status once it is no longer queued or running (60 s at most). */
static const char *wait_done(const char *id, char *buf, size_t size)
{
    char path[256];
    long status;
    snprintf(path, sizeof path, "api/jobs/%s", id);
    for (int64_t until = fu_now_ns() + 60LL * 1000000000LL; fu_now_ns() < until;) {
        json_t *j = api("GET", path, NULL, &status);
        snprintf(buf, size, "%s", json_string_value(json_object_get(j, "status")) ?: "?");
        json_decref(j);
        if (strcmp(buf, "queued") && strcmp(buf, "running"))
            break;
        usleep(100000);
    }
    return buf;
}

static json_t *listed(json_t *list, const char *id)
{
    size_t i;
    json_t *j;
    json_array_foreach(list, i, j) if (!strcmp(json_string_value(json_object_get(j, "id")) ?: "", id)) return j;
    return NULL;
}

static void cli_job_in_the_api(void)
{
    char args[2048], state[32];
    long status;
    snprintf(args, sizeof args,
             "job-add-step from-cli -t '%s' -o '%s' --processors face_debugger --face-detector-model scrfd",
             tl_shared("samples/astronaut.png"), tl_tmp("cli out.png"));
    REQUIRE(cli("job-create from-cli", NULL) == 0 && cli(args, NULL) == 0 && cli("job-submit from-cli", NULL) == 0,
            "the command line could not make the job");
    json_t *list = api("GET", "api/jobs", NULL, &status);
    json_t *j = listed(list, "from-cli");
    CHECK(status == 200 && j && !strcmp(json_string_value(json_object_get(j, "status")), "queued") &&
              json_integer_value(json_object_get(j, "steps")) == 1 && json_is_false(json_object_get(j, "auto_run")),
          "GET /api/jobs: %s", j ? json_dumps(j, 0) : "(not listed)");
    json_decref(list);
    json_decref(api("POST", "api/jobs/from-cli/run", "", &status));
    CHECK(status == 202, "run: %ld", status);
    CHECK(!strcmp(wait_done("from-cli", state, sizeof state), "completed"), "the server left it %s", state);
    CHECK(access(tl_tmp("cli out.png"), F_OK) == 0, "no output where the command line asked");
    json_t *one = api("GET", "api/jobs/from-cli", NULL, &status);
    CHECK(json_is_null(json_object_get(one, "output")), "an output outside the workspace is served");
    json_decref(one);
    json_decref(api("POST", "api/jobs/from-cli/run", "", &status));
    CHECK(status == 409, "running a completed job: %ld", status);
}

static void api_job_in_the_cli(void)
{
    char body[512], id[128], state[32], *out = NULL;
    long status;
    snprintf(body, sizeof body, "{\"target\":\"%s\",\"options\":{\"--face-debugger-items\":[\"face-landmark-5\"]}}",
             target_id);
    json_t *j = api("POST", "api/jobs", body, &status);
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(j, "id")) ?: "");
    json_decref(j);
    REQUIRE(status == 201 && id[0], "POST /api/jobs: %ld", status);
    CHECK(!strcmp(wait_done(id, state, sizeof state), "completed"), "the API's job is %s", state);
    CHECK(cli("job-list completed --json", &out) == 0 && out && strstr(out, id), "job-list: %s", out ? out : "");
    free(out);

    fu_job_store *s = NULL;
    fu_job_step *steps = NULL;
    int n = 0;
    REQUIRE(fu_job_store_open(jobs, &s, NULL) == FACEFUSE_OK, "store");
    if (fu_job_steps(s, id, &steps, &n, NULL) == FACEFUSE_OK && n == 1) {
        json_t *a = json_loads(steps[0].args, 0, NULL);
        const char *first_item = json_string_value(json_array_get(json_object_get(a, "--face-debugger-items"), 0));
        const char *detector = json_string_value(json_array_get(json_object_get(a, "--face-detector-model"), 0));
        CHECK(first_item && !strcmp(first_item, "face-landmark-5") &&
                  json_array_size(json_object_get(a, "--face-debugger-items")) == 1,
              "the page's option: %s", steps[0].args);
        CHECK(detector && !strcmp(detector, "scrfd"), "the run's default: %s", steps[0].args);
        CHECK(json_object_get(a, "--face-selector-mode") && json_object_get(a, "--output-image-quality"),
              "the tables' defaults are not stored");
        CHECK(!json_object_get(a, "--execution-providers") && !json_object_get(a, "--video-memory-strategy"),
              "a job key was stored");
        json_decref(a);
    } else {
        CHECK(0, "the API's job has %d steps", n);
    }
    fu_job_steps_free(steps, n);
    fu_job_store_close(s);
}

static void workflows_file_steps(void)
{
    char body[512], *out = NULL;
    long status;
    snprintf(body, sizeof body, "{\"target\":\"%s\",\"job\":\"drafted-in-ui\"}", target_id);
    json_decref(api("POST", "api/jobs", body, &status));
    json_t *j = api("POST", "api/jobs", body, &status);
    CHECK(status == 201 && !strcmp(json_string_value(json_object_get(j, "status")) ?: "", "drafted") &&
              json_integer_value(json_object_get(j, "steps")) == 2,
          "job_manager's second step: %ld %s", status, j ? json_dumps(j, 0) : "");
    json_decref(j);
    CHECK(cli("job-list drafted", &out) == 0 && out && strstr(out, "drafted-in-ui"), "job-list drafted: %s",
          out ? out : "");
    free(out);
    json_decref(api("POST", "api/jobs/drafted-in-ui/submit", "", &status));
    CHECK(status == 202, "submit: %ld", status);
    out = NULL;
    CHECK(cli("job-list queued", &out) == 0 && out && strstr(out, "drafted-in-ui"), "submitted: %s", out ? out : "");
    free(out);
    json_decref(api("POST", "api/jobs", body, &status));
    CHECK(status == 409, "a step added to a queued job: %ld", status);

    snprintf(body, sizeof body, "{\"target\":\"%s\",\"run\":false}", target_id);
    j = api("POST", "api/jobs", body, &status);
    CHECK(status == 201 && !strcmp(json_string_value(json_object_get(j, "status")) ?: "", "queued") &&
              json_is_false(json_object_get(j, "auto_run")),
          "job_runner's Start: %ld %s", status, j ? json_dumps(j, 0) : "");
    json_decref(j);
}

int main(void)
{
    char locks[1024];
    snprintf(locks, sizeof locks, "%s", tl_tmp("locks"));
    setenv("FACEFUSE_LOCK_DIR", locks, 1);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pt_start(&p, "jobs_shared", DEFAULTS);
    snprintf(jobs, sizeof jobs, "%s", tl_tmp("jobs_shared"));
    snprintf(base, sizeof base, "%s", api_base(p.server));
    if (api_upload(base, tl_shared("samples/astronaut.png"), "astronaut.png", target_id, sizeof target_id) != 201)
        return 2;
    RUN(cli_job_in_the_api);
    RUN(api_job_in_the_cli);
    RUN(workflows_file_steps);
    pt_stop(&p);
    curl_global_cleanup();
    return tl_finish();
}
