/*
 * av_log.c — FFmpeg's log callback, forwarding to fu_log (see av_log.h).
 *
 * FFmpeg's default callback writes warnings about every odd file to stderr;
 * for a library that is noise the caller cannot control. Lines keep FFmpeg's
 * "[component @ 0x...]" prefix so a debug log still says who complained.
 */
#include "media/av_log.h"

#include <pthread.h>
#include <stdarg.h>
#include <string.h>

#include <libavutil/log.h>

#include "core/log.h"

static pthread_once_t log_route_once = PTHREAD_ONCE_INIT;

static void forward_av_log(void *avcl, int level, const char *fmt, va_list vl)
{
    char line[1024];
    int print_prefix = 1;

    if (level > av_log_get_level() || !fu_log_enabled(FACEFUSE_LOG_DEBUG))
        return;
    av_log_format_line2(avcl, level, fmt, vl, line, sizeof line, &print_prefix);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    if (n > 0)
        fu_log(FACEFUSE_LOG_DEBUG, "ffmpeg: %s", line);
}

static void install_callback(void)
{
    av_log_set_callback(forward_av_log);
}

void fu_av_log_init(void)
{
    pthread_once(&log_route_once, install_callback);
}
