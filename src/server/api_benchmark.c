/*
 * api_benchmark.c — the benchmark layout: POST /api/benchmark starts
 * fu_benchmark_run (pipeline/benchmark.h) with the page's sources,
 * processors and options and the benchmark options (FaceFusion's
 * benchmark_options: mode, resolutions, cycle count, checked by their
 * table), on a thread of its own, one at a time; GET /api/benchmark gives
 * its state, the rows so far (FaceFusion's table: target, cycles,
 * average/fastest/slowest ms, relative fps) and the options as controls.
 *
 * FaceFusion's benchmark downloads example clips; facefuse's makes its
 * targets itself (benchmark.h): per resolution a 50-frame 25 fps 16:9 clip
 * with the first source photo drifting over a moving background.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/api.h"

#define BENCHMARK_USES                                                                                             \
    "targets made here: per resolution a 16:9 clip of 50 frames at 25 fps with the first source photo drifting "   \
    "over a moving background (FaceFusion downloads example clips instead); the landmarker is skipped, audio "     \
    "dropped and the video encoded with the ultrafast preset, as FaceFusion's benchmark"

typedef enum { BENCH_IDLE, BENCH_RUNNING, BENCH_COMPLETED, BENCH_FAILED } bench_state;

struct fu_bench {
    fu_server *s;
    pthread_mutex_t control;    /* starts, one at a time */
    pthread_mutex_t lock;       /* state, error, rows */
    pthread_t thread;
    int joinable;
    bench_state state;
    char error[FU_ERRMSG_MAX];
    volatile int cancel;
    json_t *rows;               /* under lock */
    fu_optset set;              /* the benchmark options (settings point into it) */
    int set_live;
    fu_benchmark_settings settings;
    char *args_json;
};

static const char *state_name(bench_state st)
{
    static const char *const names[] = {"idle", "running", "completed", "failed"};
    return names[st];
}

/* An option of a table as the page's control: name, type, choices, range,
 * default, help (the form GET /api/options uses). */
static json_t *option_json(const fu_option *o)
{
    json_t *choices = json_null(), *def = json_null();
    char buf[256], *save = NULL;
    const char *c = fu_option_choices(o);
    int list = o->type == FU_OPT_STRINGS || o->type == FU_OPT_INTS;
    if (c) {
        choices = json_array();
        snprintf(buf, sizeof buf, "%s", c);
        for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
            json_array_append_new(choices, json_string(w));
    }
    if (o->def) {
        snprintf(buf, sizeof buf, "%s", o->def);
        if (list) {
            def = json_array();
            for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
                json_array_append_new(def, json_string(w));
        } else {
            def = o->type == FU_OPT_INT ? json_integer(strtol(buf, NULL, 10)) : json_string(buf);
        }
    }
    int ranged = o->min < o->max;
    return json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:s,s:b}", "name", o->name, "type", fu_option_type_name(o),
                     "choices", choices, "min", ranged ? json_real(o->min) : json_null(), "max",
                     ranged ? json_real(o->max) : json_null(), "step",
                     ranged && o->step > 0 ? json_real(o->step) : json_null(), "default", def, "help",
                     o->help ? o->help : "", "multiple", list);
}

static json_t *status_json(fu_bench *b)
{
    json_t *options = json_array();
    for (const fu_option *o = fu_benchmark_options.options; o->name; o++)
        json_array_append_new(options, option_json(o));
    pthread_mutex_lock(&b->lock);
    json_t *out = json_pack("{s:s,s:s?,s:O,s:o,s:s}", "state", state_name(b->state), "error",
                            b->state == BENCH_FAILED ? b->error : NULL, "rows", b->rows, "options", options, "uses",
                            BENCHMARK_USES);
    pthread_mutex_unlock(&b->lock);
    return out;
}

static void on_row(void *user, const fu_benchmark_row *r)
{
    fu_bench *b = user;
    char target[48];
    snprintf(target, sizeof target, "%s (%dx%d, %d frames)", r->resolution, r->width, r->height, r->frames);
    json_t *row = json_pack("{s:s,s:s,s:i,s:i,s:i,s:i,s:f,s:f,s:f,s:f,s:f}", "target", target, "resolution",
                            r->resolution, "width", r->width, "height", r->height, "frames", r->frames,
                            "cycle_count", r->cycle_count, "average_ms", r->average_s * 1000, "fastest_ms",
                            r->fastest_s * 1000, "slowest_ms", r->slowest_s * 1000, "relative_fps",
                            r->relative_fps, "realtime_factor", r->realtime_factor);
    pthread_mutex_lock(&b->lock);
    json_array_append_new(b->rows, row);
    pthread_mutex_unlock(&b->lock);
}

