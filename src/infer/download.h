/*
 * download.h — fetching one URL into one file with libcurl.
 *
 * Transfers follow redirects, fail on HTTP status >= 400, give up on a
 * connection after 10 s and on a stalled transfer after 30 s below 1 byte/s,
 * and resume a partial file with a range request. They never retry by
 * themselves: the caller decides whether another URL is worth trying, so an
 * offline machine fails in milliseconds rather than minutes. Works with
 * http(s):// and file:// URLs alike.
 */
#ifndef FU_DOWNLOAD_H
#define FU_DOWNLOAD_H

#include <stdint.h>

#include "core/error.h"
#include "infer/registry.h"

/* Appends the bytes of `url` to `part_path`, resuming from its current size
 * when resume is non-zero (else truncating it first). `label` names the
 * transfer for the progress callback (which may be NULL; it is called at most
 * ten times a second plus once at the end). On failure the partial file is
 * left in place and err says which URL failed and why; *http_code receives
 * the last HTTP status (0 when none, may be NULL). A server that cannot
 * resume makes *resume_refused 1 (may be NULL), so the caller can start over. */
facefuse_status fu_download_append(const char *url, const char *part_path, int resume,
                                   const char *label, fu_progress_fn progress, void *ud,
                                   int *resume_refused, fu_err *err);

/* Downloads `url` to `dest_path`: into "<dest_path>.download" (resumed when it
 * exists), renamed to dest_path only when the transfer is complete. On
 * failure FACEFUSE_ERR_DOWNLOAD naming the URL; the .download is kept for a
 * later resume. */
facefuse_status fu_download_file(const char *url, const char *dest_path, fu_progress_fn progress,
                                 void *ud, fu_err *err);

/* A progress callback drawing "file [#####     ] 45% 12.3/27.0 MB 3.1 MB/s"
 * on stderr with \r, only when stderr is a terminal; ends the line when the
 * transfer completes. ud is unused. */
void fu_progress_bar(const char *file, int64_t done, int64_t total, void *ud);

#endif
