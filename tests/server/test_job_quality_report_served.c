/*
 * test_job_quality_report_served.c — a job made on the page with
 * "report": true (the real pipeline, the face swapper) writes its quality
 * report (--quality-report, pipeline/quality_report.h) into the workspace:
 * once completed the job lists "report" and GET /api/jobs/ID/report serves
 * the HTML page, sandboxed; a job without it has none (404), the report
 * path cannot come from the client (--quality-report is not an option the
 * API takes), and deleting the job removes the report.
 */
#include <jansson.h>

#include "core/clock.h"
#include "pipelinetest.h"

#define SWAP "--processors face_swapper --face-swapper-model inswapper_128 --face-detector-model scrfd"

static pt_server p;
static char base[64], source_id[64], target_id[64];

static json_t *call(const char *method, const char *path, const char *body, long *status)
{
    return api_call(base, method, path, body, status);
}

/* Makes a job and waits for it to end; the job's JSON then. */
static json_t *finished_job(int report)
{
    char body[512], path[256];
    long status;
    snprintf(body, sizeof body, "{\"sources\":[\"%s\"],\"target\":\"%s\",\"report\":%s}", source_id, target_id,
             report ? "true" : "false");
    json_t *j = call("POST", "api/jobs", body, &status);
    if (status != 201) {
        json_decref(j);
        return NULL;
    }
    snprintf(path, sizeof path, "api/jobs/%s", json_string_value(json_object_get(j, "id")));
    for (int64_t until = fu_now_ns() + 60LL * 1000000000LL; fu_now_ns() < until; usleep(100000)) {
        json_decref(j);
        j = call("GET", path, NULL, &status);
        const char *st = json_string_value(json_object_get(j, "status")) ?: "";
        if (strcmp(st, "queued") && strcmp(st, "running"))
            break;
    }
    return j;
}

static void report_link_serves_html(void)
{
    char url[512], id[160], file[1200];
    json_t *j = finished_job(1);
    REQUIRE(j && !strcmp(json_string_value(json_object_get(j, "status")) ?: "", "completed"), "the job did not complete");
    const char *link = json_string_value(json_object_get(j, "report"));
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(j, "id")));
    CHECK(link && strstr(link, "/report"), "no report link: %s", json_dumps(j, 0));
    snprintf(url, sizeof url, "%s%s", base, link ? link + 1 : "api/jobs/x/report");
    api_reply r = api_request("GET", url, NULL, NULL, 0);
    CHECK(r.status == 200 && strstr(r.headers, "text/html") && strstr(r.body, "<html") && strstr(r.body, "<svg"),
          "GET report: %ld %.200s", r.status, r.body);
    CHECK(strstr(r.headers, "sandbox") && strstr(r.headers, "default-src 'none'"), "the report is not sandboxed: %s",
          r.headers);
    api_reply_free(&r);
    json_decref(j);
    snprintf(file, sizeof file, "%s/workspace/outputs/%s.report.html", tl_tmp("jobs_report"), id);
    CHECK(access(file, F_OK) == 0, "no report at %s", file);
    long status;
    snprintf(url, sizeof url, "api/jobs/%s", id);
    json_decref(call("DELETE", url, NULL, &status));
    CHECK(status == 200 && access(file, F_OK) != 0, "deleting the job left its report");
}

static void no_report_unless_asked(void)
{
    char url[256];
    long status;
    json_t *j = finished_job(0);
    REQUIRE(j && !strcmp(json_string_value(json_object_get(j, "status")) ?: "", "completed"), "the job did not complete");
    CHECK(json_is_null(json_object_get(j, "report")) || !json_object_get(j, "report"), "a report link without a report");
    snprintf(url, sizeof url, "api/jobs/%s/report", json_string_value(json_object_get(j, "id")));
    json_decref(call("GET", url, NULL, &status));
    CHECK(status == 404, "GET report of a job without one: %ld", status);
    json_decref(j);
    char body[512];
    snprintf(body, sizeof body, "{\"target\":\"%s\",\"options\":{\"--quality-report\":\"/tmp/x.html\"}}", target_id);
    json_decref(call("POST", "api/jobs", body, &status));
    CHECK(status == 400, "a client-named report path was taken: %ld", status);
    snprintf(body, sizeof body, "{\"target\":\"%s\",\"report\":\"yes\"}", target_id);
    json_decref(call("POST", "api/jobs", body, &status));
    CHECK(status == 400, "report \"yes\": %ld", status);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pt_start(&p, "jobs_report", SWAP);
    snprintf(base, sizeof base, "%s", api_base(p.server));
    api_upload(base, tl_shared("samples/astronaut.png"), "t.png", target_id, sizeof target_id);
    api_upload(base, tl_shared("samples/grace_hopper.jpg"), "s.jpg", source_id, sizeof source_id);
    if (!target_id[0] || !source_id[0]) {
        fprintf(stderr, "uploads failed\n");
        return 1;
    }
    RUN(report_link_serves_html);
    RUN(no_report_unless_asked);
    pt_stop(&p);
    curl_global_cleanup();
    return tl_finish();
}
