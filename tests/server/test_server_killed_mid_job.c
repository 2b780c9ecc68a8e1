/*
 * test_server_killed_mid_job.c — kill -9 of the server while it runs a job
 * loses nothing committed: the next server on the same jobs path reports the
 * job failed ("interrupted"), leaves no partial output, and POST .../retry
 * runs it to completion; the store passes integrity_check throughout.
 */
#include <signal.h>
#include <sys/wait.h>

#include "apitest.h"
#include "core/clock.h"
#include "pipeline/jobs/job_store.h"
#include "../cli/clitest.h"

static const char *status_of(const char *base, const char *id, char *buf, size_t size)
{
    char url[256];
    snprintf(url, sizeof url, "%sapi/jobs/%s", base, id);
    api_reply r = api_request("GET", url, NULL, NULL, 0);
    json_t *j = api_json(&r);
    snprintf(buf, size, "%s", json_string_value(json_object_get(j, "status")) ?: "");
    json_decref(j);
    api_reply_free(&r);
    return buf;
}

static void killed_server_job_is_recovered(void)
{
    int ready[2];
    tl_tmpdir(); /* made before fork: both servers use the same jobs path */
    REQUIRE(pipe(ready) == 0, "pipe");
    pid_t child = fork();
    REQUIRE(child >= 0, "fork");
    if (child == 0) {
        /* The server to kill: a slow job (about 10 s). */
        fake_service fake;
        close(ready[0]);
        fake_service_init(&fake);
        fake.step_count = 500;
        fake.step_ms = 20;
        fu_server *s = api_start(&fake, "jobs_killed", NULL, 10, 16, 8);
        int port = fu_server_port(s);
        if (write(ready[1], &port, sizeof port) != sizeof port)
            _exit(3);
        for (;;)
            pause();
    }
    close(ready[1]);
    int port = 0;
    REQUIRE(read(ready[0], &port, sizeof port) == sizeof port, "the child server did not start");
    close(ready[0]);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    char base[64], id[64], body[256], url[256], state[32] = "";
    snprintf(base, sizeof base, "http://127.0.0.1:%d/", port);
    long st = api_upload(base, tl_shared("samples/astronaut.png"), "t.png", id, sizeof id);
    REQUIRE(st == 201, "upload %ld", st);
    snprintf(body, sizeof body, "{\"target\":\"%s\",\"output\":\"kept.png\"}", id);
    snprintf(url, sizeof url, "%sapi/jobs", base);
    api_reply r = api_request("POST", url, NULL, body, strlen(body));
    json_t *j = api_json(&r);
    char job[128];
    snprintf(job, sizeof job, "%s", json_string_value(json_object_get(j, "id")) ?: "");
    json_decref(j);
    api_reply_free(&r);
    REQUIRE(job[0], "no job");
    int64_t t0 = fu_now_ns();
    while (strcmp(status_of(base, job, state, sizeof state), "running") != 0 && fu_now_ns() - t0 < 10000000000LL)
        fake_sleep_ms(20);
    CHECK(!strcmp(state, "running"), "the job never ran (%s)", state);
    fake_sleep_ms(300);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);

    /* The next server on the same jobs path. */
    fake_service fake;
    fake_service_init(&fake);
    fake.step_count = 2;
    fake.step_ms = 5;
    fu_server *s = api_start(&fake, "jobs_killed", NULL, 10, 16, 8);
    const char *b = api_base(s);
    snprintf(url, sizeof url, "%sapi/jobs/%s", b, job);
    r = api_request("GET", url, NULL, NULL, 0);
    j = api_json(&r);
    CHECK(!strcmp(json_string_value(json_object_get(j, "status")) ?: "", "failed") &&
              strstr(json_string_value(json_object_get(j, "error")) ?: "", "interrupted"),
          "after the kill: %s", r.body);
    json_decref(j);
    api_reply_free(&r);
    char outputs[1200];
    snprintf(outputs, sizeof outputs, "%s/workspace/outputs", tl_tmp("jobs_killed"));
    CHECK(!dir_has(outputs, ".partial-") && !dir_has(outputs, job), "files left in %s", outputs);
    snprintf(url, sizeof url, "%sapi/jobs/%s/retry", b, job);
    r = api_request("POST", url, NULL, "", 0);
    CHECK(r.status == 202, "retry %ld %s", r.status, r.body);
    api_reply_free(&r);
    snprintf(url, sizeof url, "%sapi/jobs/%s/events", b, job);
    r = api_request("GET", url, NULL, NULL, 0);
    CHECK(strstr(r.body, "\"status\":\"completed\"") != NULL, "retried job did not complete: %s", r.body);
    api_reply_free(&r);
    snprintf(url, sizeof url, "%sapi/jobs/%s/output", b, job);
    r = api_request("GET", url, NULL, NULL, 0);
    facefuse_image im = {0};
    CHECK(r.status == 200 && fu_image_read_memory((uint8_t *)r.body, r.size, "out", &im, NULL) == FACEFUSE_OK &&
              im.width == 512,
          "output %ld", r.status);
    facefuse_image_free(&im);
    api_reply_free(&r);
    fu_server_stop(s);
    fake_service_free(&fake);

    fu_job_store *store = NULL;
    fu_err err;
    REQUIRE(fu_job_store_open(tl_tmp("jobs_killed"), &store, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fu_job_store_check(store, &err) == FACEFUSE_OK, "%s", err.msg);
    fu_job_store_close(store);
    curl_global_cleanup();
}

int main(void)
{
    RUN(killed_server_job_is_recovered);
    return tl_finish();
}
