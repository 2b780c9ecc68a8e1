/*
 * test_api_endpoints.c — every endpoint of the HTTP API does what
 * docs/openapi.yaml says, against a server with the fake service:
 * options (path options hidden), upload (identified by content, server-made
 * ids), file info and frames, the preview (processed, differs from the
 * frame), faces with fetchable thumbnails, and a job's whole life: create,
 * server-sent events up to 100 %, output (whole, as a download, by range),
 * the same job seen through the shared job store, cancel, retry, delete;
 * and docs/openapi.yaml lists exactly the addresses and methods served.
 */
#include <ctype.h>
#include <sys/stat.h>

#include "apitest.h"
#include "pipeline/jobs/job_store.h"

static fake_service fake;
static fu_server *server;
static const char *base;
static char source_id[64], target_id[64];

static void test_options_list_hides_paths(void)
{
    char url[256];
    snprintf(url, sizeof url, "%sapi/options", base);
    api_reply r = api_request("GET", url, NULL, NULL, 0);
    json_t *j = api_json(&r);
    CHECK(r.status == 200 && json_is_array(j), "status %ld", r.status);
    int swapper = 0, paths = 0;
    size_t i;
    json_t *o;
    json_array_foreach(j, i, o) {
        const char *name = json_string_value(json_object_get(o, "name"));
        swapper |= !strcmp(name, "--face-swapper-model") && json_array_size(json_object_get(o, "choices")) == 2;
        paths += !strcmp(name, "--output-path") || !strcmp(name, "--model-dir");
        CHECK(json_object_get(o, "step") && json_object_get(o, "multiple") && json_object_get(o, "group"),
              "entry %s lacks a field", name);
    }
    CHECK(swapper, "--face-swapper-model with its choices missing");
    CHECK(paths == 0, "path options are offered to clients");
    CHECK(strstr(r.headers, "X-Content-Type-Options: nosniff") != NULL, "no nosniff header");
    json_decref(j);
    api_reply_free(&r);
}

static void test_upload_is_identified_by_content(void)
{
    char id[64];
    long status = api_upload(base, tl_shared("samples/grace_hopper.jpg"), "../../etc/passwd", id, sizeof id);
    CHECK(status == 201, "upload status %ld", status);
    CHECK(strlen(id) == 36 && !strcmp(id + 32, ".jpg"), "id '%s' is not <32 hex>.jpg", id);
    char path[2048];
    snprintf(path, sizeof path, "%s/workspace/files/%s", tl_tmp("jobs_endpoints"), id);
    CHECK(access(path, F_OK) == 0, "the upload is not at %s", path);
    CHECK(access(tl_tmp("etc/passwd"), F_OK) != 0 && access(tl_tmp("jobs_endpoints/etc"), F_OK) != 0,
          "the client's name became a path");
    /* A PNG named .jpg is stored as what it is. */
    status = api_upload(base, tl_shared("samples/astronaut.png"), "photo.jpg", id, sizeof id);
    CHECK(status == 201 && strstr(id, ".png"), "astronaut.png sent as photo.jpg got id %s", id);
    snprintf(target_id, sizeof target_id, "%s", id);
    api_upload(base, tl_shared("samples/grace_hopper.jpg"), "me.jpg", source_id, sizeof source_id);
    CHECK(source_id[0], "source upload failed");
}

static void test_file_info_and_frame(void)
{
    char url[256];
    snprintf(url, sizeof url, "%sapi/files/%s", base, target_id);
    api_reply r = api_request("GET", url, NULL, NULL, 0);
    json_t *j = api_json(&r);
    CHECK(r.status == 200 && !strcmp(json_string_value(json_object_get(j, "kind")) ?: "", "image") &&
              json_integer_value(json_object_get(j, "width")) == 512,
          "info: %ld %s", r.status, r.body);
    json_decref(j);
    api_reply_free(&r);
    snprintf(url, sizeof url, "%sapi/files/%s/frame?n=0", base, target_id);
    r = api_request("GET", url, NULL, NULL, 0);
    facefuse_image im = {0};
    CHECK(r.status == 200 && fu_image_read_memory((uint8_t *)r.body, r.size, "frame", &im, NULL) == FACEFUSE_OK &&
              im.width == 512,
          "frame: %ld", r.status);
    facefuse_image_free(&im);
    api_reply_free(&r);
}

