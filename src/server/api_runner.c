/*
 * api_runner.c — /api/runner: FaceFusion's job_runner component. The page
 * picks an action (job-run, job-run-all, job-retry, job-retry-all), a job
 * for the single ones, and Start; the server runs it on one background
 * thread through the same calls as `facefuse job-run ...`
 * (pipeline/jobs/job_runner.h), with --halt-on-error for the *-all ones.
 * Stop makes the running job fail "stopped" and ends the action, as the
 * command line's Ctrl-C. One action at a time (409 while one runs).
 * Progress is the jobs' own (GET /api/jobs/ID/events, GET /api/log).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/jobs/job_runner.h"
#include "core/log.h"
#include "server/api.h"

struct fu_ui_runner {
    pthread_mutex_t lock;
    pthread_t thread;
    int joinable;
    int running;
    char action[32];
    char job[FU_JOB_ID_MAX];
    int halt_on_error;
    volatile int stop;
    char outcome[16];           /* "", "succeeded", "failed", "stopped" */
    char error[FU_ERRMSG_MAX];
    fu_server *s;
};

typedef enum { ACT_RUN, ACT_RUN_ALL, ACT_RETRY, ACT_RETRY_ALL } action_kind;

static const char *const action_names[] = {"job-run", "job-run-all", "job-retry", "job-retry-all"};

facefuse_status fu_runner_new(fu_server *s, fu_err *err)
{
    s->runner = calloc(1, sizeof *s->runner);
    if (!s->runner)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    pthread_mutex_init(&s->runner->lock, NULL);
    s->runner->s = s;
    return FACEFUSE_OK;
}

void fu_runner_free(fu_server *s)
{
    fu_ui_runner *u = s->runner;
    if (!u)
        return;
    u->stop = 1;
    if (u->joinable)
        pthread_join(u->thread, NULL);
    pthread_mutex_destroy(&u->lock);
    free(u);
    s->runner = NULL;
}

static void *run(void *p)
{
    fu_ui_runner *u = p;
    fu_server *s = u->s;
    fu_err err;
    fu_job_runner r = {0};
    r.run_step = s->service.run_step;
    r.user = s->service.user;
    r.concurrency = s->settings.job_concurrency;
    r.lock_dir = s->settings.lock_dir;
    r.halt_on_error = u->halt_on_error;
    r.stop = &u->stop;
    fu_err_clear(&err);
    facefuse_status st;
    if (!strcmp(u->action, "job-run"))
        st = fu_job_run(s->store, &r, u->job, &err);
    else if (!strcmp(u->action, "job-retry"))
        st = fu_job_retry(s->store, &r, u->job, &err);
    else if (!strcmp(u->action, "job-run-all"))
        st = fu_job_run_all(s->store, &r, &err);
    else
        st = fu_job_retry_all(s->store, &r, &err);
    if (st == FACEFUSE_OK)
        fu_info("%s%s%s succeeded", u->action, u->job[0] ? " " : "", u->job);
    else
        fu_warn("%s%s%s failed: %s", u->action, u->job[0] ? " " : "", u->job, err.msg);
    pthread_mutex_lock(&u->lock);
    snprintf(u->outcome, sizeof u->outcome, "%s",
             st == FACEFUSE_OK ? "succeeded" : u->stop ? "stopped" : "failed");
    snprintf(u->error, sizeof u->error, "%s", st == FACEFUSE_OK ? "" : err.msg);
    u->running = 0;
    pthread_mutex_unlock(&u->lock);
    return NULL;
}

static json_t *state_json(fu_ui_runner *u)
{
    pthread_mutex_lock(&u->lock);
    json_t *o = json_pack("{s:b,s:s?,s:s?,s:b,s:s?,s:s?}", "running", u->running, "action",
                          u->action[0] ? u->action : NULL, "job", u->job[0] ? u->job : NULL, "halt_on_error",
                          u->halt_on_error, "outcome", u->outcome[0] ? u->outcome : NULL, "error",
                          u->error[0] ? u->error : NULL);
    pthread_mutex_unlock(&u->lock);
    return o;
}

/* The request's action and job, checked against the store as the command
 * line checks them before it runs anything. */
