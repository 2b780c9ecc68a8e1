/*
 * test_job_runner_actions.c — FaceFusion's job_runner component over the
 * API (/api/runner), against a server with the fake service:
 * - job-run-all with halt_on_error stops at the first failed job (the later
 *   queued one stays queued), as `facefuse job-run-all --halt-on-error`;
 *   without it every queued job runs;
 * - job-retry-all runs the failed jobs again (one whose input came back
 *   completes); job-run and job-retry take only a queued / failed job;
 * - one action at a time (409), the running job's progress is in GET
 *   /api/log, Stop makes the running job fail "stopped";
 * - bad requests: an unknown action, a missing or malformed job id, an
 *   unknown job.
 */
#include <jansson.h>

#include "apitest.h"
#include "core/clock.h"
#include "pipeline/jobs/job_store.h"

static fake_service fake;
static fu_server *server;
static const char *base;
static char jobs[1024], target_id[64];

static json_t *call(const char *method, const char *path, const char *body, long *status)
{
    return api_call(base, method, path, body, status);
}

static long status_of(const char *method, const char *path, const char *body)
{
    long status;
    json_decref(call(method, path, body, &status));
    return status;
}

static const char *status_name(const char *id, char *buf, size_t size)
{
    char path[256];
    long status;
    snprintf(path, sizeof path, "api/jobs/%s", id);
    json_t *j = call("GET", path, NULL, &status);
    snprintf(buf, size, "%s", json_string_value(json_object_get(j, "status")) ?: "?");
    json_decref(j);
    return buf;
}

/* The runner's outcome once it stops running (30 s at most). */
static const char *wait_runner(char *buf, size_t size)
{
    long status;
    snprintf(buf, size, "timeout");
    for (int64_t until = fu_now_ns() + 30LL * 1000000000LL; fu_now_ns() < until; usleep(50000)) {
        json_t *j = call("GET", "api/runner", NULL, &status);
        int running = json_is_true(json_object_get(j, "running"));
        snprintf(buf, size, "%s", json_string_value(json_object_get(j, "outcome")) ?: "?");
        json_decref(j);
        if (!running)
            break;
    }
    return buf;
}

/* A queued page job that does not run by itself (job_runner's Start). */
static void queued_page_job(char *id, size_t size)
{
    char body[256];
    long status;
    snprintf(body, sizeof body, "{\"target\":\"%s\",\"run\":false}", target_id);
    json_t *j = call("POST", "api/jobs", body, &status);
    snprintf(id, size, "%s", json_string_value(json_object_get(j, "id")) ?: "");
    json_decref(j);
    usleep(20000); /* the store orders by update time */
}

/* A queued job made on the store directly whose target is `target`. */
static void queued_store_job(const char *id, const char *target)
{
    char args[2048];
    fu_job_store *s = NULL;
    snprintf(args, sizeof args, "{\"--target-path\":[\"%s\"],\"--output-path\":[\"%s/%s.png\"]}", target,
             tl_tmpdir(), id);
    REQUIRE(fu_job_store_open(jobs, &s, NULL) == FACEFUSE_OK, "store");
    CHECK(fu_job_create(s, id, NULL) == FACEFUSE_OK && fu_job_add_step(s, id, args, NULL) == FACEFUSE_OK &&
              fu_job_submit(s, id, NULL) == FACEFUSE_OK,
          "could not queue %s", id);
    fu_job_store_close(s);
    usleep(20000);
}

static void run_all_halts_on_error(void)
{
    char a[128], c[128], buf[32];
    queued_page_job(a, sizeof a);
    queued_store_job("broken-1", tl_tmp("comes-later.png"));
    queued_page_job(c, sizeof c);
    REQUIRE(a[0] && c[0], "queueing failed");
    REQUIRE(status_of("POST", "api/runner", "{\"action\":\"job-run-all\",\"halt_on_error\":true}") == 202, "start");
    CHECK(!strcmp(wait_runner(buf, sizeof buf), "failed"), "run-all --halt-on-error: %s", buf);
    CHECK(!strcmp(status_name(a, buf, sizeof buf), "completed"), "the first job is %s", buf);
    CHECK(!strcmp(status_name("broken-1", buf, sizeof buf), "failed"), "the broken job is %s", buf);
    CHECK(!strcmp(status_name(c, buf, sizeof buf), "queued"), "the job after the failure is %s, not queued", buf);

    REQUIRE(status_of("POST", "api/runner", "{\"action\":\"job-run-all\"}") == 202, "start again");
    CHECK(!strcmp(wait_runner(buf, sizeof buf), "succeeded"), "run-all: %s", buf);
    CHECK(!strcmp(status_name(c, buf, sizeof buf), "completed"), "the last job is %s", buf);
}

