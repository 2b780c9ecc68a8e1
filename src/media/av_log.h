/*
 * av_log.h — route FFmpeg's own log lines to fu_log instead of stderr.
 *
 * av_log_set_callback is process-wide, so it is installed once (pthread_once)
 * by whichever media code runs first; every line FFmpeg prints then arrives
 * at fu_log at debug level, where a user who asks for debug output sees it.
 */
#ifndef FU_AV_LOG_H
#define FU_AV_LOG_H

/* Installs the callback, and caps any single FFmpeg allocation at one frame
 * of the image size limit (av_max_alloc); idempotent and thread-safe. */
void fu_av_log_init(void);

/* Counts into *counter the error lines FFmpeg logs for any codec or format
 * context whose `opaque` is key (decoders run with concealment report
 * damage only this way, e.g. FFV1's "slice CRC mismatch"), whatever the log
 * level. Frame-thread copies of a decoder share its opaque, so they count
 * too. Up to 64 keys at once; unwatch before the counter goes away. */
void fu_av_log_watch(const void *key, int *counter);
void fu_av_log_unwatch(const void *key);

#endif
