/*
 * test_av_log_routes_to_fu_log.c — after fu_av_log_init, FFmpeg's log lines
 * reach our log sink at debug level (one line, no newline, "ffmpeg:" and
 * FFmpeg's own text), and nothing arrives when the sink is above debug.
 */
#include <string.h>

#include <libavutil/log.h>

#include "core/log.h"
#include "media/av_log.h"
#include "testlib.h"

static int lines;
static facefuse_log_level last_level;
static char last[1024];

static void capture(facefuse_log_level level, const char *message, void *user_data)
{
    lines++;
    last_level = level;
    snprintf(last, sizeof last, "%s", message);
}

static void test_ffmpeg_errors_arrive_as_debug_lines(void)
{
    fu_log_set(FACEFUSE_LOG_DEBUG, capture, NULL);
    fu_av_log_init();
    fu_av_log_init(); /* idempotent */
    lines = 0;
    av_log(NULL, AV_LOG_ERROR, "decoder said %d\n", 42);
    CHECK(lines == 1, "%d lines arrived", lines);
    CHECK(last_level == FACEFUSE_LOG_DEBUG, "level %d", last_level);
    CHECK(strstr(last, "ffmpeg: ") == last && strstr(last, "decoder said 42"), "line: %s", last);
    CHECK(strchr(last, '\n') == NULL, "newline kept: %s", last);
}

static void test_nothing_arrives_above_debug(void)
{
    fu_log_set(FACEFUSE_LOG_INFO, capture, NULL);
    fu_av_log_init();
    lines = 0;
    av_log(NULL, AV_LOG_ERROR, "should stay quiet\n");
    CHECK(lines == 0, "%d lines arrived at INFO: %s", lines, last);
    fu_log_set(FACEFUSE_LOG_INFO, NULL, NULL);
}

int main(void)
{
    RUN(test_ffmpeg_errors_arrive_as_debug_lines);
    RUN(test_nothing_arrives_above_debug);
    return tl_finish();
}
