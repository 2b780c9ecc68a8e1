/*
 * log_ring.h — the server's recent log lines, for the page's terminal panel
 * (FaceFusion's terminal component): a fixed ring of the last
 * FU_LOG_RING_LINES lines, each at most FU_LOG_RING_LINE_MAX bytes, so
 * memory stays bounded however much is logged. Lines are numbered from 1; a
 * reader asks for those after the last number it saw. Control characters
 * are stored escaped (\n, \t, \xNN) so a line is always one line of text.
 * Thread-safe. The server registers fu_log_ring_tap as core/log.h's tap.
 */
#ifndef FU_LOG_RING_H
#define FU_LOG_RING_H

#include <stdint.h>

#include <jansson.h>

#include "facefuse.h"

#define FU_LOG_RING_LINES 400
#define FU_LOG_RING_LINE_MAX 512

typedef struct fu_log_ring fu_log_ring;

fu_log_ring *fu_log_ring_new(void);
void fu_log_ring_free(fu_log_ring *r);
void fu_log_ring_push(fu_log_ring *r, facefuse_log_level level, const char *text);
/* A facefuse_log_callback (user_data = the ring). */
void fu_log_ring_tap(facefuse_log_level level, const char *message, void *user_data);
/* The lines numbered after `after` still in the ring, oldest first, as
 * [{"seq": n, "level": "info", "text": "..."}]; *last receives the newest
 * number (0 when nothing was logged yet). */
json_t *fu_log_ring_json(fu_log_ring *r, uint64_t after, uint64_t *last);

#endif
