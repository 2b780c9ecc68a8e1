/*
 * api_jobs.c — /api/jobs: a step from the page (a job run at once, a job
 * queued, or a step added to a drafted job: --ui-workflow), the job list
 * shared with the command line, one job, its events (events.c), cancel,
 * retry, run, submit, its output, delete.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/file.h"
#include "pipeline/jobs/job_args.h"
#include "pipeline/jobs/job_id.h"
#include "server/api.h"

/* The output path and the quality report (--quality-report) of a job's
 * last step, "" when none; one read of the steps. report may be NULL. */
static void job_files(fu_server *s, const char *id, char *out, char *report, size_t size)
{
    fu_job_step *steps = NULL;
    int n = 0, found = 0;
    out[0] = '\0';
    if (report)
        report[0] = '\0';
    if (fu_job_steps(s->store, id, &steps, &n, NULL) == FACEFUSE_OK && n > 0) {
        fu_job_args_first(steps[n - 1].args, FU_ARG_OUTPUT_PATH, out, size, &found, NULL);
        if (report)
            fu_job_args_first(steps[n - 1].args, "--quality-report", report, size, &found, NULL);
    }
    fu_job_steps_free(steps, n);
}

static void job_output(fu_server *s, const char *id, char *out, size_t size)
{
    job_files(s, id, out, NULL, size);
}

#define REPORT_MAX_BYTES (64u << 20)

/* A report the UI's workspace holds. */
static int report_served(fu_server *s, const char *path)
{
    return path[0] && fu_workspace_owns_output(&s->ws, path) && access(path, R_OK) == 0;
}

json_t *fu_api_job_json(fu_server *s, const fu_job_info *j)
{
    char output[PATH_MAX], report[PATH_MAX], url[FU_JOB_ID_MAX + 32], report_url[FU_JOB_ID_MAX + 32];
    int served = 0, has_report = 0;
    if (j->status == FU_JOB_COMPLETED) {
        job_files(s, j->id, output, report, sizeof output);
        served = fu_workspace_owns_output(&s->ws, output);
        has_report = report_served(s, report);
        snprintf(url, sizeof url, "/api/jobs/%s/output", j->id);
        snprintf(report_url, sizeof report_url, "/api/jobs/%s/report", j->id);
    }
    double eta = j->fps > 0 && j->frames_total > j->frames_done ? (j->frames_total - j->frames_done) / j->fps : 0;
    return json_pack("{s:s,s:s,s:f,s:s?,s:i,s:s,s:s?,s:s,s:I,s:I,s:f,s:o?,s:b,s:s?,s:s?}", "id", j->id, "status",
                     fu_job_status_name(j->status), "progress", j->progress, "error", j->error[0] ? j->error : NULL,
                     "steps", j->step_count, "date_created", j->date_created, "date_updated",
                     j->date_updated[0] ? j->date_updated : NULL, "label", j->label, "frames",
                     (json_int_t)j->frames_done, "total", (json_int_t)j->frames_total, "fps", j->fps, "eta_s",
                     j->status == FU_JOB_RUNNING && eta > 0 ? json_real(eta) : NULL, "auto_run", j->auto_run,
                     "output", served ? url : NULL, "report", has_report ? report_url : NULL);
}

/* ------------------------------------------------------------ POST /api/jobs */

static int ext_in(const char *ext, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (!strcmp(ext, list[i]))
            return 1;
    return 0;
}

/* The output extension: the client's name's when it suits the target, else
 * the target's own (a video into a container facefuse writes). */
static int output_ext(const char *name, const char *target_kind, const char *target_path, char *ext, size_t size,
                      char *why, size_t why_size)
{
    static const char *const images[] = {"jpg", "jpeg", "png", "webp", NULL};
    static const char *const videos[] = {"mp4", "mov", "mkv", "webm", "avi", "m4v", NULL};
    const char *const *allowed = strcmp(target_kind, "image") == 0 ? images : videos;
    if (name) {
        fu_path_extension(name, ext, size);
        if (!ext_in(ext, allowed)) {
            snprintf(why, why_size, "output '%.100s': an %s target is written as %s", name, target_kind,
                     allowed == images ? ".jpg, .png or .webp" : ".mp4, .mov, .mkv, .webm, .avi or .m4v");
            return -1;
        }
        return 0;
    }
    fu_path_extension(target_path, ext, size);
    if (!ext_in(ext, allowed))
        snprintf(ext, size, "%s", allowed == images ? "png" : "mp4");
    return 0;
}

