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

/* The largest file a download may produce when the server announces no
 * size (FaceFusion's largest model is well under it). */
#define FU_DOWNLOAD_MAX_BYTES (4LL << 30)

typedef struct fu_transfer_opts {
    const char *label;        /* names the transfer for the progress callback */
    fu_progress_fn progress;  /* may be NULL; called at most ten times a second plus once at the end */
    void *ud;
    int64_t max_bytes;        /* the file may not grow past this; 0 = FU_DOWNLOAD_MAX_BYTES */
    volatile int *cancel;     /* may be NULL; non-zero aborts within a second */
} fu_transfer_opts;

/* Appends the bytes of `url` to `part_path`, resuming from its current size
 * when resume is non-zero (else truncating it first). The file never grows
 * past the size the server announces (Content-Length) nor past max_bytes.
 * On a network failure the partial file is left in place (for a resume) and
 * err says which URL failed and why. On a cancel (FACEFUSE_ERR_CANCELLED) or
 * a server sending more than it announced or than max_bytes
 * (FACEFUSE_ERR_DOWNLOAD) the partial file is removed. While the transfer
 * runs, part_path is registered with fu_partial_track so a second Ctrl-C
 * removes it too. A server that cannot resume makes *resume_refused 1 (may
 * be NULL), so the caller can start over. */
facefuse_status fu_download_append(const char *url, const char *part_path, int resume,
                                   const fu_transfer_opts *opts, int *resume_refused, fu_err *err);

/* Downloads `url` to `dest_path`: into "<dest_path>.download" (resumed when it
 * exists), renamed to dest_path only when the transfer is complete. On
 * failure FACEFUSE_ERR_DOWNLOAD naming the URL; the .download is kept for a
 * later resume when the network failed (see fu_download_append). */
facefuse_status fu_download_file(const char *url, const char *dest_path, fu_progress_fn progress,
                                 void *ud, fu_err *err);

/* A progress callback drawing "file [#####     ] 45% 12.3/27.0 MB 3.1 MB/s"
 * on stderr with \r, only when stderr is a terminal; ends the line when the
 * transfer completes. ud is unused. */
void fu_progress_bar(const char *file, int64_t done, int64_t total, void *ud);

#endif
