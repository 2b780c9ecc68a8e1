/*
 * log.c — process-wide log sink (see log.h).
 */
#include "core/log.h"

#include "core/error.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static facefuse_log_level log_level = FACEFUSE_LOG_INFO;
static facefuse_log_callback log_cb;
static void *log_ud;
static facefuse_log_callback log_tap;
static void *log_tap_ud;
static _Thread_local int log_quiet;

void fu_log_quiet(int on)
{
    log_quiet = on;
}

void fu_log_set(facefuse_log_level level, facefuse_log_callback cb, void *user_data)
{
    pthread_mutex_lock(&log_lock);
    log_level = level;
    log_cb = cb;
    log_ud = user_data;
    pthread_mutex_unlock(&log_lock);
}

void fu_log_set_tap(facefuse_log_callback tap, void *user_data)
{
    pthread_mutex_lock(&log_lock);
    log_tap = tap;
    log_tap_ud = user_data;
    pthread_mutex_unlock(&log_lock);
}

void fu_log_clear_tap(void *user_data)
{
    pthread_mutex_lock(&log_lock);
    if (log_tap_ud == user_data) {
        log_tap = NULL;
        log_tap_ud = NULL;
    }
    pthread_mutex_unlock(&log_lock);
}

void fu_log_set_level(facefuse_log_level level)
{
    pthread_mutex_lock(&log_lock);
    log_level = level;
    pthread_mutex_unlock(&log_lock);
}

facefuse_log_level fu_log_level(void)
{
    return log_level;
}

int fu_log_enabled(facefuse_log_level level)
{
    return level <= log_level;
}

void fu_log(facefuse_log_level level, const char *fmt, ...)
{
    static const char *names[] = {"error", "warning", "info", "debug"};
    char raw[2048], line[2048];
    va_list ap;

    if (level > log_level || log_quiet)
        return;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    fu_one_line(line, sizeof line, raw); /* one line, control characters escaped */
    pthread_mutex_lock(&log_lock);
    if (log_cb)
        log_cb(level, line, log_ud);
    else
        fprintf(stderr, "facefuse: %s: %s\n", names[level], line);
    if (log_tap)
        log_tap(level, line, log_tap_ud);
    pthread_mutex_unlock(&log_lock);
}
