/*
 * test_job_manager_steps.c — FaceFusion's job_manager over the API
 * (PUT /api/jobs/ID, /api/jobs/ID/steps[/N[/remix]]), against a server with
 * the fake service:
 * - create (the id sanitised as FaceFusion's), add, insert, remix, remove
 *   leave the steps the store holds, in order, and the remixed step's
 *   target is the step output of the step it remixes (job_id.h);
 * - the command line sees and edits the same job (job-remove-step,
 *   job-list), and the API sees the command line's edit;
 * - hostile: a step index that is not a number (400) or out of range
 *   (404), an unknown job (404), an id with other characters (400), a
 *   traversal in the path (no 2xx), a queued job's steps (409 for every
 *   change).
 */
#include <jansson.h>

#include "../cli/clitest.h"
#include "apitest.h"
#include "pipeline/jobs/job_args.h"
#include "pipeline/jobs/job_id.h"
#include "pipeline/jobs/job_store.h"

static fake_service fake;
static fu_server *server;
static const char *base;
static char jobs[1024], target_id[64], source_id[64];

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

static const char *step_body(const char *output)
{
    static char body[512];
    snprintf(body, sizeof body, "{\"sources\":[\"%s\"],\"target\":\"%s\",\"output\":\"%s\",\"options\":{}}", source_id,
             target_id, output);
    return body;
}

/* The store's steps of job id: their --output-path and --target-path. */
static int store_steps(const char *id, char outputs[][1024], char targets[][1024], int max)
{
    fu_job_store *s = NULL;
    fu_job_step *steps = NULL;
    int n = 0, found;
    if (fu_job_store_open(jobs, &s, NULL) != FACEFUSE_OK)
        return -1;
    if (fu_job_steps(s, id, &steps, &n, NULL) != FACEFUSE_OK)
        n = -1;
    for (int i = 0; i < n && i < max; i++) {
        fu_job_args_first(steps[i].args, FU_ARG_OUTPUT_PATH, outputs[i], 1024, &found, NULL);
        fu_job_args_first(steps[i].args, FU_ARG_TARGET_PATH, targets[i], 1024, &found, NULL);
    }
    fu_job_steps_free(steps, n > 0 ? n : 0);
    fu_job_store_close(s);
    return n;
}

static void create_sanitises_the_id(void)
{
    char want[FU_JOB_ID_MAX];
    long status;
    REQUIRE(fu_job_id_sanitize("my job", want, NULL) == FACEFUSE_OK, "sanitize");
    json_t *j = call("PUT", "api/jobs/my%20job", "", &status);
    CHECK(status == 201 && !strcmp(json_string_value(json_object_get(j, "id")) ?: "", want) &&
              !strcmp(json_string_value(json_object_get(j, "status")) ?: "", "drafted") &&
              json_integer_value(json_object_get(j, "steps")) == 0,
          "PUT 'my job': %ld %s (want id %s)", status, j ? json_dumps(j, 0) : "", want);
    json_decref(j);
    CHECK(status_of("PUT", "api/jobs/my%20job", "") == 409, "creating it again is not 409");
}

