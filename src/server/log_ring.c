/*
 * log_ring.c — a bounded ring of recent log lines (see log_ring.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/log_ring.h"

typedef struct ring_line {
    uint64_t seq;
    facefuse_log_level level;
    char text[FU_LOG_RING_LINE_MAX];
} ring_line;

struct fu_log_ring {
    pthread_mutex_t lock;
    uint64_t last;              /* the newest line's number */
    ring_line lines[FU_LOG_RING_LINES];
};

fu_log_ring *fu_log_ring_new(void)
{
    fu_log_ring *r = calloc(1, sizeof *r);
    if (r)
        pthread_mutex_init(&r->lock, NULL);
    return r;
}

void fu_log_ring_free(fu_log_ring *r)
{
    if (!r)
        return;
    pthread_mutex_destroy(&r->lock);
    free(r);
}

/* text into out with control characters (and DEL) escaped, cut to fit. */
static void escape(char *out, size_t size, const char *text)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        char esc[8];
        if (*p == '\n')
            snprintf(esc, sizeof esc, "\\n");
        else if (*p == '\t')
            snprintf(esc, sizeof esc, "\\t");
        else if (*p < 0x20 || *p == 0x7f)
            snprintf(esc, sizeof esc, "\\x%02x", *p);
        else
            esc[0] = (char)*p, esc[1] = '\0';
        size_t len = strlen(esc);
        if (n + len + 1 > size)
            break;
        memcpy(out + n, esc, len);
        n += len;
    }
    out[n] = '\0';
}

void fu_log_ring_push(fu_log_ring *r, facefuse_log_level level, const char *text)
{
    pthread_mutex_lock(&r->lock);
    r->last++;
    ring_line *l = &r->lines[r->last % FU_LOG_RING_LINES];
    l->seq = r->last;
    l->level = level;
    escape(l->text, sizeof l->text, text ? text : "");
    pthread_mutex_unlock(&r->lock);
}

void fu_log_ring_tap(facefuse_log_level level, const char *message, void *user_data)
{
    fu_log_ring_push(user_data, level, message);
}

json_t *fu_log_ring_json(fu_log_ring *r, uint64_t after, uint64_t *last)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    json_t *list = json_array();
    pthread_mutex_lock(&r->lock);
    uint64_t first = r->last > FU_LOG_RING_LINES ? r->last - FU_LOG_RING_LINES + 1 : 1;
    if (after + 1 > first)
        first = after + 1;
    for (uint64_t seq = first; seq <= r->last; seq++) {
        const ring_line *l = &r->lines[seq % FU_LOG_RING_LINES];
        json_t *text = json_string(l->text);
        if (!text) /* not UTF-8 */
            text = json_string("(a line that is not UTF-8 text)");
        json_array_append_new(list, json_pack("{s:I,s:s,s:o}", "seq", (json_int_t)l->seq, "level",
                                              names[l->level <= FACEFUSE_LOG_DEBUG ? l->level : 0], "text", text));
    }
    *last = r->last;
    pthread_mutex_unlock(&r->lock);
    return list;
}
