/*
 * run_check.h — what a run checks before any work is done.
 *
 * Inputs (target, sources, an audio source) must be regular files that
 * exist and can be read: a missing file, a directory, a symlink loop, a FIFO
 * or a device is refused up front (exit 2), never read, blocked on or
 * discovered after minutes of processing. The output must not be one of the
 * inputs (compared by device and inode, so "./a.jpg", a hard link or a
 * symlink to the target are caught). And the result must fit the image size
 * limits (core/image.h) at the size the chain and the output scale make it.
 */
#ifndef FU_RUN_CHECK_H
#define FU_RUN_CHECK_H

#include "core/error.h"
#include "pipeline/config.h"

/* How many times the chain enlarges a frame (the frame enhancer's scale; 1
 * when there is none). */
int fu_run_frame_scale(const fu_run_config *cfg);

/* The target and every source pass fu_input_check, and output (the resolved
 * output path, which may not exist yet) is none of them. */
facefuse_status fu_run_check_inputs(const fu_run_config *cfg, const char *output, fu_err *err);

/* FACEFUSE_ERR_INVALID_ARGUMENT naming the paths when output is the same
 * file as one of the n inputs. */
facefuse_status fu_check_not_an_input(const char *output, const char *const *inputs, int n, fu_err *err);

/* The image result of a width × height target (after the chain and
 * --output-image-scale) is within the size limits. */
facefuse_status fu_run_check_image_size(const fu_run_config *cfg, int width, int height, fu_err *err);

#endif