static void steps_change_as_the_store_says(void)
{
    char outputs[8][1024], targets[8][1024], remixed[1024];
    long status;
    REQUIRE(status_of("PUT", "api/jobs/jm-1", "") == 201, "create jm-1");
    CHECK(status_of("POST", "api/jobs/jm-1/steps", step_body("a.png")) == 201, "add a");
    CHECK(status_of("POST", "api/jobs/jm-1/steps", step_body("b.png")) == 201, "add b");
    REQUIRE(store_steps("jm-1", outputs, targets, 8) == 2, "2 steps in the store");
    char a[1024], b[1024];
    snprintf(a, sizeof a, "%s", outputs[0]);
    snprintf(b, sizeof b, "%s", outputs[1]);
    CHECK(strcmp(a, b) != 0, "two steps share the output %s", a);

    CHECK(status_of("POST", "api/jobs/jm-1/steps/0", step_body("c.png")) == 201, "insert before 0");
    REQUIRE(store_steps("jm-1", outputs, targets, 8) == 3, "3 steps");
    CHECK(!strcmp(outputs[1], a) && !strcmp(outputs[2], b) && strcmp(outputs[0], a) && strcmp(outputs[0], b),
          "insert did not put the step first: %s %s %s", outputs[0], outputs[1], outputs[2]);

    json_t *j = call("POST", "api/jobs/jm-1/steps/1/remix", step_body("d.png"), &status);
    CHECK(status == 201 && json_integer_value(json_object_get(j, "steps")) == 4, "remix: %ld", status);
    json_decref(j);
    REQUIRE(store_steps("jm-1", outputs, targets, 8) == 4, "4 steps");
    REQUIRE(fu_job_step_output_path("jm-1", 1, a, remixed, sizeof remixed, NULL) == FACEFUSE_OK, "step output");
    CHECK(!strcmp(targets[3], remixed), "the remixed step's target is %s, not step 1's output %s", targets[3],
          remixed);

    CHECK(status_of("DELETE", "api/jobs/jm-1/steps/-1", NULL) == 200, "remove the last");
    REQUIRE(store_steps("jm-1", outputs, targets, 8) == 3, "3 steps after remove");
    CHECK(!strcmp(outputs[1], a) && !strcmp(outputs[2], b), "remove -1 took another step");

    /* GET .../steps lists the store's steps in order, by file name */
    j = call("GET", "api/jobs/jm-1/steps", NULL, &status);
    CHECK(status == 200 && json_array_size(j) == 3, "GET steps: %ld", status);
    for (size_t i = 0; i < json_array_size(j) && i < 3; i++) {
        const char *out = json_string_value(json_object_get(json_array_get(j, i), "output")) ?: "";
        CHECK(strstr(outputs[i], out) && strlen(out) > 4 && !strchr(out, '/'), "step %zu output %s vs %s", i, out,
              outputs[i]);
        CHECK(json_integer_value(json_object_get(json_array_get(j, i), "index")) == (json_int_t)i, "index");
    }
    json_decref(j);
}

static void the_command_line_shares_the_job(void)
{
    char args[1400], *out = NULL, *err = NULL;
    long status;
    snprintf(args, sizeof args, "job-remove-step jm-1 0 --jobs-path '%s'", jobs);
    CHECK(tl_run_cli(args, NULL, &err) == 0, "job-remove-step: %s", err ? err : "");
    free(err);
    err = NULL;
    json_t *j = call("GET", "api/jobs/jm-1/steps", NULL, &status);
    CHECK(json_array_size(j) == 2, "the API sees %zu steps after the command line removed one", json_array_size(j));
    json_decref(j);
    snprintf(args, sizeof args, "job-list drafted --json --jobs-path '%s'", jobs);
    CHECK(tl_run_cli(args, &out, &err) == 0 && out && strstr(out, "jm-1"), "job-list drafted: %s %s", out ? out : "",
          err ? err : "");
    json_t *list = out ? json_loads(out, 0, NULL) : NULL;
    size_t i;
    json_t *e;
    int steps = -1;
    json_array_foreach(list, i, e) {
        if (!strcmp(json_string_value(json_object_get(e, "id")) ?: "", "jm-1"))
            steps = (int)json_integer_value(json_object_get(e, "steps"));
    }
    CHECK(steps == 2, "job-list --json shows jm-1 with %d steps", steps);
    json_decref(list);
    free(out);
    free(err);
}

