/*
 * job_args.h — a step's option values as JSON text.
 *
 * A step is described by a map from option name to its words, e.g.
 *   {"--source-paths": ["a photo.jpg", "b.jpg"], "--target-path": ["clip.mp4"],
 *    "--face-swapper-model": ["inswapper_128"], "--face-swapper-weight": ["0.5"]}
 * written and read through the option tables by job_step.h. The job store
 * keeps this text as it is; only the runner and remix-step read the three
 * path options below.
 */
#ifndef FU_JOB_ARGS_H
#define FU_JOB_ARGS_H

#include <stddef.h>

#include "core/error.h"

#define FU_ARG_SOURCE_PATHS "--source-paths"
#define FU_ARG_TARGET_PATH "--target-path"
#define FU_ARG_OUTPUT_PATH "--output-path"

/* FACEFUSE_ERR_INVALID_ARGUMENT unless json is an object whose keys start
 * with "--" and whose values are arrays of strings; the message says where. */
facefuse_status fu_job_args_check(const char *json, fu_err *err);

/* The first word of option name into out ("" and *found = 0 when the option
 * is absent or has no words). */
facefuse_status fu_job_args_first(const char *json, const char *name, char *out, size_t size, int *found,
                                  fu_err *err);

/* A copy of json (malloc'd, *out) with option name set to words[0..count). */
facefuse_status fu_job_args_set(const char *json, const char *name, const char *const *words, int count,
                                char **out, fu_err *err);

#endif