static void *bench_main(void *p)
{
    fu_bench *b = p;
    fu_server *s = b->s;
    fu_err err;
    fu_err_clear(&err);
    facefuse_status st =
        s->service.benchmark(s->service.user, b->args_json, &b->settings, &b->cancel, on_row, b, &err);
    pthread_mutex_lock(&b->lock);
    if (st != FACEFUSE_OK) {
        b->state = BENCH_FAILED;
        snprintf(b->error, sizeof b->error, "%s",
                 b->cancel ? "stopped" : err.msg[0] ? err.msg : facefuse_strerror(st));
    } else {
        b->state = BENCH_COMPLETED;
    }
    pthread_mutex_unlock(&b->lock);
    return NULL;
}

/* Joins a finished (or, with cancel, a running) benchmark and frees its
 * settings. */
static void bench_join(fu_bench *b, int cancel)
{
    if (cancel)
        b->cancel = 1;
    if (b->joinable)
        pthread_join(b->thread, NULL);
    b->joinable = 0;
    free(b->args_json);
    b->args_json = NULL;
    if (b->set_live)
        fu_optset_free(&b->set);
    b->set_live = 0;
}

facefuse_status fu_bench_new(fu_server *s, fu_err *err)
{
    fu_bench *b = calloc(1, sizeof *b);
    if (!b || !(b->rows = json_array())) {
        free(b);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the benchmark layout");
    }
    b->s = s;
    pthread_mutex_init(&b->control, NULL);
    pthread_mutex_init(&b->lock, NULL);
    s->bench = b;
    return FACEFUSE_OK;
}

void fu_bench_free(fu_server *s)
{
    fu_bench *b = s->bench;
    if (!b)
        return;
    bench_join(b, 1);
    json_decref(b->rows);
    pthread_mutex_destroy(&b->lock);
    pthread_mutex_destroy(&b->control);
    free(b);
    s->bench = NULL;
}

/* The benchmark options of the request ({"--benchmark-mode": "warm", ...})
 * through their table. 0, or -1 with the reason. */
static int bench_settings(fu_bench *b, json_t *given, char *why, size_t why_size)
{
    const fu_option_group *groups[] = {&fu_benchmark_options};
    fu_err err;
    const char *key;
    json_t *v;
    if (given && !json_is_object(given)) {
        snprintf(why, why_size, "\"benchmark\" must be an object of benchmark options");
        return -1;
    }
    if (fu_optset_init(&b->set, groups, 1, &err) != FACEFUSE_OK) {
        snprintf(why, why_size, "%s", err.msg);
        return -1;
    }
    b->set_live = 1;
    json_object_foreach(given, key, v) {
        const char *words[FU_BENCHMARK_MAX_ROWS];
        char number[32];
        int n = 0;
        const fu_option *o;
        if (fu_optset_find(&b->set, key, &o) < 0 || strncmp(key, "--benchmark-", 12) != 0) {
            snprintf(why, why_size, "unknown benchmark option '%.60s' (--benchmark-mode, --benchmark-resolutions, "
                                    "--benchmark-cycle-count)", key);
            return -1;
        }
        json_t *items = json_is_array(v) ? v : NULL;
        size_t count = items ? json_array_size(items) : 1;
        for (size_t i = 0; i < count; i++) {
            json_t *w = items ? json_array_get(items, i) : v;
            if (n == FU_BENCHMARK_MAX_ROWS) {
                snprintf(why, why_size, "%s: too many values", key);
                return -1;
            }
            if (json_is_string(w)) {
                words[n++] = json_string_value(w);
            } else if (json_is_integer(w)) {
                snprintf(number, sizeof number, "%lld", (long long)json_integer_value(w));
                words[n++] = number; /* only the cycle count is a number: one value */
            } else {
                snprintf(why, why_size, "%s: values are strings or whole numbers", key);
                return -1;
            }
        }
        if (fu_optset_set(&b->set, key, words, n, FU_ORIGIN_ARG, &err) != FACEFUSE_OK) {
            snprintf(why, why_size, "%s", err.msg);
            return -1;
        }
    }
    if (fu_options_apply(&b->set, &fu_benchmark_options, &b->settings, &err) != FACEFUSE_OK) {
        snprintf(why, why_size, "%s", err.msg);
        return -1;
    }
    if (b->settings.resolutions.n == 0) {
        snprintf(why, why_size, "--benchmark-resolutions: choose at least one");
        return -1;
    }
    return 0;
}

