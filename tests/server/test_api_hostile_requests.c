/*
 * test_api_hostile_requests.c — the server answers bad and hostile requests
 * with a 4xx and a JSON error saying what was wrong, and keeps serving:
 * path traversal in names, ids and paths; uploads over the limit (with and
 * without Content-Length) or of unknown content; malformed JSON; unknown
 * options, path options and bad values; a wrong Host (DNS rebinding); a
 * foreign Origin (cross-site POST); a missing or wrong token when one is
 * required (and the cookie the page gets); slow and idle clients that would
 * hold every connection.
 */
#include <errno.h>
#include <dirent.h>
#include <poll.h>
#include <sys/stat.h>

#include "apitest.h"
#include "core/clock.h"

static fake_service fake;
static fu_server *server;
static const char *base;
static char image_id[64];

/* The request is answered with `status` and a JSON error containing `part`. */
static void expect_error(api_reply *r, long status, const char *part, const char *what)
{
    char msg[1024];
    api_error_text(r, msg, sizeof msg);
    CHECK(r->status == status, "%s: status %ld, want %ld (%s)", what, r->status, status, r->body);
    CHECK(msg[0] && (!part || strstr(msg, part)), "%s: error '%s' does not say '%s'", what, msg, part ? part : "");
    api_reply_free(r);
}

static void still_serving(const char *after)
{
    char url[256];
    snprintf(url, sizeof url, "%sapi/options", base);
    api_reply r = api_request("GET", url, NULL, NULL, 0);
    CHECK(r.status == 200, "the server stopped serving after %s (%ld, curl %d)", after, r.status, r.curl_error);
    api_reply_free(&r);
}

static api_reply post_json(const char *path, const char *body, const char *const *headers)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", base, path);
    return api_request("POST", url, headers, body, strlen(body));
}

static void test_path_traversal(void)
{
    char url[512];
    const char *paths[] = {"../../jobs.db",           "api/files/..%2F..%2Fjobs.db", "api/files/../../jobs.db",
                           "api/thumbs/..%2f..%2fx",  "api/jobs/..%2F..%2Fetc",      "workspace/files",
                           "api/jobs/a%2Fb/output",   "%2e%2e/%2e%2e/etc/passwd",     "api/files/%00.jpg",
                           "api/files/0123456789abcdef0123456789abcdef.jpg/frame"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        snprintf(url, sizeof url, "%s%s", base, paths[i]);
        api_reply r = api_request("GET", url, NULL, NULL, 0);
        CHECK(r.status == 400 || r.status == 404, "GET /%s: %ld", paths[i], r.status);
        CHECK(!strstr(r.body, "SQLite") && r.body[0] == '{', "GET /%s leaked: %.60s", paths[i], r.body);
        api_reply_free(&r);
    }
    /* A traversal in the upload's name is only a label. */
    char id[64];
    CHECK(api_upload(base, tl_shared("samples/astronaut.png"), "../../../../tmp/evil.png", id, sizeof id) == 201,
          "upload");
    CHECK(access("/tmp/evil.png", F_OK) != 0 || strstr(id, ".png"), "name used as a path");
    snprintf(image_id, sizeof image_id, "%s", id);
    api_reply r = post_json("api/jobs", "{\"target\":\"../../jobs.db\"}", NULL);
    expect_error(&r, 400, "not a file id", "target traversal");
    r = post_json("api/jobs", "{\"target\":\"0123456789abcdef0123456789abcdef.png\"}", NULL);
    expect_error(&r, 404, NULL, "unknown target id");
    still_serving("traversal attempts");
}

static void test_uploads_limited_and_sniffed(void)
{
    char url[256];
    size_t big = 3u << 20; /* the server takes 2 MB */
    char *data = malloc(big);
    memset(data, 0xFF, big);
    memcpy(data, "\xFF\xD8\xFF", 3);
    snprintf(url, sizeof url, "%sapi/files?name=big.jpg", base);
    api_reply r = api_request("POST", url, NULL, data, big);
    expect_error(&r, 413, "limited to 2 MB", "upload over the limit");
    /* The same without Content-Length (chunked). */
    r = api_request("POST", url, (const char *[]){"Transfer-Encoding: chunked", NULL}, data, big);
    expect_error(&r, 413, "limited", "chunked upload over the limit");
    free(data);
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/workspace/files", tl_tmp("jobs_hostile"));
    r = api_request("POST", url, NULL, "just some text, not an image", 28);
    expect_error(&r, 415, "by its content", "text named .jpg");
    r = api_request("POST", url, NULL, "", 0);
    expect_error(&r, 400, "empty", "empty upload");
    /* JPEG magic with garbage after it: identified, then refused as unreadable. */
    r = api_request("POST", url, NULL, "\xFF\xD8\xFF\xE0garbage-garbage-garbage", 26);
    expect_error(&r, 422, "cannot be read", "corrupt jpeg");
    /* Nothing of the refused uploads stays behind. */
    DIR *d = opendir(dir);
    struct dirent *e;
    int leftovers = 0;
    while (d && (e = readdir(d)))
        leftovers += strncmp(e->d_name, ".upload-", 8) == 0;
    if (d)
        closedir(d);
    CHECK(leftovers == 0, "%d temporary uploads left in %s", leftovers, dir);
    still_serving("refused uploads");
}

