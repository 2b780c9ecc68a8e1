/*
 * job_id.h — FaceFusion's job ids and step output names (its sanitizer.py
 * and jobs/job_helper.py).
 *
 * A job id made only of letters, digits and '-' is kept as given; any other
 * id becomes the SHA-1 hex digest of its text, so an id is always safe in a
 * file name. A step writes "<dir>/<name>-<job id>-<step index><.ext>" beside
 * the output it contributes to; the runner joins those into the output when
 * every step succeeded.
 */
#ifndef FU_JOB_ID_H
#define FU_JOB_ID_H

#include <stddef.h>

#include "core/error.h"

#define FU_JOB_ID_MAX 129   /* 128 characters and the terminator */

/* The sanitised id of raw into out (FU_JOB_ID_MAX bytes). FaceFusion keeps any
 * id whose characters other than '-' are alphanumeric; here that means ASCII
 * letters and digits, and an id longer than 128 characters is hashed too.
 * An empty id is FACEFUSE_ERR_INVALID_ARGUMENT. */
facefuse_status fu_job_id_sanitize(const char *raw, char *out, fu_err *err);

/* 1 if id is what fu_job_id_sanitize returns for some input (non-empty,
 * letters, digits and '-', at most 128 characters). */
int fu_job_id_is_valid(const char *id);

/* The path step step_index of job_id writes for output_path (job_helper's
 * get_step_output_path). FACEFUSE_ERR_INVALID_ARGUMENT when output_path has
 * no file name or no extension, or the result does not fit. */
facefuse_status fu_job_step_output_path(const char *job_id, int step_index, const char *output_path,
                                        char *out, size_t size, fu_err *err);

/* "<prefix>-YYYY-MM-DD-HH-MM-SS" in local time (job_helper's suggest_job_id). */
void fu_job_suggest_id(const char *prefix, char *out, size_t size);

#endif