static double mean_abs_diff(const facefuse_image *a, const facefuse_image *b)
{
    double sum = 0;
    for (int y = 0; y < a->height; y++)
        for (int x = 0; x < a->width * 3; x++)
            sum += abs((int)a->data[(size_t)y * a->stride + (size_t)x / 3 * a->channels + x % 3] -
                       (int)b->data[(size_t)y * b->stride + (size_t)x / 3 * b->channels + x % 3]);
    return sum / ((double)a->width * a->height * 3);
}

static void test_preview_changes_the_frame(void)
{
    char url[256], body[512];
    snprintf(url, sizeof url, "%sapi/preview", base);
    snprintf(body, sizeof body,
             "{\"sources\":[\"%s\"],\"target\":\"%s\",\"frame\":0,\"options\":{\"--face-swapper-model\":"
             "\"inswapper_128\",\"--face-swapper-weight\":0.75,\"--processors\":[\"face_swapper\"]}}",
             source_id, target_id);
    api_reply r = api_request("POST", url, (const char *[]){"Content-Type: application/json", NULL}, body,
                              strlen(body));
    facefuse_image preview = {0}, original = {0};
    REQUIRE(r.status == 200, "preview %ld: %s", r.status, r.body);
    CHECK(strstr(r.headers, "Content-Type: image/png") != NULL, "preview type: %s", r.headers);
    fu_image_read_memory((uint8_t *)r.body, r.size, "preview", &preview, NULL);
    fu_image_read(tl_shared("samples/astronaut.png"), &original, NULL);
    CHECK(preview.width == original.width && mean_abs_diff(&preview, &original) > 1.0,
          "the preview does not differ from the frame");
    facefuse_image_free(&preview);
    facefuse_image_free(&original);
    api_reply_free(&r);
    snprintf(body, sizeof body, "{\"target\":\"%s\",\"resolution\":\"big\"}", target_id);
    r = api_request("POST", url, NULL, body, strlen(body));
    CHECK(r.status == 400 && strstr(r.body, "resolution"), "a bad preview resolution: %ld %s", r.status, r.body);
    api_reply_free(&r);
}

static void test_faces_with_thumbnails(void)
{
    char url[512];
    snprintf(url, sizeof url, "%sapi/faces?file=%s&frame=0", base, target_id);
    api_reply r = api_request("GET", url, NULL, NULL, 0);
    json_t *j = api_json(&r);
    REQUIRE(r.status == 200 && json_array_size(j) >= 1, "faces %ld: %s", r.status, r.body);
    json_t *face = json_array_get(j, 0);
    CHECK(json_array_size(json_object_get(face, "box")) == 4 && json_real_value(json_object_get(face, "score")) > 0.5,
          "face fields");
    const char *thumb = json_string_value(json_object_get(face, "thumbnail"));
    REQUIRE(thumb && !strncmp(thumb, "/api/thumbs/", 12), "thumbnail url %s", thumb ?: "null");
    snprintf(url, sizeof url, "%s%s", base, thumb + 1);
    api_reply t = api_request("GET", url, NULL, NULL, 0);
    CHECK(t.status == 200 && strstr(t.headers, "image/jpeg"), "thumbnail %ld", t.status);
    api_reply_free(&t);
    json_decref(j);
    api_reply_free(&r);
}

static char *create_job(const char *extra_options, long *status)
{
    char url[256], body[1024];
    snprintf(url, sizeof url, "%sapi/jobs", base);
    snprintf(body, sizeof body,
             "{\"sources\":[\"%s\"],\"target\":\"%s\",\"output\":\"my result.png\",\"options\":{"
             "\"--reference-face-position\":0%s}}",
             source_id, target_id, extra_options);
    api_reply r = api_request("POST", url, (const char *[]){"Content-Type: application/json", NULL}, body,
                              strlen(body));
    json_t *j = api_json(&r);
    char *id = json_string_value(json_object_get(j, "id")) ? strdup(json_string_value(json_object_get(j, "id"))) : NULL;
    *status = r.status;
    if (!id)
        fprintf(stderr, "    create: %ld %s\n", r.status, r.body);
    json_decref(j);
    api_reply_free(&r);
    return id;
}