static void test_bad_json_and_options(void)
{
    char body[512];
    const char *json_header[] = {"Content-Type: application/json", NULL};
    api_reply r = post_json("api/preview", "{\"target\": ", json_header);
    expect_error(&r, 400, "not valid JSON", "truncated JSON");
    r = post_json("api/jobs", "[1,2,3]", json_header);
    expect_error(&r, 400, "JSON object", "array body");
    r = post_json("api/jobs", "{\"target\":1,\"target\":2}", json_header);
    expect_error(&r, 400, "not valid JSON", "duplicate keys");
    snprintf(body, sizeof body, "{\"target\":\"%s\",\"options\":{\"--no-such-option\":1}}", image_id);
    r = post_json("api/preview", body, json_header);
    expect_error(&r, 400, "unknown option --no-such-option", "unknown option");
    snprintf(body, sizeof body, "{\"target\":\"%s\",\"options\":{\"--output-path\":\"/etc/passwd\"}}", image_id);
    r = post_json("api/jobs", body, json_header);
    expect_error(&r, 400, "unknown option --output-path", "a path option from the client");
    snprintf(body, sizeof body, "{\"target\":\"%s\",\"options\":{\"--face-swapper-model\":\"no_such_model\"}}",
             image_id);
    r = post_json("api/jobs", body, json_header);
    expect_error(&r, 400, "no_such_model", "value outside the choices (the service's check)");
    snprintf(body, sizeof body, "{\"target\":\"%s\",\"options\":{\"--face-enhancer-blend\":1.5}}", image_id);
    r = post_json("api/jobs", body, json_header);
    expect_error(&r, 400, "whole number", "float for an int option");
    snprintf(body, sizeof body, "{\"target\":\"%s\",\"options\":{\"--face-swapper-model\":{\"a\":1}}}", image_id);
    r = post_json("api/jobs", body, json_header);
    expect_error(&r, 400, "--face-swapper-model", "object as a value");
    snprintf(body, sizeof body, "{\"target\":\"%s\",\"output\":\"x.exe\"}", image_id);
    r = post_json("api/jobs", body, json_header);
    expect_error(&r, 400, ".jpg, .png or .webp", "output extension");
    snprintf(body, sizeof body, "{\"target\":\"%s\",\"frame\":-3}", image_id);
    r = post_json("api/preview", body, json_header);
    expect_error(&r, 400, "frame", "negative frame");
    char url[256];
    snprintf(url, sizeof url, "%sapi/options", base);
    r = api_request("DELETE", url, NULL, NULL, 0);
    expect_error(&r, 405, "GET", "wrong method");
    snprintf(url, sizeof url, "%sapi/jobs/job-that-is-not", base);
    r = api_request("GET", url, NULL, NULL, 0);
    expect_error(&r, 404, "does not exist", "unknown job");
    still_serving("bad JSON and options");
}

static void test_host_and_origin(void)
{
    char url[256], body[256], host[64], origin[80];
    snprintf(url, sizeof url, "%sapi/options", base);
    api_reply r = api_request("GET", url, (const char *[]){"Host: attacker.example", NULL}, NULL, 0);
    expect_error(&r, 421, "attacker.example", "DNS rebinding Host");
    snprintf(host, sizeof host, "Host: localhost:%d", fu_server_port(server));
    r = api_request("GET", url, (const char *[]){host, NULL}, NULL, 0);
    CHECK(r.status == 200, "localhost refused (%ld)", r.status);
    api_reply_free(&r);
    snprintf(host, sizeof host, "Host: 127.0.0.1:%d", fu_server_port(server) + 1);
    r = api_request("GET", url, (const char *[]){host, NULL}, NULL, 0);
    expect_error(&r, 421, NULL, "wrong port in Host");
    snprintf(body, sizeof body, "{\"target\":\"%s\"}", image_id);
    snprintf(url, sizeof url, "%sapi/jobs", base);
    r = api_request("POST", url, (const char *[]){"Origin: http://evil.example", NULL}, body, strlen(body));
    expect_error(&r, 403, "cross-site", "foreign Origin");
    r = api_request("POST", url, (const char *[]){"Sec-Fetch-Site: cross-site", NULL}, body, strlen(body));
    expect_error(&r, 403, "cross-site", "cross-site fetch without Origin");
    snprintf(origin, sizeof origin, "Origin: http://127.0.0.1:%d", fu_server_port(server));
    r = api_request("POST", url, (const char *[]){origin, "Content-Type: application/json", NULL}, body,
                    strlen(body));
    CHECK(r.status == 201, "same-origin POST refused (%ld %s)", r.status, r.body);
    api_reply_free(&r);
}

