/*
 * file.h — output files that never appear half-written, and path helpers.
 *
 * Every file facefuse writes for the user goes through fu_output: the data is
 * written to "<final path>.partial-XXXXXX" in the same directory (so the final
 * rename is atomic on one file system), and only fu_output_commit renames it
 * to the final name. Open partial files are kept in a process-wide list so
 * that a signal handler can remove them (fu_output_remove_all_partial, which
 * is async-signal-safe). While a run owns a partial file it holds an flock on
 * it, so a partial that nobody locks was left by a run that died (kill -9, a
 * power cut): fu_output_begin removes those of the same output, and names them.
 *
 * Inputs are checked with fu_input_check before any work: a FIFO, a device or
 * a directory given as a file would block, spin or fail late, so only regular
 * files pass; fu_open_regular opens one without ever blocking on a FIFO.
 */
#ifndef FU_FILE_H
#define FU_FILE_H

#include <limits.h>

#include "core/error.h"

typedef struct fu_output {
    char final_path[PATH_MAX];
    char temp_path[PATH_MAX];
    int slot;                 /* index in the partial-file list, -1 when none */
    int lock_fd;              /* holds an flock on the temp file while it is ours, -1 when none */
} fu_output;

/* Checks, without creating anything, that final_path could be written: its
 * directory exists and is writable, and it is new or a regular file (never a
 * directory, and never a device, FIFO or socket the rename would replace). */
facefuse_status fu_output_check(const char *final_path, fu_err *err);
/* Checks that the directory of final_path exists and is writable, removes
 * partial files of final_path that no live run holds (logging each), creates
 * an empty temp file beside it, locks and records it. */
facefuse_status fu_output_begin(fu_output *out, const char *final_path, fu_err *err);
/* Renames the temp file to the final name. On failure the temp file is removed. */
facefuse_status fu_output_commit(fu_output *out, fu_err *err);
/* Removes the temp file (if any). Safe to call twice or after commit. */
void fu_output_abort(fu_output *out);
/* Unlinks every partial file still open. Async-signal-safe. */
void fu_output_remove_all_partial(void);
/* Records another file to remove if the process is stopped by a signal (a
 * model's .download); returns its slot for fu_partial_untrack, -1 if full. */
int fu_partial_track(const char *path);
void fu_partial_untrack(int slot);

/* Checks, before any work, that path is an input facefuse can read: it
 * exists (FACEFUSE_ERR_NOT_FOUND), resolves (a symlink loop), is a regular
 * file (not a directory, FIFO, socket or device) and is readable
 * (FACEFUSE_ERR_INVALID_ARGUMENT). `what` names it in the message ("source",
 * "target", "config file"). */
facefuse_status fu_input_check(const char *path, const char *what, fu_err *err);
/* open(path, flags) that refuses, without blocking, anything but a regular
 * file. Returns the descriptor, or -1 with err set (as fu_input_check). */
int fu_open_regular(const char *path, int flags, const char *what, fu_err *err);
/* 1 when a and b name the same existing file (device and inode), whatever
 * the spelling: links, "./", symlinks. */
int fu_same_file(const char *a, const char *b);

/* Removes the partial files of final_path that a killed process left
 * behind: those not written for older_than_s seconds (a live writer
 * touches its file with every frame). Returns how many were removed. */
int fu_output_remove_stale(const char *final_path, int older_than_s);

/* The extension of path without the dot, lowercased into buf ("" if none). */
const char *fu_path_extension(const char *path, char *buf, size_t size);
/* The file name without directory and extension, into buf. */
const char *fu_path_stem(const char *path, char *buf, size_t size);
/* 1 if path's extension is an audio file's (a source replacing the soundtrack). */
int fu_path_is_audio(const char *path);
/* The first of paths[0..n) that fu_path_is_audio, or NULL: the audio among
 * a run's sources (FaceFusion's filter_audio_paths(...)[0]), which is both
 * the output's soundtrack and the lip syncer's voice. */
const char *fu_first_audio_path(const char *const *paths, int n);
/* 1 if path names an existing regular file. */
int fu_file_exists(const char *path);
/* mkdir -p; returns FACEFUSE_OK when it exists afterwards. */
facefuse_status fu_mkdirs(const char *path, fu_err *err);

#endif
