/*
 * av_log.h — route FFmpeg's own log lines to fu_log instead of stderr.
 *
 * av_log_set_callback is process-wide, so it is installed once (pthread_once)
 * by whichever media code runs first; every line FFmpeg prints then arrives
 * at fu_log at debug level, where a user who asks for debug output sees it.
 */
#ifndef FU_AV_LOG_H
#define FU_AV_LOG_H

/* Installs the callback; idempotent and thread-safe. */
void fu_av_log_init(void);

#endif
