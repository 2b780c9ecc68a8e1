/*
 * api_log.c — /api/log: FaceFusion's terminal component. GET gives the
 * server's recent log lines (log_ring.h; ?after=N for the lines after the
 * last one seen) and a progress line per running job (frames, percent,
 * frames/s, as FaceFusion's terminal shows tqdm's bars); PUT {"level": ...}
 * sets the log level (FaceFusion's --log-level choices).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "server/api.h"
#include "server/log_ring.h"

static const char *const levels[] = {"error", "warn", "info", "debug"};

static json_t *progress_lines(fu_server *s)
{
    fu_job_info *jobs;
    int n;
    json_t *list = json_array();
    if (fu_job_list(s->store, FU_JOB_RUNNING, &jobs, &n, NULL) != FACEFUSE_OK)
        return list;
    for (int i = 0; i < n; i++) {
        char line[FU_JOB_ID_MAX + 128];
        int len = snprintf(line, sizeof line, "job %s: %d%%", jobs[i].id, (int)(jobs[i].progress * 100));
        if (jobs[i].frames_total > 0 && len > 0 && (size_t)len < sizeof line)
            len += snprintf(line + len, sizeof line - (size_t)len, " (%lld/%lld)", (long long)jobs[i].frames_done,
                            (long long)jobs[i].frames_total);
        if (jobs[i].fps > 0 && len > 0 && (size_t)len < sizeof line)
            snprintf(line + len, sizeof line - (size_t)len, " %.1f frames/s", jobs[i].fps);
        json_array_append_new(list, json_string(line));
    }
    free(jobs);
    return list;
}

static enum MHD_Result get_log(fu_server *s, struct MHD_Connection *c)
{
    const char *a = fu_http_arg(c, "after");
    unsigned long long after = 0;
    if (a) {
        char *end;
        errno = 0;
        after = strtoull(a, &end, 10);
        if (!*a || *end || errno || a[0] == '-')
            return fu_http_error(c, MHD_HTTP_BAD_REQUEST, "after=%.40s is not a line number", a);
    }
    uint64_t last;
    json_t *lines = fu_log_ring_json(s->log, after, &last);
    return fu_http_json(c, MHD_HTTP_OK,
                        json_pack("{s:o,s:I,s:s,s:o}", "lines", lines, "last", (json_int_t)last, "level",
                                  levels[fu_log_level()], "progress", progress_lines(s)));
}

static enum MHD_Result set_level(fu_server *s, struct MHD_Connection *c, fu_request *req)
{
    (void)s;
    json_t *body = req->data ? json_loadb(req->data, req->size, JSON_REJECT_DUPLICATES, NULL) : NULL;
    const char *name = json_string_value(json_object_get(body, "level"));
    int level = -1;
    for (int i = 0; name && i < 4; i++)
        if (!strcmp(name, levels[i]))
            level = i;
    json_decref(body);
    if (level < 0)
        return fu_http_error(c, MHD_HTTP_BAD_REQUEST, "the body must be {\"level\": L} with L error, warn, info "
                                                      "or debug (--log-level)");
    fu_log_set_level((facefuse_log_level)level);
    fu_info("log level %s", levels[level]);
    return fu_http_json(c, MHD_HTTP_OK, json_pack("{s:s}", "level", levels[level]));
}

enum MHD_Result fu_api_log(fu_server *s, struct MHD_Connection *c, const char *method, fu_request *req)
{
    if (!strcmp(method, "GET"))
        return get_log(s, c);
    if (!strcmp(method, "PUT"))
        return set_level(s, c, req);
    return fu_api_method_not_allowed(c, "GET, PUT");
}
