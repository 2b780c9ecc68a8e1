/*
 * test_api_error_answers_one_line_json.c — whatever bytes a request
 * carries, an error answer is JSON with a one-line "error" in valid UTF-8:
 * a Host or Origin header in Latin-1 (not UTF-8), an unknown option whose
 * name holds a newline or an escape sequence, and a long name cut inside a
 * character. Before, the message was built from the raw bytes: jansson
 * refused the invalid UTF-8 and the client got the connection closed with
 * no answer, and a newline reached the message as it was (found by the
 * job_step fuzz target).
 */
#include <poll.h>

#include "apitest.h"

static fake_service fake;
static fu_server *server;
static int port;
static char image_id[64];

/* Sends a raw request and reads the answer until the server closes. */
static char *exchange(const char *request, size_t size)
{
    size_t got = 0, cap = 1 << 16;
    char *buf = calloc(1, cap + 1);
    int fd = api_connect(port);
    CHECK(fd >= 0, "connect");
    if (fd < 0)
        return buf;
    CHECK(write(fd, request, size) == (ssize_t)size, "write");
    shutdown(fd, SHUT_WR);
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 5000) <= 0)
            break;
        ssize_t n = read(fd, buf + got, cap - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    return buf;
}

/* The answer has `status`, and its body is JSON whose "error" is one line
 * containing `part`. */
static void expect_json_error(const char *request, size_t size, const char *status, const char *part,
                              const char *what)
{
    char *reply = exchange(request, size);
    CHECK(strncmp(reply, "HTTP/1.1 ", 9) == 0, "%s: no answer (connection closed): '%.40s'", what, reply);
    CHECK(strncmp(reply + 9, status, 3) == 0, "%s: status '%.12s', want %s", what, reply + 9, status);
    const char *body = strstr(reply, "\r\n\r\n");
    json_t *j = body ? json_loads(body + 4, 0, NULL) : NULL;
    const char *msg = json_string_value(json_object_get(j, "error"));
    CHECK(msg != NULL, "%s: the body is not a JSON error: %.200s", what, body ? body + 4 : "(none)");
    if (msg) {
        CHECK(!strchr(msg, '\n') && !strchr(msg, '\r') && !strchr(msg, '\033'), "%s: not one line: %s", what, msg);
        CHECK(strstr(msg, part) != NULL, "%s: '%s' does not say '%s'", what, msg, part);
    }
    json_decref(j);
    free(reply);
}

static void test_latin1_headers(void)
{
    char req[512];
    int n = snprintf(req, sizeof req, "GET /api/options HTTP/1.1\r\nHost: caf\xe9.example:%d\r\n\r\n", port);
    expect_json_error(req, (size_t)n, "421", "caf\\xe9.example", "a Latin-1 Host");
    n = snprintf(req, sizeof req,
                 "POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nOrigin: http://\xff\xfe.example\r\n"
                 "Content-Length: 2\r\n\r\n{}",
                 port);
    expect_json_error(req, (size_t)n, "403", "\\xff\\xfe", "a Latin-1 Origin");
}

static void post_options(const char *options_json, const char *part, const char *what)
{
    char body[2048], req[4096];
    snprintf(body, sizeof body, "{\"target\":\"%s\",\"options\":%s}", image_id, options_json);
    int n = snprintf(req, sizeof req,
                     "POST /api/preview HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\n\r\n%s",
                     port, strlen(body), body);
    expect_json_error(req, (size_t)n, "400", part, what);
}

static void test_option_names(void)
{
    post_options("{\"--face\\nswapper\":1}", "--face\\nswapper", "a newline in an option name");
    post_options("{\"--x\\u001b[31m\":1}", "--x\\x1b[31m", "an escape sequence in an option name");
    /* 124 ASCII bytes then é (2 bytes): the shown name is cut inside it. */
    char options[512], name[160];
    memset(name, 'a', 124);
    memcpy(name, "--", 2);
    snprintf(name + 124, sizeof name - 124, "\xc3\xa9\xc3\xa9");
    snprintf(options, sizeof options, "{\"%s\":1}", name);
    post_options(options, "unknown option --aaa", "a long name cut inside a character");
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    fake_service_init(&fake);
    server = api_start(&fake, "jobs_errors", NULL, 2, 8, 2);
    port = fu_server_port(server);
    CHECK(api_upload(api_base(server), tl_shared("samples/astronaut.png"), "a.png", image_id, sizeof image_id) == 201,
          "upload");
    RUN(test_latin1_headers);
    RUN(test_option_names);
    fu_server_stop(server);
    fake_service_free(&fake);
    curl_global_cleanup();
    return tl_finish();
}
