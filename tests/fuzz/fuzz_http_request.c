/*
 * fuzz_http_request.c — HTTP request handling (src/server): the input's
 * bytes are sent as they are, as one request (request line, headers, body,
 * or several pipelined) to the real server running in this process on
 * loopback, on the real option tables and step checks (the pipeline's
 * service), with the model-running calls replaced (preview answers the
 * unprocessed frame, faces finds none, a job step ends at once): no model
 * is ever loaded.
 *
 * The first input byte picks the server: even, one without a token
 * (loopback mode); odd, one that requires the token "fuzztoken". In the
 * rest, "$PORT" becomes that server's port (so a seed's Host header can be
 * right), "$FILE" the id of an image uploaded at start and "$JOB" the id of
 * a job made at start.
 *
 * Each input is a fresh connection: write the bytes, half-close, read the
 * answer. Property: the server answers with a well-formed status line (or
 * closes the connection) within DEADLINE_MS, its JSON error answers parse
 * and hold a one-line "error", never crashes, overflows or
 * leaks, and every CHECK_EVERY inputs both servers still serve GET
 * /api/options. FUZZ_HTTP_VERBOSE=1 prints each answer's status line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/option.h"
#include "facefuse.h"
#include "media/image_io.h"
#include "pipeline/config.h"
#include "pipeline/jobs/job_args.h"
#include "server/pipeline_service.h"
#include "server/server.h"

#define DEADLINE_MS 5000    /* no first byte nor close by then: a hang */
#define IDLE_MS 300         /* after the status line: stop reading a stream */
#define CHECK_EVERY 64
#define REPLY_MAX (256 * 1024)

typedef struct fuzz_server {
    fu_server *server;
    int port;
    const char *token;
    char file_id[128];
    char job_id[128];
} fuzz_server;

static fuzz_server servers[2];
static fu_service table;
static unsigned long inputs;

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_http_request: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    abort();
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------ the service */

/* The frame as it is: the preview's checks and encoding without a model. */
static facefuse_status stub_preview(void *user, const char *args_json, int64_t frame, int max_px,
                                    fu_service_image *image, fu_err *err)
{
    char target[4096];
    int found = 0;
    (void)max_px;
    if (fu_job_args_first(args_json, FU_ARG_TARGET_PATH, target, sizeof target, &found, err) != FACEFUSE_OK)
        return err->code;
    if (!found)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "no target");
    return table.frame(user, target, frame, image, err);
}

static facefuse_status stub_faces(void *user, const char *args_json, int64_t frame, fu_service_face **faces,
                                  int *count, fu_err *err)
{
    (void)user, (void)args_json, (void)frame, (void)err;
    *faces = NULL;
    *count = 0;
    return FACEFUSE_OK;
}

static facefuse_status stub_run_step(void *user, const char *json, const fu_job_progress *progress,
                                     volatile int *cancel, fu_err *err)
{
    (void)user, (void)progress;
    if (*cancel)
        return fu_fail(err, FACEFUSE_ERR_CANCELLED, "cancelled");
    return fu_job_args_check(json, err);
}

/* ------------------------------------------------------------ the client */