static void hostile_step_requests(void)
{
    CHECK(status_of("POST", "api/jobs/jm-1/steps/abc", step_body("x.png")) == 400, "index abc");
    CHECK(status_of("DELETE", "api/jobs/jm-1/steps/1x", NULL) == 400, "index 1x");
    CHECK(status_of("DELETE", "api/jobs/jm-1/steps/99", NULL) == 404, "index 99");
    CHECK(status_of("POST", "api/jobs/jm-1/steps/-99/remix", step_body("x.png")) == 404, "index -99");
    CHECK(status_of("DELETE", "api/jobs/jm-1/steps/99999999999999999999", NULL) == 400, "a huge index");
    CHECK(status_of("POST", "api/jobs/no-such-job/steps", step_body("x.png")) == 404, "unknown job");
    CHECK(status_of("GET", "api/jobs/no-such-job/steps", NULL) == 404, "unknown job's steps");
    CHECK(status_of("GET", "api/jobs/a.b/steps", NULL) == 400, "an id with a dot");
    CHECK(status_of("POST", "api/jobs/jm-1/steps/0/other", step_body("x.png")) == 404, "an unknown action");
    long s = status_of("GET", "api/jobs/..%2f..%2fjobs.db/steps", NULL);
    CHECK(s >= 400 && s < 500, "a traversal id answers %ld", s);
    s = status_of("PUT", "api/jobs/..", "");
    CHECK(s >= 400 && s < 500, "PUT .. answers %ld", s);
    s = status_of("POST", "api/jobs/jm-1/steps", "{\"target\":\"../../etc/passwd\"}");
    CHECK(s == 400 || s == 404, "a traversal target answers %ld", s);
    CHECK(status_of("POST", "api/jobs/jm-1/steps", "not json") == 400, "a body that is not JSON");
    /* a foreign page cannot make or edit jobs */
    char url[256];
    static const char *const evil[] = {"Origin: http://evil.example", NULL};
    snprintf(url, sizeof url, "%sapi/jobs/from-evil", base);
    api_reply r = api_request("PUT", url, evil, "", 0);
    CHECK(r.status == 403, "a cross-site PUT answers %ld", r.status);
    api_reply_free(&r);
    snprintf(url, sizeof url, "%sapi/jobs/jm-1/steps/0", base);
    r = api_request("DELETE", url, evil, NULL, 0);
    CHECK(r.status == 403, "a cross-site DELETE of a step answers %ld", r.status);
    api_reply_free(&r);
}

static void only_drafted_jobs_change(void)
{
    char state[32];
    long status;
    json_t *j = call("POST", "api/jobs/jm-1/submit", "", &status);
    snprintf(state, sizeof state, "%s", json_string_value(json_object_get(j, "status")) ?: "");
    json_decref(j);
    REQUIRE(status == 202 && !strcmp(state, "queued"), "submit: %ld %s", status, state);
    CHECK(status_of("POST", "api/jobs/jm-1/steps", step_body("x.png")) == 409, "add to a queued job");
    CHECK(status_of("POST", "api/jobs/jm-1/steps/0", step_body("x.png")) == 409, "insert into a queued job");
    CHECK(status_of("POST", "api/jobs/jm-1/steps/0/remix", step_body("x.png")) == 409, "remix a queued job");
    CHECK(status_of("DELETE", "api/jobs/jm-1/steps/0", NULL) == 409, "remove from a queued job");
    j = call("DELETE", "api/jobs/jm-1/steps/0", NULL, &status);
    CHECK(json_string_value(json_object_get(j, "error")) && strstr(json_string_value(json_object_get(j, "error")), "drafted"),
          "the 409 does not say why");
    json_decref(j);
    char outputs[8][1024], targets[8][1024];
    CHECK(store_steps("jm-1", outputs, targets, 8) == 2, "the queued job's steps changed");
    REQUIRE(status_of("PUT", "api/jobs/empty-1", "") == 201, "create empty-1");
    CHECK(status_of("POST", "api/jobs/empty-1/submit", "") == 409, "a job without steps was submitted");
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    fake_service_init(&fake);
    server = api_start(&fake, "jobs_manager", NULL, 5, 32, 64);
    base = api_base(server);
    snprintf(jobs, sizeof jobs, "%s", tl_tmp("jobs_manager"));
    api_upload(base, tl_shared("samples/astronaut.png"), "t.png", target_id, sizeof target_id);
    api_upload(base, tl_shared("samples/grace_hopper.jpg"), "s.jpg", source_id, sizeof source_id);
    if (!target_id[0] || !source_id[0]) {
        fprintf(stderr, "uploads failed\n");
        return 1;
    }
    RUN(create_sanitises_the_id);
    RUN(steps_change_as_the_store_says);
    RUN(the_command_line_shares_the_job);
    RUN(hostile_step_requests);
    RUN(only_drafted_jobs_change);
    fu_server_stop(server);
    fake_service_free(&fake);
    curl_global_cleanup();
    return tl_finish();
}
