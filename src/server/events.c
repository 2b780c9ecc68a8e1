/*
 * events.c — GET /api/jobs/ID/events: the job's state as server-sent events.
 *
 * One event (an unnamed "data:" line with the job's JSON, as GET
 * /api/jobs/ID gives) whenever the job changes, the last one when it ends
 * (completed, failed, cancelled), then the stream closes. Changes made by this
 * process wake the stream at once; changes by other processes (a
 * `facefuse job-run`) are seen within 250 ms. A comment line every few
 * seconds keeps an idle stream from the connection timeout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "server/server_internal.h"

#define BLOCK 8192

typedef struct stream {
    fu_server *s;
    char id[FU_JOB_ID_MAX];
    uint64_t seen;
    char *last;                 /* the last data sent */
    int done;
    int64_t last_send_ns;
    int64_t keepalive_ns;
} stream;

static int terminal(fu_job_status st)
{
    return st == FU_JOB_COMPLETED || st == FU_JOB_FAILED || st == FU_JOB_CANCELLED;
}

static ssize_t send_text(stream *e, char *buf, size_t max, const char *text)
{
    size_t n = strlen(text);
    if (n > max)
        n = max; /* never: the block is far larger than a job's JSON */
    memcpy(buf, text, n);
    e->last_send_ns = fu_now_ns();
    return (ssize_t)n;
}

static ssize_t read_events(void *cls, uint64_t pos, char *buf, size_t max)
{
    stream *e = cls;
    char line[BLOCK];
    (void)pos;
    if (e->done)
        return MHD_CONTENT_READER_END_OF_STREAM;
    while (!e->s->stopping) {
        fu_job_info j;
        if (fu_job_get(e->s->store, e->id, &j, NULL) != FACEFUSE_OK) {
            e->done = 1;
            snprintf(line, sizeof line, "event: gone\ndata: {\"id\":\"%s\",\"status\":\"deleted\"}\n\n", e->id);
            return send_text(e, buf, max, line);
        }
        json_t *o = fu_api_job_json(e->s, &j);
        char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
        json_decref(o);
        if (text && (!e->last || strcmp(text, e->last) != 0)) {
            snprintf(line, sizeof line, "data: %s\n\n", text);
            free(e->last);
            e->last = text;
            e->done = terminal(j.status);
            return send_text(e, buf, max, line);
        }
        free(text);
        if (fu_now_ns() - e->last_send_ns > e->keepalive_ns)
            return send_text(e, buf, max, ": keep-alive\n\n");
        fu_job_store_wait(e->s->store, &e->seen, 250);
    }
    return MHD_CONTENT_READER_END_OF_STREAM;
}

static void free_stream(void *cls)
{
    stream *e = cls;
    free(e->last);
    free(e);
}

enum MHD_Result fu_events_respond(fu_server *s, struct MHD_Connection *c, const char *job_id)
{
    stream *e = calloc(1, sizeof *e);
    if (!e)
        return MHD_NO;
    e->s = s;
    snprintf(e->id, sizeof e->id, "%s", job_id);
    e->seen = fu_job_store_version(s->store);
    e->last_send_ns = fu_now_ns();
    int keepalive_s = s->settings.timeout_s / 2 < 10 ? s->settings.timeout_s / 2 : 10;
    e->keepalive_ns = (int64_t)(keepalive_s > 0 ? keepalive_s : 1) * 1000000000LL;
    struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, BLOCK, read_events, e, free_stream);
    if (!r) {
        free_stream(e);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "text/event-stream");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Accel-Buffering", "no");
    fu_http_security_headers(r, 0);
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}