static int connect_to(int port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
        die("cannot connect to the server", strerror(errno));
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

/* Sends what the server takes before the deadline (it may answer and close
 * early: a refused upload). */
static void send_all(int fd, const char *data, size_t size, long long deadline)
{
    while (size > 0 && now_ms() < deadline) {
        ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
        if (n > 0) {
            data += n;
            size -= (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            struct pollfd p = {fd, POLLOUT, 0};
            poll(&p, 1, 50);
        } else {
            return; /* reset by the server: it has answered, or closed */
        }
    }
}

/* Reads the answer: until the server closes, or IDLE_MS without bytes once
 * a status line came (an event stream stays open). *size bytes kept. */
static char *read_reply(int fd, size_t *size, long long deadline, int *hung)
{
    char *buf = malloc(REPLY_MAX + 1);
    size_t got = 0;
    long long last = now_ms();
    *hung = 0;
    for (;;) {
        long long t = now_ms();
        int wait = (int)(deadline - t);
        if (got > 0 && memchr(buf, '\n', got) && t - last >= IDLE_MS)
            break;
        if (got > 0 && memchr(buf, '\n', got) && wait > IDLE_MS)
            wait = IDLE_MS;
        if (wait <= 0) {
            *hung = got == 0 || !memchr(buf, '\n', got);
            break;
        }
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, wait) <= 0)
            continue;
        char tmp[16384];
        ssize_t n = recv(fd, tmp, sizeof tmp, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
            break;
        if (n > 0) {
            size_t keep = got + (size_t)n > REPLY_MAX ? REPLY_MAX - got : (size_t)n;
            memcpy(buf + got, tmp, keep);
            got += keep;
            last = now_ms();
        }
    }
    buf[got] = '\0';
    *size = got;
    return buf;
}

/* One exchange on a fresh connection; the reply (malloc'd) or abort on a hang. */
static char *exchange(int port, const char *request, size_t size, size_t *reply_size)
{
    int hung, fd = connect_to(port);
    long long deadline = now_ms() + DEADLINE_MS;
    send_all(fd, request, size, deadline);
    shutdown(fd, SHUT_WR);
    char *reply = read_reply(fd, reply_size, deadline, &hung);
    close(fd);
    if (hung)
        die("no answer and no close within the deadline", NULL);
    return reply;
}

/* "HTTP/1.x NNN " */
static int status_of(const char *reply, size_t size)
{
    if (size < 13 || (strncmp(reply, "HTTP/1.1 ", 9) != 0 && strncmp(reply, "HTTP/1.0 ", 9) != 0))
        return -1;
    for (int i = 9; i < 12; i++)
        if (reply[i] < '0' || reply[i] > '9')
            return -1;
    if (reply[12] != ' ')
        return -1;
    const char *eol = memchr(reply, '\n', size);
    if (!eol || eol == reply || eol[-1] != '\r')
        return -1;
    return (reply[9] - '0') * 100 + (reply[10] - '0') * 10 + (reply[11] - '0');
}

static int request(const fuzz_server *fs, const char *method, const char *path, const char *type, const void *body,
                   size_t body_size, char *reply_body, size_t reply_body_size)
{
    char head[1024], auth[128] = "", ctype[128] = "";
    if (fs->token)
        snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\n", fs->token);
    if (type)
        snprintf(ctype, sizeof ctype, "Content-Type: %s\r\n", type);
    int n = snprintf(head, sizeof head,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n%s%sContent-Length: %zu\r\nConnection: close\r\n\r\n",
                     method, path, fs->port, auth, ctype, body_size);
    char *req = malloc((size_t)n + body_size + 1);
    memcpy(req, head, (size_t)n);
    memcpy(req + n, body, body_size);
    size_t size;
    char *reply = exchange(fs->port, req, (size_t)n + body_size, &size);
    free(req);
    int status = status_of(reply, size);
    if (reply_body) {
        const char *start = strstr(reply, "\r\n\r\n");
        snprintf(reply_body, reply_body_size, "%s", start ? start + 4 : "");
    }
    free(reply);
    return status;
}

static void still_serving(const fuzz_server *fs)
{
    int status = request(fs, "GET", "/api/options", NULL, "", 0, NULL, 0);
    if (status != 200) {
        char what[64];
        snprintf(what, sizeof what, "%d", status);
        die("the server stopped serving GET /api/options", what);
    }
}

/* ------------------------------------------------------------ start */

static void id_of(const char *json_text, const char *key, char *out, size_t size)
{
    json_t *j = json_loads(json_text, 0, NULL);
    snprintf(out, size, "%s", json_string_value(json_object_get(j, key)) ?: "none");
    json_decref(j);
}

static void start_server(fuzz_server *fs, const char *root, const char *name, const char *token,
                         const char *image_path)
{
    char jobs[4096], locks[4096], reply[8192], body[512];
    fu_server_settings st = fu_server_default_settings();
    fu_err err;
    snprintf(jobs, sizeof jobs, "%s/%s", root, name);
    snprintf(locks, sizeof locks, "%s/locks", root);
    mkdir(locks, 0700);
    st.port = 0;
    st.jobs_path = jobs;
    st.lock_dir = locks;
    st.token = token;
    st.timeout_s = 2;
    st.max_connections = 32;
    st.max_upload_mb = 1;
    st.workflow = "job_manager";
    if (fu_server_start(&st, &table, &fs->server, &err) != FACEFUSE_OK)
        die("cannot start the server", err.msg);
    fs->port = fu_server_port(fs->server);
    fs->token = token;

    FILE *f = fopen(image_path, "rb");
    static char data[1 << 16];
    size_t size = f ? fread(data, 1, sizeof data, f) : 0;
    if (f)
        fclose(f);
    if (request(fs, "POST", "/api/files?name=seed.png", "image/png", data, size, reply, sizeof reply) != 201)
        die("cannot upload the seed image", reply);
    id_of(reply, "id", fs->file_id, sizeof fs->file_id);
    snprintf(body, sizeof body, "{\"sources\":[\"%s\"],\"target\":\"%s\",\"run\":false}", fs->file_id, fs->file_id);
    request(fs, "POST", "/api/jobs", "application/json", body, strlen(body), reply, sizeof reply);
    id_of(reply, "id", fs->job_id, sizeof fs->job_id);
    still_serving(fs);
}

static char root[] = "/tmp/facefuse-fuzz-http-XXXXXX";
static facefuse_context *ctx;
static fu_pipeline_service *service;
static fu_optset defaults;

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st, (void)type, (void)ftw;
    remove(path);
    return 0;
}

/* At the end of a run: the servers stopped (their threads joined, so the
 * final leak check sees a quiet process) and the uploads and jobs removed. */