static enum MHD_Result start_locked(fu_server *s, struct MHD_Connection *c, fu_request *req)
{
    fu_bench *b = s->bench;
    char why[FU_ERRMSG_MAX];
    unsigned status = MHD_HTTP_BAD_REQUEST;
    fu_err err;
    json_error_t je;
    json_t *body = req->data ? json_loadb(req->data, req->size, JSON_REJECT_DUPLICATES, &je) : NULL;
    if (!json_is_object(body)) {
        json_decref(body);
        return fu_http_error(c, MHD_HTTP_BAD_REQUEST, "the body must be a JSON object%s%s",
                             req->data ? ": " : " (empty)", req->data && !body ? je.text : "");
    }
    pthread_mutex_lock(&b->lock);
    int busy = b->state == BENCH_RUNNING;
    pthread_mutex_unlock(&b->lock);
    if (busy) {
        json_decref(body);
        return fu_http_error(c, MHD_HTTP_CONFLICT, "a benchmark is running; wait for its results");
    }
    bench_join(b, 0); /* the last one, finished */
    json_t *args = fu_api_request_sources(s, body, &status, why, sizeof why);
    int ok = args && bench_settings(b, json_object_get(body, "benchmark"), why, sizeof why) == 0;
    json_decref(body);
    if (ok && !json_object_get(args, "--source-paths")) {
        ok = 0;
        snprintf(why, sizeof why, "the benchmark needs a source face photo (\"sources\"): it is the source and is "
                                  "pasted into the targets");
    }
    if (ok && fu_api_validate(s, args, NULL, &err) != FACEFUSE_OK) {
        ok = 0;
        status = fu_http_status_of(err.code);
        snprintf(why, sizeof why, "%s", err.msg);
    }
    if (ok && !(b->args_json = json_dumps(args, JSON_COMPACT))) {
        ok = 0;
        status = MHD_HTTP_INTERNAL_SERVER_ERROR;
        snprintf(why, sizeof why, "out of memory");
    }
    json_decref(args);
    if (!ok) {
        bench_join(b, 0);
        return fu_http_error(c, status, "%s", why);
    }
    pthread_mutex_lock(&b->lock);
    json_array_clear(b->rows);
    b->state = BENCH_RUNNING;
    b->error[0] = '\0';
    b->cancel = 0;
    pthread_mutex_unlock(&b->lock);
    if (pthread_create(&b->thread, NULL, bench_main, b) != 0) {
        pthread_mutex_lock(&b->lock);
        b->state = BENCH_FAILED;
        snprintf(b->error, sizeof b->error, "cannot start the benchmark's thread");
        pthread_mutex_unlock(&b->lock);
        bench_join(b, 0);
        return fu_http_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot start the benchmark's thread");
    }
    b->joinable = 1;
    return fu_http_json(c, MHD_HTTP_ACCEPTED, status_json(b));
}

static enum MHD_Result start(fu_server *s, struct MHD_Connection *c, fu_request *req)
{
    pthread_mutex_lock(&s->bench->control);
    enum MHD_Result r = start_locked(s, c, req);
    pthread_mutex_unlock(&s->bench->control);
    return r;
}

enum MHD_Result fu_api_benchmark(fu_server *s, struct MHD_Connection *c, const char *method, fu_request *req)
{
    if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
        return fu_api_method_not_allowed(c, "GET, POST");
    if (!s->service.benchmark || !s->bench)
        return fu_http_error(c, MHD_HTTP_NOT_IMPLEMENTED, "this server has no benchmark");
    if (!strcmp(method, "GET"))
        return fu_http_json(c, MHD_HTTP_OK, status_json(s->bench));
    return start(s, c, req);
}