static void test_token_required(void)
{
    fu_server *t = api_start(&fake, "jobs_token", "secret-token-1234", 5, 16, 2);
    char url[256], auth[128], cookie[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/options", fu_server_port(t));
    api_reply r = api_request("GET", url, NULL, NULL, 0);
    expect_error(&r, 401, "token", "no token");
    r = api_request("GET", url, (const char *[]){"Authorization: Bearer wrong-token-0000", NULL}, NULL, 0);
    expect_error(&r, 403, "wrong token", "wrong token");
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", fu_server_token(t));
    r = api_request("GET", url, (const char *[]){auth, NULL}, NULL, 0);
    CHECK(r.status == 200, "bearer token refused (%ld)", r.status);
    api_reply_free(&r);
    /* The page's address carries the token once; the page then has a cookie. */
    CHECK(strstr(fu_server_url(t), "?token=secret-token-1234") != NULL, "url %s", fu_server_url(t));
    snprintf(url, sizeof url, "http://127.0.0.1:%d/?token=%s", fu_server_port(t), fu_server_token(t));
    r = api_request("GET", url, NULL, NULL, 0);
    CHECK(r.status == 200 && strstr(r.headers, "Set-Cookie: facefuse_token=secret-token-1234") &&
              strstr(r.headers, "HttpOnly") && strstr(r.headers, "SameSite=Strict"),
          "page with token: %ld %s", r.status, r.headers);
    api_reply_free(&r);
    snprintf(cookie, sizeof cookie, "Cookie: facefuse_token=%s", fu_server_token(t));
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/jobs", fu_server_port(t));
    r = api_request("GET", url, (const char *[]){cookie, NULL}, NULL, 0);
    CHECK(r.status == 200, "cookie refused (%ld)", r.status);
    api_reply_free(&r);
    r = api_request("GET", url, (const char *[]){"Cookie: facefuse_token=secret-token-12345", NULL}, NULL, 0);
    expect_error(&r, 403, "wrong token", "longer wrong token");
    fu_server_stop(t);

    /* Any host but loopback makes a token of its own. */
    fu_server_settings st = fu_server_default_settings();
    fu_server *open = NULL;
    fu_err err;
    fu_service table = fake_service_table(&fake);
    st.host = "0.0.0.0";
    st.port = 0;
    st.jobs_path = tl_tmp("jobs_open");
    st.lock_dir = tl_tmp("locks");
    REQUIRE(fu_server_start(&st, &table, &open, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(strlen(fu_server_token(open)) == 32 && strstr(fu_server_url(open), "?token="), "no generated token: %s",
          fu_server_url(open));
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/options", fu_server_port(open));
    r = api_request("GET", url, NULL, NULL, 0);
    expect_error(&r, 401, "token", "0.0.0.0 without a token");
    fu_server_stop(open);
}

/* 1 if the server closed fd within seconds. */
static int closed_within(int fd, double seconds)
{
    struct pollfd p = {fd, POLLIN, 0};
    char buf[512];
    int64_t end = fu_now_ns() + (int64_t)(seconds * 1e9);
    while (fu_now_ns() < end) {
        if (poll(&p, 1, 100) > 0) {
            ssize_t n = recv(fd, buf, sizeof buf, 0);
            if (n == 0 || (n < 0 && errno == ECONNRESET))
                return 1;
        }
    }
    return 0;
}

static void test_slow_and_idle_clients(void)
{
    /* A client that sends half a request and stalls. */
    int slow = api_connect(fu_server_port(server));
    REQUIRE(slow >= 0, "connect");
    const char *half = "POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"tar";
    CHECK(send(slow, half, strlen(half), 0) > 0, "send");
    int64_t t0 = fu_now_ns();
    still_serving("a stalled client");
    CHECK((fu_now_ns() - t0) / 1e9 < 1.0, "a stalled client slowed others down");
    CHECK(closed_within(slow, 4.0), "the stalled connection was never closed (timeout 2 s)");
    close(slow);

    /* As many idle connections as the server takes: it refuses more, then
     * frees them at the timeout and serves again. */
    int idle[8];
    for (int i = 0; i < 8; i++)
        idle[i] = api_connect(fu_server_port(server));
    fake_sleep_ms(200);
    for (int i = 0; i < 8; i++)
        CHECK(closed_within(idle[i], 4.0), "idle connection %d kept open", i);
    for (int i = 0; i < 8; i++)
        close(idle[i]);
    still_serving("idle connections filling every slot");
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    fake_service_init(&fake);
    fake.step_count = 1;
    fake.step_ms = 1;
    server = api_start(&fake, "jobs_hostile", NULL, 2, 8, 2);
    base = api_base(server);
    RUN(test_path_traversal);
    RUN(test_uploads_limited_and_sniffed);
    RUN(test_bad_json_and_options);
    RUN(test_host_and_origin);
    RUN(test_token_required);
    RUN(test_slow_and_idle_clients);
    fu_server_stop(server);
    fake_service_free(&fake);
    curl_global_cleanup();
    return tl_finish();
}
