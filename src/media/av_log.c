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

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>

#include "core/image.h"
#include "core/log.h"

static pthread_once_t log_route_once = PTHREAD_ONCE_INIT;

#define MAX_WATCHED 64

static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static const void *watched_key[MAX_WATCHED];
static int *watched_counter[MAX_WATCHED];
static int watched_count;

/* The opaque of a codec or format context, else NULL. */
static const void *opaque_of(void *avcl)
{
    const AVClass *cls = avcl ? *(const AVClass **)avcl : NULL;
    if (cls && cls == avcodec_get_class())
        return ((AVCodecContext *)avcl)->opaque;
    if (cls && cls == avformat_get_class())
        return ((AVFormatContext *)avcl)->opaque;
    return NULL;
}

static void count_error(void *avcl)
{
    const void *key = opaque_of(avcl);
    if (!key)
        return;
    pthread_mutex_lock(&watch_lock);
    for (int i = 0; i < watched_count; i++)
        if (watched_key[i] == key)
            (*watched_counter[i])++;
    pthread_mutex_unlock(&watch_lock);
}

void fu_av_log_watch(const void *key, int *counter)
{
    fu_av_log_init();
    pthread_mutex_lock(&watch_lock);
    if (watched_count < MAX_WATCHED) {
        watched_key[watched_count] = key;
        watched_counter[watched_count] = counter;
        watched_count++;
    }
    pthread_mutex_unlock(&watch_lock);
}

void fu_av_log_unwatch(const void *key)
{
    pthread_mutex_lock(&watch_lock);
    for (int i = 0; i < watched_count; i++) {
        if (watched_key[i] == key) {
            watched_count--;
            watched_key[i] = watched_key[watched_count];
            watched_counter[i] = watched_counter[watched_count];
            i--;
        }
    }
    pthread_mutex_unlock(&watch_lock);
}

static void forward_av_log(void *avcl, int level, const char *fmt, va_list vl)
{
    char line[1024];
    int print_prefix = 1;

    if (level <= AV_LOG_ERROR)
        count_error(avcl);
    if (level > av_log_get_level() || !fu_log_enabled(FACEFUSE_LOG_DEBUG))
        return;
    av_log_format_line2(avcl, level, fmt, vl, line, sizeof line, &print_prefix);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    if (n > 0)
        fu_log(FACEFUSE_LOG_DEBUG, "ffmpeg: %s", line);
}

/* The largest single FFmpeg allocation: one frame at the image size limit
 * (4 bytes a pixel) plus room for codec padding. A hostile container that
 * claims a gigabyte-sized box then fails to open (ENOMEM, one error line)
 * instead of taking that memory. */
#define MAX_AV_ALLOC_BYTES ((size_t)FU_MAX_IMAGE_PIXELS * 4 + ((size_t)64 << 20))

static void install_callback(void)
{
    av_log_set_callback(forward_av_log);
    av_max_alloc(MAX_AV_ALLOC_BYTES);
}

void fu_av_log_init(void)
{
    pthread_once(&log_route_once, install_callback);
}