static void label_of(const char *name, const char *id, const char *ext, char *out, size_t size)
{
    size_t n = 0;
    if (!name || !*name) {
        snprintf(out, size, "facefuse-%s.%s", id, ext);
        return;
    }
    const char *slash = strrchr(name, '/');
    for (name = slash ? slash + 1 : name; *name && n + 1 < size && n < 120; name++)
        out[n++] = (unsigned char)*name < 0x20 || *name == '\\' ? '_' : *name;
    out[n] = '\0';
}

/* How POST /api/jobs files the step (--ui-workflow's Start): run it now
 * (instant_runner), queue it for the Jobs tab's Run (job_runner), or add it
 * to a drafted job (job_manager, "job": ID). */
typedef struct job_request {
    const char *draft;          /* the drafted job's id, or NULL */
    int run;
} job_request;

static int parse_job_request(json_t *body, job_request *r, char *why, size_t why_size)
{
    json_t *run = json_object_get(body, "run"), *job = json_object_get(body, "job");
    r->run = 1;
    r->draft = NULL;
    if (run && !json_is_boolean(run)) {
        snprintf(why, why_size, "\"run\" must be true or false");
        return -1;
    }
    if (job && !json_is_null(job) && !json_is_string(job)) {
        snprintf(why, why_size, "\"job\" must be the id of a drafted job to add the step to");
        return -1;
    }
    r->draft = json_string_value(job);
    r->run = r->draft ? 0 : !json_is_false(run);
    return 0;
}

/* The job a step goes to: a new ui-<time>-<random> job, or the drafted one
 * asked for. */
static facefuse_status job_for(const job_request *r, char *id, fu_err *err)
{
    char hex[9];
    if (r->draft)
        return fu_job_id_sanitize(r->draft, id, err);
    fu_job_suggest_id("ui", id, FU_JOB_ID_MAX);
    if (fu_random_hex(hex, 4, err) != FACEFUSE_OK)
        return err->code;
    size_t len = strlen(id);
    snprintf(id + len, FU_JOB_ID_MAX - len, "-%s", hex);
    return FACEFUSE_OK;
}

/* Files the step: a new job submitted (and run by the workers when asked),
 * or one more step of a drafted job. */
static facefuse_status file_step(fu_server *s, const job_request *r, const char *id, const char *step,
                                 const char *label, fu_err *err)
{
    fu_job_info j;
    int exists = r->draft && fu_job_get(s->store, id, &j, NULL) == FACEFUSE_OK;
    facefuse_status st = exists ? FACEFUSE_OK : fu_job_create(s->store, id, err);
    if (st == FACEFUSE_OK)
        st = fu_job_add_step(s->store, id, step, err);
    if (st == FACEFUSE_OK && !exists)
        st = fu_job_set_meta(s->store, id, r->run, label, err);
    if (st == FACEFUSE_OK && !r->draft)
        st = fu_job_submit(s->store, id, err);
    if (st != FACEFUSE_OK && !exists)
        fu_job_delete(s->store, id, NULL);
    return st;
}

/* A step output name not used by any step of job id yet: "ID.ext" for a
 * job's first step, else "ID-K.ext" with K from the step count up (steps
 * removed and inserted keep their names: two steps never share an output,
 * which the runner would join). */
static void step_output_name(fu_server *s, const char *id, const char *ext, char *out, size_t size)
{
    fu_job_step *steps = NULL;
    int n = 0;
    if (fu_job_steps(s->store, id, &steps, &n, NULL) != FACEFUSE_OK)
        n = 0;
    for (int k = n;; k++) {
        char have[PATH_MAX];
        int found = 0, used = 0;
        if (k == 0)
            snprintf(out, size, "%.3800s/outputs/%s.%s", s->ws.root, id, ext);
        else
            snprintf(out, size, "%.3800s/outputs/%s-%d.%s", s->ws.root, id, k, ext);
        for (int i = 0; i < n && !used; i++)
            used = fu_job_args_first(steps[i].args, FU_ARG_OUTPUT_PATH, have, sizeof have, &found, NULL) ==
                       FACEFUSE_OK && found && !strcmp(have, out);
        if (!used)
            break;
    }
    fu_job_steps_free(steps, n);
}

