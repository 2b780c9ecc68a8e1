/*
 * log.h — the library's log sink.
 *
 * One process-wide sink, set by facefuse_context_new from its params (the
 * last context created wins) and defaulting to stderr at INFO. Messages are
 * single lines; the sink adds the newline.
 */
#ifndef FU_LOG_H
#define FU_LOG_H

#include "facefuse.h"

void fu_log_set(facefuse_log_level level, facefuse_log_callback cb, void *user_data);
void fu_log(facefuse_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int fu_log_enabled(facefuse_log_level level);
/* A second sink beside the context's: every line that passes the level also
 * goes to tap (the web UI's terminal panel keeps them). One tap per process;
 * fu_log_set keeps it. fu_log_clear_tap removes it only if user_data is the
 * tap's (a later tap stays). */
void fu_log_set_tap(facefuse_log_callback tap, void *user_data);
void fu_log_clear_tap(void *user_data);
/* The level alone (the sink stays), and the level in force. */
void fu_log_set_level(facefuse_log_level level);
facefuse_log_level fu_log_level(void);
/* While on (non-zero), this thread logs nothing: for dry runs (a writer
 * opened only to check it can be) whose messages the real run will give. */
void fu_log_quiet(int on);

#define fu_warn(...) fu_log(FACEFUSE_LOG_WARN, __VA_ARGS__)
#define fu_info(...) fu_log(FACEFUSE_LOG_INFO, __VA_ARGS__)
#define fu_debug(...) fu_log(FACEFUSE_LOG_DEBUG, __VA_ARGS__)

#endif