static void retry_all_runs_failed_jobs(void)
{
    char buf[32];
    /* its input appears: the retry succeeds */
    size_t size;
    void *png = api_slurp(tl_shared("samples/astronaut.png"), &size);
    FILE *f = fopen(tl_tmp("comes-later.png"), "wb");
    REQUIRE(png && f && fwrite(png, 1, size, f) == size, "write the input");
    fclose(f);
    free(png);
    CHECK(status_of("POST", "api/runner", "{\"action\":\"job-run\",\"job\":\"broken-1\"}") == 409,
          "job-run took a failed job");
    REQUIRE(status_of("POST", "api/runner", "{\"action\":\"job-retry-all\"}") == 202, "retry-all");
    CHECK(!strcmp(wait_runner(buf, sizeof buf), "succeeded"), "retry-all: %s", buf);
    CHECK(!strcmp(status_name("broken-1", buf, sizeof buf), "completed"), "the retried job is %s", buf);
    CHECK(status_of("POST", "api/runner", "{\"action\":\"job-retry-all\"}") == 202, "retry-all with none");
    CHECK(!strcmp(wait_runner(buf, sizeof buf), "failed"), "retry-all without a failed job: %s", buf);
}

static void one_action_at_a_time_and_stop(void)
{
    char id[128], body[256], buf[32];
    queued_page_job(id, sizeof id);
    fake.step_ms = 300; /* 10 parts: 3 s */
    snprintf(body, sizeof body, "{\"action\":\"job-run\",\"job\":\"%s\"}", id);
    REQUIRE(status_of("POST", "api/runner", body) == 202, "job-run");
    for (int i = 0; i < 100 && strcmp(status_name(id, buf, sizeof buf), "running"); i++)
        usleep(20000);
    CHECK(status_of("POST", "api/runner", "{\"action\":\"job-run-all\"}") == 409, "a second action started");
    /* the terminal shows the running job's progress */
    long status;
    int shown = 0;
    for (int i = 0; i < 40 && !shown; i++, usleep(50000)) {
        json_t *log = call("GET", "api/log", NULL, &status);
        const char *line = json_string_value(json_array_get(json_object_get(log, "progress"), 0));
        shown = line && strstr(line, id) && strstr(line, "%");
        json_decref(log);
    }
    CHECK(shown, "GET /api/log shows no progress line for the running job");
    CHECK(status_of("POST", "api/runner/stop", "") == 202, "stop");
    CHECK(!strcmp(wait_runner(buf, sizeof buf), "stopped"), "after Stop the outcome is %s", buf);
    CHECK(!strcmp(status_name(id, buf, sizeof buf), "failed"), "the stopped job is %s", buf);
    fake.step_ms = 20;
    snprintf(body, sizeof body, "{\"action\":\"job-retry\",\"job\":\"%s\"}", id);
    CHECK(status_of("POST", "api/runner", body) == 202, "job-retry");
    CHECK(!strcmp(wait_runner(buf, sizeof buf), "succeeded"), "job-retry: %s", buf);
}

static void bad_runner_requests(void)
{
    CHECK(status_of("POST", "api/runner", "{\"action\":\"job-explode\"}") == 400, "unknown action");
    CHECK(status_of("POST", "api/runner", "{\"action\":\"job-run\"}") == 400, "job-run without a job");
    CHECK(status_of("POST", "api/runner", "{\"action\":\"job-run\",\"job\":\"../x\"}") == 400, "a traversal id");
    CHECK(status_of("POST", "api/runner", "{\"action\":\"job-retry\",\"job\":\"nope\"}") == 404, "unknown job");
    CHECK(status_of("POST", "api/runner", "{\"action\":\"job-run-all\",\"halt_on_error\":1}") == 400,
          "halt_on_error not a boolean");
    CHECK(status_of("POST", "api/runner", "[]") == 400, "not an object");
    CHECK(status_of("DELETE", "api/runner", NULL) == 405, "DELETE");
    CHECK(status_of("GET", "api/runner/stop", NULL) == 405, "GET stop");
    CHECK(status_of("POST", "api/runner/other", "") == 404, "an unknown address");
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    fake_service_init(&fake);
    server = api_start(&fake, "jobs_runner", NULL, 5, 32, 64);
    base = api_base(server);
    snprintf(jobs, sizeof jobs, "%s", tl_tmp("jobs_runner"));
    api_upload(base, tl_shared("samples/astronaut.png"), "t.png", target_id, sizeof target_id);
    if (!target_id[0]) {
        fprintf(stderr, "upload failed\n");
        return 1;
    }
    RUN(run_all_halts_on_error);
    RUN(retry_all_runs_failed_jobs);
    RUN(one_action_at_a_time_and_stop);
    RUN(bad_runner_requests);
    fu_server_stop(server);
    fake_service_free(&fake);
    curl_global_cleanup();
    return tl_finish();
}
