/*
 * api_steps.c — FaceFusion's job_manager component over HTTP: a drafted
 * job made by id (job-create), its steps listed, added (job-add-step),
 * remixed (job-remix-step), inserted (job-insert-step) and removed
 * (job-remove-step), in the job store the command line uses
 * (pipeline/jobs/job_store.h). A step takes the page's sources, target,
 * output name and options exactly as POST /api/jobs does
 * (fu_api_step_from_body). Only a drafted job's steps change (409
 * otherwise, as FaceFusion refuses); a step index is FaceFusion's: one of
 * the job's steps, counted from 0 (or from the end, -1 = the last).
 * Submit and delete are POST /api/jobs/ID/submit and DELETE /api/jobs/ID.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "pipeline/jobs/job_args.h"
#include "core/log.h"
#include "server/api.h"

typedef enum { STEP_ADD, STEP_INSERT, STEP_REMIX, STEP_REMOVE } step_change;

/* ------------------------------------------------------------ PUT /api/jobs/ID */

enum MHD_Result fu_api_job_draft(fu_server *s, struct MHD_Connection *c, const char *raw_id)
{
    char id[FU_JOB_ID_MAX];
    fu_err err;
    fu_job_info j;
    if (fu_job_id_sanitize(raw_id, id, &err) != FACEFUSE_OK)
        return fu_http_fail(c, &err);
    if (fu_job_get(s->store, id, &j, NULL) == FACEFUSE_OK)
        return fu_http_error(c, MHD_HTTP_CONFLICT, "job %s exists already (%s)", id, fu_job_status_name(j.status));
    if (fu_job_create(s->store, id, &err) != FACEFUSE_OK)
        return fu_http_error(c, err.code == FACEFUSE_ERR_INVALID_ARGUMENT ? MHD_HTTP_CONFLICT
                                                                           : fu_http_status_of(err.code),
                             "%s", err.msg);
    fu_info("job %s created", id);
    if (fu_job_get(s->store, id, &j, &err) != FACEFUSE_OK)
        return fu_http_fail(c, &err);
    return fu_http_json(c, MHD_HTTP_CREATED, fu_api_job_json(s, &j));
}

/* ------------------------------------------------------------ steps */

static json_t *base_name(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    return path ? json_string(slash ? slash + 1 : path) : json_null();
}

/* A stored step as the page shows it: its target and output by file name
 * (workspace ids, never the server's directories) and its other options. */
static json_t *step_json(int index, const fu_job_step *step)
{
    json_t *args = json_loads(step->args, 0, NULL);
    json_t *options = json_object(), *sources = json_array();
    const char *target = json_string_value(json_array_get(json_object_get(args, FU_ARG_TARGET_PATH), 0));
    const char *output = json_string_value(json_array_get(json_object_get(args, FU_ARG_OUTPUT_PATH), 0));
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(args, FU_ARG_SOURCE_PATHS), i, v)
        json_array_append_new(sources, base_name(json_string_value(v)));
    const char *key;
    json_object_foreach(args, key, v)
        if (strcmp(key, FU_ARG_TARGET_PATH) && strcmp(key, FU_ARG_OUTPUT_PATH) && strcmp(key, FU_ARG_SOURCE_PATHS))
            json_object_set(options, key, v);
    json_t *o = json_pack("{s:i,s:s,s:o,s:o,s:o,s:o}", "index", index, "status", fu_step_status_name(step->status),
                          "sources", sources, "target", base_name(target), "output", base_name(output), "options",
                          options);
    json_decref(args);
    return o;
}

static enum MHD_Result list_steps(fu_server *s, struct MHD_Connection *c, const char *id)
{
    fu_job_step *steps = NULL;
    int n = 0;
    fu_err err;
    if (fu_job_steps(s->store, id, &steps, &n, &err) != FACEFUSE_OK)
        return fu_http_fail(c, &err);
    json_t *list = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(list, step_json(i, &steps[i]));
    fu_job_steps_free(steps, n);
    return fu_http_json(c, MHD_HTTP_OK, list);
}

/* The step index of the address: FaceFusion's has_step (one of the job's
 * steps; negative counts from the end). 0, or -1 with the answer's status. */
static int step_index(const char *text, int count, int *index, unsigned *status, char *why, size_t why_size)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (!*text || *end || errno || v < -100000 || v > 100000) {
        *status = MHD_HTTP_BAD_REQUEST;
        snprintf(why, why_size, "'%.40s' is not a step index (0, 1, ... or -1 for the last)", text);
        return -1;
    }
    if (v >= count || v < -count) {
        *status = MHD_HTTP_NOT_FOUND;
        snprintf(why, why_size, "the job has no step %ld (it has %d step%s)", v, count, count == 1 ? "" : "s");
        return -1;
    }
    *index = (int)v;
    return 0;
}