static int parse(fu_server *s, json_t *body, action_kind *kind, char *job, int *halt, unsigned *status, char *why,
                 size_t why_size)
{
    const char *name = json_string_value(json_object_get(body, "action"));
    json_t *h = json_object_get(body, "halt_on_error");
    *status = MHD_HTTP_BAD_REQUEST;
    int k = -1;
    for (int i = 0; name && i < 4; i++)
        if (!strcmp(name, action_names[i]))
            k = i;
    if (k < 0) {
        snprintf(why, why_size, "\"action\" must be job-run, job-run-all, job-retry or job-retry-all");
        return -1;
    }
    if (h && !json_is_boolean(h)) {
        snprintf(why, why_size, "\"halt_on_error\" must be true or false");
        return -1;
    }
    *kind = (action_kind)k;
    *halt = json_is_true(h);
    job[0] = '\0';
    if (k == ACT_RUN_ALL || k == ACT_RETRY_ALL)
        return 0;
    const char *id = json_string_value(json_object_get(body, "job"));
    fu_job_info j;
    if (!id || !fu_job_id_is_valid(id)) {
        snprintf(why, why_size, "\"job\" must be a job id (letters, digits and '-') for %s", name);
        return -1;
    }
    if (fu_job_get(s->store, id, &j, NULL) != FACEFUSE_OK) {
        *status = MHD_HTTP_NOT_FOUND;
        snprintf(why, why_size, "no job %s", id);
        return -1;
    }
    fu_job_status want = k == ACT_RUN ? FU_JOB_QUEUED : FU_JOB_FAILED;
    if (j.status != want && !(k == ACT_RETRY && j.status == FU_JOB_CANCELLED)) {
        *status = MHD_HTTP_CONFLICT;
        snprintf(why, why_size, "job %s is %s; %s takes a %s job", id, fu_job_status_name(j.status), name,
                 k == ACT_RUN ? "queued" : "failed");
        return -1;
    }
    snprintf(job, FU_JOB_ID_MAX, "%s", id);
    return 0;
}

static enum MHD_Result start(fu_server *s, struct MHD_Connection *c, fu_request *req)
{
    fu_ui_runner *u = s->runner;
    char why[FU_ERRMSG_MAX], job[FU_JOB_ID_MAX];
    unsigned status;
    action_kind kind;
    int halt;
    json_t *body = req->data ? json_loadb(req->data, req->size, JSON_REJECT_DUPLICATES, NULL) : NULL;
    if (!json_is_object(body)) {
        json_decref(body);
        return fu_http_error(c, MHD_HTTP_BAD_REQUEST, "the body must be a JSON object such as "
                                                      "{\"action\": \"job-run-all\", \"halt_on_error\": false}");
    }
    int bad = parse(s, body, &kind, job, &halt, &status, why, sizeof why);
    json_decref(body);
    if (bad)
        return fu_http_error(c, status, "%s", why);
    pthread_mutex_lock(&u->lock);
    if (u->running) {
        pthread_mutex_unlock(&u->lock);
        return fu_http_error(c, MHD_HTTP_CONFLICT, "%s is still running; stop it first", u->action);
    }
    if (u->joinable) {
        pthread_join(u->thread, NULL); /* finished: reap it */
        u->joinable = 0;
    }
    /* A single job runs here, not by the workers as well. */
    if (job[0])
        fu_job_set_meta(s->store, job, 0, NULL, NULL);
    snprintf(u->action, sizeof u->action, "%s", action_names[kind]);
    snprintf(u->job, sizeof u->job, "%s", job);
    u->halt_on_error = halt;
    u->stop = 0;
    u->outcome[0] = u->error[0] = '\0';
    u->running = 1;
    if (pthread_create(&u->thread, NULL, run, u) != 0) {
        u->running = 0;
        pthread_mutex_unlock(&u->lock);
        return fu_http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "cannot start the runner thread");
    }
    u->joinable = 1;
    pthread_mutex_unlock(&u->lock);
    return fu_http_json(c, MHD_HTTP_ACCEPTED, state_json(u));
}

enum MHD_Result fu_api_runner(fu_server *s, struct MHD_Connection *c, const char *method, const char *action,
                              fu_request *req)
{
    if (action && strcmp(action, "stop") != 0)
        return fu_http_error(c, MHD_HTTP_NOT_FOUND, "no such address");
    if (action) {
        if (strcmp(method, "POST") != 0)
            return fu_api_method_not_allowed(c, "POST");
        s->runner->stop = 1;
        return fu_http_json(c, MHD_HTTP_ACCEPTED, state_json(s->runner));
    }
    if (!strcmp(method, "GET"))
        return fu_http_json(c, MHD_HTTP_OK, state_json(s->runner));
    if (!strcmp(method, "POST"))
        return start(s, c, req);
    return fu_api_method_not_allowed(c, "GET, POST");
}