int fu_api_step_from_body(fu_server *s, json_t *body, const char *id, char **step_json, char *label,
                          size_t label_size, unsigned *status, char *why, size_t why_size)
{
    char ext[16], output[PATH_MAX + 64];
    const char *kind, *name = NULL;
    fu_err err;
    *step_json = NULL;
    json_t *args = fu_api_request_args(s, body, &kind, status, why, why_size);
    if (!args)
        return -1;
    *status = MHD_HTTP_BAD_REQUEST;
    json_t *out_v = json_object_get(body, "output");
    if (out_v && !json_is_null(out_v) && !(name = json_string_value(out_v))) {
        snprintf(why, why_size, "\"output\" must be a file name such as \"result.mp4\"");
        json_decref(args);
        return -1;
    }
    const char *tp = json_string_value(json_array_get(json_object_get(args, FU_ARG_TARGET_PATH), 0));
    if (output_ext(name, kind, tp, ext, sizeof ext, why, why_size) != 0) {
        json_decref(args);
        return -1;
    }
    json_t *report = json_object_get(body, "report");
    if (report && !json_is_boolean(report)) {
        snprintf(why, why_size, "\"report\" must be true or false (a quality report beside the output)");
        json_decref(args);
        return -1;
    }
    step_output_name(s, id, ext, output, sizeof output);
    json_object_set_new(args, FU_ARG_OUTPUT_PATH, json_pack("[s]", output));
    if (json_is_true(report)) { /* <output without extension>.report.html, in the workspace */
        char path[PATH_MAX + 80];
        snprintf(path, sizeof path, "%.*s.report.html", (int)(strlen(output) - strlen(ext) - 1), output);
        json_object_set_new(args, "--quality-report", json_pack("[s]", path));
    }
    label_of(name, id, ext, label, label_size);
    facefuse_status st = fu_api_validate(s, args, step_json, &err);
    json_decref(args);
    if (st == FACEFUSE_OK && !*step_json)
        st = fu_fail(&err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    if (st != FACEFUSE_OK) {
        *status = fu_http_status_of(err.code);
        snprintf(why, why_size, "%s", err.msg);
        return -1;
    }
    return 0;
}

static enum MHD_Result create_job(fu_server *s, struct MHD_Connection *c, fu_request *req)
{
    char why[FU_ERRMSG_MAX], id[FU_JOB_ID_MAX], label[128];
    unsigned status = MHD_HTTP_BAD_REQUEST;
    job_request jr;
    json_error_t je;
    fu_err err;
    json_t *body = req->data ? json_loadb(req->data, req->size, JSON_REJECT_DUPLICATES, &je) : NULL;
    if (!body)
        return fu_http_error(c, MHD_HTTP_BAD_REQUEST, "the body is not valid JSON%s%s", req->data ? ": " : " (empty)",
                             req->data ? je.text : "");
    if (!json_is_object(body) || parse_job_request(body, &jr, why, sizeof why) != 0) {
        if (!json_is_object(body))
            snprintf(why, sizeof why, "the body must be a JSON object");
        json_decref(body);
        return fu_http_error(c, MHD_HTTP_BAD_REQUEST, "%s", why);
    }
    if (job_for(&jr, id, &err) != FACEFUSE_OK) {
        json_decref(body);
        return fu_http_fail(c, &err);
    }
    char *text = NULL;
    int bad = fu_api_step_from_body(s, body, id, &text, label, sizeof label, &status, why, sizeof why);
    json_decref(body);
    if (bad)
        return fu_http_error(c, status, "%s", why);
    facefuse_status st = file_step(s, &jr, id, text, label, &err);
    free(text);
    if (st != FACEFUSE_OK)
        return fu_http_error(c, err.code == FACEFUSE_ERR_INVALID_ARGUMENT ? MHD_HTTP_CONFLICT
                                                                           : fu_http_status_of(err.code),
                             "%s", err.msg);
    if (jr.run)
        fu_workers_wake(s);
    fu_job_info j;
    if (fu_job_get(s->store, id, &j, &err) != FACEFUSE_OK)
        return fu_http_fail(c, &err);
    return fu_http_json(c, MHD_HTTP_CREATED, fu_api_job_json(s, &j));
}

/* ------------------------------------------------------------ the rest */

static enum MHD_Result list_jobs(fu_server *s, struct MHD_Connection *c)
{
    fu_job_info *jobs;
    int n;
    fu_err err;
    if (fu_job_list(s->store, -1, &jobs, &n, &err) != FACEFUSE_OK)
        return fu_http_fail(c, &err);
    json_t *list = json_array();
    for (int i = n - 1; i >= 0; i--) /* newest first */
        json_array_append_new(list, fu_api_job_json(s, &jobs[i]));
    free(jobs);
    return fu_http_json(c, MHD_HTTP_OK, list);
}

static enum MHD_Result output(fu_server *s, struct MHD_Connection *c, const fu_job_info *j)
{
    char path[PATH_MAX];
    if (j->status != FU_JOB_COMPLETED)
        return fu_http_error(c, MHD_HTTP_CONFLICT, "job %s is %s; its output is not ready", j->id,
                             fu_job_status_name(j->status));
    job_output(s, j->id, path, sizeof path);
    if (!fu_workspace_owns_output(&s->ws, path))
        return fu_http_error(c, MHD_HTTP_NOT_FOUND,
                             "job %s wrote its output outside the UI's workspace; it is not served", j->id);
    const char *download = fu_http_arg(c, "download");
    return fu_http_file(c, path, fu_api_mime_of(path), download && strcmp(download, "0") ? j->label : NULL);
}

/* A file of at most max bytes into *data (malloc'd). 0, or -1. */
static int read_small(const char *path, size_t max, char **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    *data = NULL;
    *size = 0;
    if (!f)
        return -1;
    long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (n < 0 || (size_t)n > max || fseek(f, 0, SEEK_SET) != 0 || !(*data = malloc((size_t)n + 1)) ||
        fread(*data, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(*data);
        *data = NULL;
        return -1;
    }
    fclose(f);
    *size = (size_t)n;
    return 0;
}

/* GET /api/jobs/ID/report: the quality report (HTML) of a completed job
 * made with "report": true. */
static enum MHD_Result serve_report(fu_server *s, struct MHD_Connection *c, const fu_job_info *j)
{
    char output[PATH_MAX], path[PATH_MAX];
    if (j->status != FU_JOB_COMPLETED)
        return fu_http_error(c, MHD_HTTP_CONFLICT, "job %s is %s; its report is not ready", j->id,
                             fu_job_status_name(j->status));
    job_files(s, j->id, output, path, sizeof path);
    if (!report_served(s, path))
        return fu_http_error(c, MHD_HTTP_NOT_FOUND, "job %s has no quality report (ask for one with \"report\": true)",
                             j->id);
    size_t size = 0;
    char *data = NULL;
    if (read_small(path, REPORT_MAX_BYTES, &data, &size) != 0)
        return fu_http_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot read job %s's report", j->id);
    struct MHD_Response *r = MHD_create_response_from_buffer(size, data, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(data);
        return MHD_NO;
    }
    /* The report is one page with its own <style> and data: images, no
     * scripts: a sandboxed page that may load nothing else. */
    fu_http_security_headers(r, 0);
    MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "Content-Security-Policy", "default-src 'none'; img-src data:; "
                                                          "style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result remove_job(fu_server *s, struct MHD_Connection *c, const fu_job_info *j)
{
    char path[PATH_MAX];
    fu_err err;
    char report[PATH_MAX];
    job_files(s, j->id, path, report, sizeof path);
    int owned = fu_workspace_owns_output(&s->ws, path);
    if (fu_job_delete(s->store, j->id, &err) != FACEFUSE_OK)
        return fu_http_error(c, err.code == FACEFUSE_ERR_INVALID_ARGUMENT ? MHD_HTTP_CONFLICT
                                                                           : fu_http_status_of(err.code),
                             "%s", err.msg);
    if (owned) /* the UI's own file; a command-line job's output stays where it is */
        unlink(path);
    if (report[0] && fu_workspace_owns_output(&s->ws, report))
        unlink(report);
    return fu_http_json(c, MHD_HTTP_OK, json_pack("{s:s}", "deleted", j->id));
}

typedef enum { CHANGE_CANCEL, CHANGE_RETRY, CHANGE_RUN, CHANGE_SUBMIT } change_kind;

/* cancel: a queued or running job stops; retry: a failed or cancelled job
 * runs again; run: a queued job (one queued by job_runner's Start, or on the
 * command line) is run by the server's workers; submit: a drafted job is
 * queued (job-submit). */
static enum MHD_Result change(fu_server *s, struct MHD_Connection *c, const fu_job_info *j, change_kind kind)
{
    fu_err err;
    facefuse_status st = FACEFUSE_OK;
    int run = kind == CHANGE_RETRY || kind == CHANGE_RUN;
    if (kind == CHANGE_CANCEL)
        st = fu_job_request_cancel(s->store, j->id, &err);
    else if (kind == CHANGE_RETRY)
        st = fu_job_requeue(s->store, j->id, &err);
    else if (kind == CHANGE_SUBMIT)
        st = fu_job_submit(s->store, j->id, &err);
    else if (j->status != FU_JOB_QUEUED)
        st = fu_fail(&err, FACEFUSE_ERR_INVALID_ARGUMENT, "job %s is %s; only a queued job can be run", j->id,
                     fu_job_status_name(j->status));
    if (st == FACEFUSE_OK && run)
        st = fu_job_set_meta(s->store, j->id, 1, NULL, &err);
    if (st != FACEFUSE_OK)
        return fu_http_error(c, err.code == FACEFUSE_ERR_INVALID_ARGUMENT ? MHD_HTTP_CONFLICT
                                                                           : fu_http_status_of(err.code),
                             "%s", err.msg);
    if (run)
        fu_workers_wake(s);
    fu_job_info now;
    if (fu_job_get(s->store, j->id, &now, &err) != FACEFUSE_OK)
        return fu_http_fail(c, &err);
    return fu_http_json(c, MHD_HTTP_ACCEPTED, fu_api_job_json(s, &now));
}

enum MHD_Result fu_api_jobs(fu_server *s, struct MHD_Connection *c, const char *method, const char *id,
                            const char *action, fu_request *req)
{
    fu_job_info j;
    fu_err err;
    if (!id) {
        if (!strcmp(method, "GET"))
            return list_jobs(s, c);
        if (!strcmp(method, "POST"))
            return create_job(s, c, req);
        return fu_api_method_not_allowed(c, "GET, POST");
    }
    if (!action && !strcmp(method, "PUT")) /* job-create: the id sanitised as FaceFusion's */
        return fu_api_job_draft(s, c, id);
    if (!fu_job_id_is_valid(id))
        return fu_http_error(c, MHD_HTTP_BAD_REQUEST, "'%.60s' is not a job id (letters, digits and '-')", id);
    if (fu_job_get(s->store, id, &j, &err) != FACEFUSE_OK)
        return fu_http_fail(c, &err);
    if (!action) {
        if (!strcmp(method, "GET"))
            return fu_http_json(c, MHD_HTTP_OK, fu_api_job_json(s, &j));
        if (!strcmp(method, "DELETE"))
            return remove_job(s, c, &j);
        return fu_api_method_not_allowed(c, "GET, PUT, DELETE");
    }
    if (!strcmp(action, "events"))
        return strcmp(method, "GET") ? fu_api_method_not_allowed(c, "GET") : fu_events_respond(s, c, id);
    if (!strcmp(action, "output"))
        return strcmp(method, "GET") ? fu_api_method_not_allowed(c, "GET") : output(s, c, &j);
    if (!strcmp(action, "report"))
        return strcmp(method, "GET") ? fu_api_method_not_allowed(c, "GET") : serve_report(s, c, &j);
    static const struct {
        const char *name;
        change_kind kind;
    } changes[] = {{"cancel", CHANGE_CANCEL}, {"retry", CHANGE_RETRY}, {"run", CHANGE_RUN}, {"submit", CHANGE_SUBMIT}};
    for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++)
        if (!strcmp(action, changes[i].name))
            return strcmp(method, "POST") ? fu_api_method_not_allowed(c, "POST") : change(s, c, &j, changes[i].kind);
    return fu_http_error(c, MHD_HTTP_NOT_FOUND, "no such address");
}