static json_t *get_job(const char *id, long *status)
{
    char url[256];
    snprintf(url, sizeof url, "%sapi/jobs/%s", base, id);
    api_reply r = api_request("GET", url, NULL, NULL, 0);
    json_t *j = api_json(&r);
    *status = r.status;
    api_reply_free(&r);
    return j;
}

static void test_job_events_output_and_store(void)
{
    long status;
    char *id = create_job("", &status);
    REQUIRE(id && status == 201, "create %ld", status);
    char url[256];
    snprintf(url, sizeof url, "%sapi/jobs/%s/events", base, id);
    api_reply ev = api_request("GET", url, NULL, NULL, 0); /* ends when the job does */
    CHECK(ev.status == 200 && strstr(ev.headers, "text/event-stream"), "events %ld", ev.status);
    int events = 0;
    double last = -1, max_seen = 0;
    int monotonic = 1;
    for (char *p = ev.body; (p = strstr(p, "data: ")); p += 6) {
        json_t *e = json_loads(p + 6, JSON_DISABLE_EOF_CHECK, NULL);
        double progress = json_real_value(json_object_get(e, "progress"));
        monotonic &= progress >= last;
        last = progress;
        if (progress > max_seen)
            max_seen = progress;
        events++;
        json_decref(e);
    }
    CHECK(events >= 3, "only %d events", events);
    CHECK(monotonic && max_seen == 1.0, "progress not monotonic up to 1 (max %.2f)", max_seen);
    CHECK(strstr(ev.body, "\"status\":\"completed\"") != NULL, "no completed event:\n%s", ev.body);
    api_reply_free(&ev);

    json_t *j = get_job(id, &status);
    CHECK(status == 200 && !strcmp(json_string_value(json_object_get(j, "status")) ?: "", "completed"), "job state");
    char out[200];
    snprintf(out, sizeof out, "%s", json_string_value(json_object_get(j, "output")) ?: "");
    json_decref(j);
    REQUIRE(out[0], "no output url");
    snprintf(url, sizeof url, "%s%s?download=1", base, out + 1);
    api_reply r = api_request("GET", url, NULL, NULL, 0);
    CHECK(r.status == 200 && strstr(r.headers, "filename=\"my_result.png\""), "download %ld %s", r.status,
          r.headers);
    facefuse_image result = {0}, original = {0};
    fu_image_read_memory((uint8_t *)r.body, r.size, "output", &result, NULL);
    fu_image_read(tl_shared("samples/astronaut.png"), &original, NULL);
    CHECK(result.width == original.width && mean_abs_diff(&result, &original) > 1.0, "output not processed");
    facefuse_image_free(&result);
    facefuse_image_free(&original);
    api_reply_free(&r);
    snprintf(url, sizeof url, "%s%s", base, out + 1);
    r = api_request("GET", url, (const char *[]){"Range: bytes=10-19", NULL}, NULL, 0);
    CHECK(r.status == 206 && r.size == 10 && strstr(r.headers, "Content-Range: bytes 10-19/"), "range %ld %zu",
          r.status, r.size);
    api_reply_free(&r);

    /* The same job through the store, as `facefuse job-list` sees it. */
    fu_job_store *store = NULL;
    fu_job_info info;
    REQUIRE(fu_job_store_open(tl_tmp("jobs_endpoints"), &store, NULL) == FACEFUSE_OK, "store");
    CHECK(fu_job_get(store, id, &info, NULL) == FACEFUSE_OK && info.status == FU_JOB_COMPLETED && info.step_count == 1,
          "the store does not hold the UI's job");
    fu_job_store_close(store);

    snprintf(url, sizeof url, "%sapi/jobs", base);
    r = api_request("GET", url, NULL, NULL, 0);
    CHECK(r.status == 200 && strstr(r.body, id), "job list");
    api_reply_free(&r);
    snprintf(url, sizeof url, "%sapi/jobs/%s", base, id);
    r = api_request("DELETE", url, NULL, NULL, 0);
    CHECK(r.status == 200, "delete %ld", r.status);
    api_reply_free(&r);
    json_decref(get_job(id, &status));
    CHECK(status == 404, "deleted job still there (%ld)", status);
    free(id);
}