static void stop(void)
{
    fu_server_stop(servers[1].server);
    fu_server_stop(servers[0].server);
    fu_pipeline_service_free(service);
    facefuse_context_free(ctx);
    fu_optset_free(&defaults);
    nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void start(void)
{
    char models[4096], image_path[4096];
    fu_err err;
    int n;

    if (!mkdtemp(root))
        die("mkdtemp", strerror(errno));
    snprintf(models, sizeof models, "%s/models", root);
    mkdir(models, 0700);
    facefuse_context_params p = facefuse_context_default_params();
    p.model_dir = models;
    p.allow_download = 0;
    p.log_level = FACEFUSE_LOG_ERROR;
    if (facefuse_context_new(&p, &ctx) != FACEFUSE_OK)
        die("cannot create the context", NULL);
    const fu_option_group *const *groups = fu_run_option_groups(&n);
    if (fu_optset_init(&defaults, groups, n, &err) != FACEFUSE_OK ||
        fu_pipeline_service_new(ctx, &defaults, &service, &err) != FACEFUSE_OK)
        die("cannot make the service", err.msg);
    table = fu_pipeline_service_table(service);
    table.preview = stub_preview;
    table.faces = stub_faces;
    table.run_step = stub_run_step;

    facefuse_image im = {0};
    snprintf(image_path, sizeof image_path, "%s/seed.png", root);
    if (facefuse_image_alloc(&im, 48, 32, 3) != FACEFUSE_OK)
        die("image", NULL);
    for (int y = 0; y < im.height; y++)
        for (int x = 0; x < im.width * 3; x++)
            im.data[y * im.stride + x] = (uint8_t)(x * 5 + y * 3);
    if (fu_image_write(image_path, &im, 90, &err) != FACEFUSE_OK)
        die("cannot write the seed image", err.msg);
    facefuse_image_free(&im);

    atexit(stop);
    start_server(&servers[0], root, "open", NULL, image_path);
    start_server(&servers[1], root, "token", "fuzztoken", image_path);
}

/* ------------------------------------------------------------ one input */

/* The request with $PORT, $FILE and $JOB replaced (malloc'd, *size). */
static char *substitute(const fuzz_server *fs, const uint8_t *data, size_t size, size_t *out_size)
{
    char port[16];
    snprintf(port, sizeof port, "%d", fs->port);
    const char *names[] = {"$PORT", "$FILE", "$JOB"};
    const char *values[] = {port, fs->file_id, fs->job_id};
    size_t longest = 0;
    for (int i = 0; i < 3; i++)
        if (strlen(values[i]) > longest)
            longest = strlen(values[i]);
    char *out = malloc(size * (longest + 1) + 1);
    size_t o = 0;
    for (size_t i = 0; i < size;) {
        int matched = 0;
        for (int k = 0; k < 3 && !matched; k++) {
            size_t len = strlen(names[k]);
            if (size - i >= len && memcmp(data + i, names[k], len) == 0) {
                memcpy(out + o, values[k], strlen(values[k]));
                o += strlen(values[k]);
                i += len;
                matched = 1;
            }
        }
        if (!matched)
            out[o++] = (char)data[i++];
    }
    *out_size = o;
    return out;
}

/* An error answer in JSON (the server's own, not libmicrohttpd's HTML for a
 * malformed request) must parse and say what was wrong in one line: a
 * message jansson cannot encode would leave no answer at all. */
static void check_error_body(const char *reply, size_t size)
{
    const char *end = strstr(reply, "\r\n\r\n"), *length = strstr(reply, "\r\nContent-Length: ");
    if (status_of(reply, size) < 400 || !end || !strstr(reply, "\r\nContent-Type: application/json\r\n") ||
        !length || length > end)
        return;
    size_t want = strtoul(length + 18, NULL, 10), have = size - (size_t)(end + 4 - reply);
    if (have < want || want == 0)
        return; /* a HEAD answer, or cut by REPLY_MAX */
    json_t *j = json_loadb(end + 4, want, 0, NULL);
    const char *msg = json_string_value(json_object_get(j, "error"));
    if (!msg || !msg[0] || strchr(msg, '\n') || strchr(msg, '\r')) {
        fprintf(stderr, "reply: %.400s\n", reply);
        die("an error answer is not JSON with a one-line \"error\"", NULL);
    }
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int started;
    if (!started) {
        start();
        started = 1;
    }
    if (size < 1)
        return 0;
    const fuzz_server *fs = &servers[data[0] & 1];
    size_t request_size, reply_size;
    char *req = substitute(fs, data + 1, size - 1, &request_size);
    char *reply = exchange(fs->port, req, request_size, &reply_size);
    if (reply_size > 0 && status_of(reply, reply_size) < 0) {
        fprintf(stderr, "reply: %.200s\n", reply);
        die("the answer does not start with a status line", NULL);
    }
    check_error_body(reply, reply_size);
    if (getenv("FUZZ_HTTP_VERBOSE")) { /* which answer each input got, and its body */
        const char *body = strstr(reply, "\r\n\r\n");
        fprintf(stderr, "%s: %.*s %.200s\n", fs->token ? "token" : "open", (int)strcspn(reply, "\r\n"),
                reply_size ? reply : "(closed)", body ? body + 4 : "");
    }
    free(reply);
    free(req);
    if (++inputs % CHECK_EVERY == 0) {
        still_serving(&servers[0]);
        still_serving(&servers[1]);
    }
    return 0;
}
