/*
 * test_log_ring_bounded_escaped.c — the terminal panel's log (log_ring.h,
 * GET/PUT /api/log):
 * - however many lines are logged, the ring keeps the last
 *   FU_LOG_RING_LINES, each cut to FU_LOG_RING_LINE_MAX bytes, numbered on;
 * - control characters arrive escaped (no raw ESC, CR or newline in a line);
 * - the library's log lines reach GET /api/log through the tap the server
 *   registers, ?after= gives only newer lines, PUT sets the log level, and
 *   the tap is gone once the server stops.
 */
#include <jansson.h>

#include "apitest.h"
#include "core/log.h"
#include "server/log_ring.h"

static int has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

static void ring_keeps_the_last_lines(void)
{
    char line[2000];
    uint64_t last = 0;
    fu_log_ring *r = fu_log_ring_new();
    REQUIRE(r, "ring");
    for (int i = 1; i <= 5000; i++) {
        snprintf(line, sizeof line, "line %d \x1b[31mred\x1b[0m\r\n\tnext%c", i, 0x7f);
        fu_log_ring_push(r, FACEFUSE_LOG_INFO, line);
    }
    memset(line, 'x', sizeof line - 1);
    line[sizeof line - 1] = '\0';
    fu_log_ring_push(r, FACEFUSE_LOG_WARN, line); /* 5001: too long */
    json_t *lines = fu_log_ring_json(r, 0, &last);
    CHECK(last == 5001, "last %llu", (unsigned long long)last);
    CHECK(json_array_size(lines) == FU_LOG_RING_LINES, "%zu lines kept", json_array_size(lines));
    json_t *first = json_array_get(lines, 0);
    CHECK(json_integer_value(json_object_get(first, "seq")) == 5001 - FU_LOG_RING_LINES + 1, "the oldest is %lld",
          (long long)json_integer_value(json_object_get(first, "seq")));
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l) {
        const char *text = json_string_value(json_object_get(l, "text"));
        CHECK(text && !has_control(text) && strlen(text) < FU_LOG_RING_LINE_MAX, "line %zu: raw control or too long",
              i);
        if (i == 0)
            CHECK(strstr(text, "\\x1b[31mred") && strstr(text, "\\x0d\\n\\tnext\\x7f"), "not escaped: %s", text);
    }
    CHECK(!strcmp(json_string_value(json_object_get(json_array_get(lines, FU_LOG_RING_LINES - 1), "level")), "warn"),
          "level");
    json_decref(lines);
    lines = fu_log_ring_json(r, 4999, &last);
    CHECK(json_array_size(lines) == 2, "after 4999: %zu lines", json_array_size(lines));
    json_decref(lines);
    lines = fu_log_ring_json(r, 5001, &last);
    CHECK(json_array_size(lines) == 0, "after the last: %zu lines", json_array_size(lines));
    json_decref(lines);
    fu_log_ring_free(r);
}

static void server_shows_library_lines(void)
{
    fake_service fake;
    char url[256];
    fake_service_init(&fake);
    fu_server *s = api_start(&fake, "jobs_log", NULL, 5, 32, 64);
    const char *base = api_base(s);
    fu_log_set_level(FACEFUSE_LOG_INFO);
    fu_info("terminal test \x1b]0;title\x07 line");
    snprintf(url, sizeof url, "%sapi/log", base);
    api_reply r = api_request("GET", url, NULL, NULL, 0);
    json_t *j = api_json(&r);
    const char *found = NULL;
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(j, "lines"), i, l) {
        const char *text = json_string_value(json_object_get(l, "text"));
        if (text && strstr(text, "terminal test"))
            found = text;
    }
    CHECK(r.status == 200 && found && !has_control(found) && strstr(found, "title"), "GET /api/log: %ld %s", r.status,
          r.body);
    CHECK(!strcmp(json_string_value(json_object_get(j, "level")) ?: "", "info"), "level");
    json_int_t last = json_integer_value(json_object_get(j, "last"));
    json_decref(j);
    api_reply_free(&r);

    snprintf(url, sizeof url, "%sapi/log?after=%lld", base, (long long)last);
    r = api_request("GET", url, NULL, NULL, 0);
    j = api_json(&r);
    CHECK(r.status == 200 && json_array_size(json_object_get(j, "lines")) == 0, "after=last: %s", r.body);
    json_decref(j);
    api_reply_free(&r);
    snprintf(url, sizeof url, "%sapi/log?after=-3", base);
    r = api_request("GET", url, NULL, NULL, 0);
    CHECK(r.status == 400, "after=-3: %ld", r.status);
    api_reply_free(&r);

    snprintf(url, sizeof url, "%sapi/log", base);
    r = api_request("PUT", url, NULL, "{\"level\":\"debug\"}", 17);
    CHECK(r.status == 200 && fu_log_level() == FACEFUSE_LOG_DEBUG, "PUT debug: %ld", r.status);
    api_reply_free(&r);
    r = api_request("PUT", url, NULL, "{\"level\":\"loud\"}", 16);
    CHECK(r.status == 400 && fu_log_level() == FACEFUSE_LOG_DEBUG, "PUT loud: %ld", r.status);
    api_reply_free(&r);
    r = api_request("DELETE", url, NULL, NULL, 0);
    CHECK(r.status == 405, "DELETE: %ld", r.status);
    api_reply_free(&r);
    fu_log_set_level(FACEFUSE_LOG_INFO);
    fu_server_stop(s);
    fake_service_free(&fake);
    fu_info("after the server stopped"); /* the tap is gone: no use of the freed ring (ASan) */
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    RUN(ring_keeps_the_last_lines);
    RUN(server_shows_library_lines);
    curl_global_cleanup();
    return tl_finish();
}