static void test_cancel_retry_and_delete_rules(void)
{
    long status;
    char url[256];
    fake.step_count = 200; /* 4 s */
    char *id = create_job("", &status);
    REQUIRE(id, "create");
    for (int i = 0; i < 100; i++) { /* until it runs */
        json_t *j = get_job(id, &status);
        int running = !strcmp(json_string_value(json_object_get(j, "status")) ?: "", "running");
        json_decref(j);
        if (running)
            break;
        fake_sleep_ms(20);
    }
    snprintf(url, sizeof url, "%sapi/jobs/%s", base, id);
    api_reply r = api_request("DELETE", url, NULL, NULL, 0);
    CHECK(r.status == 409, "a running job was deleted (%ld)", r.status);
    api_reply_free(&r);
    snprintf(url, sizeof url, "%sapi/jobs/%s/cancel", base, id);
    r = api_request("POST", url, NULL, "", 0);
    CHECK(r.status == 202, "cancel %ld %s", r.status, r.body);
    api_reply_free(&r);
    const char *state = "";
    json_t *j = NULL;
    for (int i = 0; i < 100; i++) {
        json_decref(j);
        j = get_job(id, &status);
        state = json_string_value(json_object_get(j, "status")) ?: "";
        if (!strcmp(state, "cancelled"))
            break;
        fake_sleep_ms(20);
    }
    CHECK(!strcmp(state, "cancelled"), "state after cancel: %s", state);
    json_decref(j);
    snprintf(url, sizeof url, "%sapi/jobs/%s/output", base, id);
    r = api_request("GET", url, NULL, NULL, 0);
    CHECK(r.status == 409, "output of a cancelled job: %ld", r.status);
    api_reply_free(&r);
    fake.step_count = 3;
    snprintf(url, sizeof url, "%sapi/jobs/%s/retry", base, id);
    r = api_request("POST", url, NULL, "", 0);
    CHECK(r.status == 202, "retry %ld %s", r.status, r.body);
    api_reply_free(&r);
    snprintf(url, sizeof url, "%sapi/jobs/%s/events", base, id);
    r = api_request("GET", url, NULL, NULL, 0);
    CHECK(strstr(r.body, "\"status\":\"completed\"") != NULL, "retried job did not complete");
    api_reply_free(&r);
    fake.step_count = 10;
    free(id);
}

/* docs/openapi.yaml lists exactly the server's addresses and methods: every
 * documented path and method is routed (an answer other than 405 and the
 * router's "no such address"), and every other of GET, POST, PUT, DELETE
 * on a documented path is 405. Path parameters are filled with a real file,
 * thumbnail and finished job; DELETE goes last (it removes the job). */
typedef struct doc_path {
    char path[128];
    char methods[64];   /* " get post " */
} doc_path;

static int read_openapi_paths(doc_path *paths, int max)
{
    FILE *f = fopen(FACEFUSE_SOURCE_DIR "/docs/openapi.yaml", "r");
    char line[512];
    int n = 0, in_paths = 0;
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "paths:", 6))
            in_paths = 1;
        else if (line[0] != ' ' && line[0] != '\n')
            in_paths = 0;
        if (!in_paths)
            continue;
        char word[128];
        if (!strncmp(line, "  /", 3) && sscanf(line + 2, "%127[^:]:", word) == 1 && n < max) {
            snprintf(paths[n].path, sizeof paths[n].path, "%s", word);
            snprintf(paths[n].methods, sizeof paths[n].methods, " ");
            n++;
        } else if (n > 0 && !strncmp(line, "    ", 4) && line[4] != ' ' && sscanf(line + 4, "%127[a-z]:", word) == 1 &&
                   strstr(" get post put delete patch ", word)) {
            size_t len = strlen(paths[n - 1].methods);
            snprintf(paths[n - 1].methods + len, sizeof paths[n - 1].methods - len, "%s ", word);
        }
    }
    fclose(f);
    return n;
}