static enum MHD_Result change_step(fu_server *s, struct MHD_Connection *c, const fu_job_info *j, step_change kind,
                                   const char *index_text, fu_request *req)
{
    static const char *const names[] = {"job-add-step", "job-insert-step", "job-remix-step", "job-remove-step"};
    char why[FU_ERRMSG_MAX], label[128];
    unsigned status = MHD_HTTP_BAD_REQUEST;
    int index = 0;
    fu_err err;
    if (j->status != FU_JOB_DRAFTED)
        return fu_http_error(c, MHD_HTTP_CONFLICT, "job %s is %s; only a drafted job's steps can change (%s)", j->id,
                             fu_job_status_name(j->status), names[kind]);
    if (index_text && step_index(index_text, j->step_count, &index, &status, why, sizeof why) != 0)
        return fu_http_error(c, status, "%s", why);
    char *text = NULL;
    if (kind != STEP_REMOVE) {
        json_error_t je;
        json_t *body = req->data ? json_loadb(req->data, req->size, JSON_REJECT_DUPLICATES, &je) : NULL;
        if (!json_is_object(body)) {
            json_decref(body);
            return fu_http_error(c, MHD_HTTP_BAD_REQUEST, "the body must be a step as POST /api/jobs takes it "
                                                          "(sources, target, output, options)");
        }
        int bad = fu_api_step_from_body(s, body, j->id, &text, label, sizeof label, &status, why, sizeof why);
        json_decref(body);
        if (bad)
            return fu_http_error(c, status, "%s", why);
    }
    facefuse_status st;
    if (kind == STEP_ADD)
        st = fu_job_add_step(s->store, j->id, text, &err);
    else if (kind == STEP_INSERT)
        st = fu_job_insert_step(s->store, j->id, index, text, &err);
    else if (kind == STEP_REMIX)
        st = fu_job_remix_step(s->store, j->id, index, text, &err);
    else
        st = fu_job_remove_step(s->store, j->id, index, &err);
    free(text);
    if (st == FACEFUSE_OK && j->step_count == 0 && kind == STEP_ADD)
        fu_job_set_meta(s->store, j->id, 0, label, NULL); /* the job's name: its first step's output */
    if (st != FACEFUSE_OK)
        return fu_http_error(c, err.code == FACEFUSE_ERR_INVALID_ARGUMENT ? MHD_HTTP_CONFLICT
                                                                           : fu_http_status_of(err.code),
                             "%s", err.msg);
    fu_info("%s %s%s%s done", names[kind], j->id, index_text ? " " : "", index_text ? index_text : "");
    fu_job_info now;
    if (fu_job_get(s->store, j->id, &now, &err) != FACEFUSE_OK)
        return fu_http_fail(c, &err);
    return fu_http_json(c, kind == STEP_REMOVE ? MHD_HTTP_OK : MHD_HTTP_CREATED, fu_api_job_json(s, &now));
}

enum MHD_Result fu_api_steps(fu_server *s, struct MHD_Connection *c, const char *method, const char *id,
                             const char *index, const char *action, fu_request *req)
{
    fu_job_info j;
    fu_err err;
    if (!fu_job_id_is_valid(id))
        return fu_http_error(c, MHD_HTTP_BAD_REQUEST, "'%.60s' is not a job id (letters, digits and '-')", id);
    if (action && strcmp(action, "remix") != 0)
        return fu_http_error(c, MHD_HTTP_NOT_FOUND, "no such address");
    if (fu_job_get(s->store, id, &j, &err) != FACEFUSE_OK)
        return fu_http_fail(c, &err);
    if (!index) {
        if (!strcmp(method, "GET"))
            return list_steps(s, c, id);
        if (!strcmp(method, "POST"))
            return change_step(s, c, &j, STEP_ADD, NULL, req);
        return fu_api_method_not_allowed(c, "GET, POST");
    }
    if (action)
        return strcmp(method, "POST") ? fu_api_method_not_allowed(c, "POST")
                                      : change_step(s, c, &j, STEP_REMIX, index, req);
    if (!strcmp(method, "POST"))
        return change_step(s, c, &j, STEP_INSERT, index, req);
    if (!strcmp(method, "DELETE"))
        return change_step(s, c, &j, STEP_REMOVE, index, req);
    return fu_api_method_not_allowed(c, "POST, DELETE");
}