/* path with {id} filled (the file, the thumbnail or the job) and {index}
 * with step 0. */
static void fill_path(const char *doc, const char *file, const char *thumb, const char *job, char *out, size_t size)
{
    char once[256];
    const char *brace = strstr(doc, "{id}");
    if (!brace) {
        snprintf(once, sizeof once, "%s", doc);
    } else {
        const char *id = !strncmp(doc, "/api/files/", 11) ? file : !strncmp(doc, "/api/thumbs/", 12) ? thumb : job;
        snprintf(once, sizeof once, "%.*s%s%s", (int)(brace - doc), doc, id, brace + 4);
    }
    brace = strstr(once, "{index}");
    if (brace)
        snprintf(out, size, "%.*s0%s", (int)(brace - once), once, brace + 7);
    else
        snprintf(out, size, "%s", once);
}

static void test_openapi_lists_every_route(void)
{
    doc_path paths[40];
    char url[512], thumb[128] = "", job[128] = "";
    int n = read_openapi_paths(paths, 40);
    REQUIRE(n >= 15, "docs/openapi.yaml: %d paths read", n);

    snprintf(url, sizeof url, "%sapi/faces?file=%s", base, target_id);
    api_reply r = api_request("GET", url, NULL, NULL, 0);
    json_t *j = api_json(&r);
    const char *t = json_string_value(json_object_get(json_array_get(j, 0), "thumbnail"));
    snprintf(thumb, sizeof thumb, "%s", t ? t + 12 : "");
    json_decref(j);
    api_reply_free(&r);
    snprintf(url, sizeof url, "%sapi/jobs", base);
    r = api_request("GET", url, NULL, NULL, 0);
    j = api_json(&r);
    size_t i;
    json_t *o;
    json_array_foreach(j, i, o) {
        if (!job[0] && !strcmp(json_string_value(json_object_get(o, "status")) ?: "", "completed"))
            snprintf(job, sizeof job, "%s", json_string_value(json_object_get(o, "id")));
    }
    json_decref(j);
    api_reply_free(&r);
    REQUIRE(thumb[0] && job[0], "no thumbnail (%s) or completed job (%s) to fill paths with", thumb, job);

    static const char *const methods[] = {"GET", "POST", "PUT", "DELETE"};
    for (int pass = 0; pass < 2; pass++) /* DELETE last, /api/jobs/{id} after its sub-paths */
        for (int q = 0; q < n; q++) {
            int p = pass ? n - 1 - q : q;
            for (int m = pass ? 3 : 0; m < (pass ? 4 : 3); m++) {
                char path[256], want[16];
                size_t k;
                for (k = 0; methods[m][k] && k + 3 < sizeof want; k++)
                    want[k + 1] = (char)tolower((unsigned char)methods[m][k]);
                want[0] = want[k + 1] = ' ';
                want[k + 2] = '\0';
                int documented = strstr(paths[p].methods, want) != NULL;
                fill_path(paths[p].path, target_id, thumb, job, path, sizeof path);
                snprintf(url, sizeof url, "%s%s", base, path + 1);
                r = api_request(methods[m], url, NULL, "", 0);
                int routed = r.status != 405 && !(r.status == 404 && strstr(r.body, "no such address"));
                if (documented)
                    CHECK(routed, "%s %s is documented but answers %ld %s", methods[m], path, r.status, r.body);
                else
                    CHECK(r.status == 405, "%s %s is not documented but answers %ld", methods[m], path, r.status);
                api_reply_free(&r);
            }
        }
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    fake_service_init(&fake);
    server = api_start(&fake, "jobs_endpoints", NULL, 5, 32, 64);
    base = api_base(server);
    RUN(test_options_list_hides_paths);
    RUN(test_upload_is_identified_by_content);
    RUN(test_file_info_and_frame);
    RUN(test_preview_changes_the_frame);
    RUN(test_faces_with_thumbnails);
    RUN(test_job_events_output_and_store);
    RUN(test_cancel_retry_and_delete_rules);
    RUN(test_openapi_lists_every_route);
    fu_server_stop(server);
    fake_service_free(&fake);
    curl_global_cleanup();
    return tl_finish();
}
