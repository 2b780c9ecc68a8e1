/*
 * video_join.h — joins videos one after another without re-encoding, as
 * FaceFusion's concat_video (ffmpeg's concat demuxer with stream copy) does
 * when a job's steps write parts of one output.
 */
#ifndef FU_VIDEO_JOIN_H
#define FU_VIDEO_JOIN_H

#include "core/error.h"

/* Writes inputs[0..count) end to end into output_path (container from its
 * extension; +faststart for mp4/mov) through fu_output, so output_path
 * appears only when complete. The inputs must have the same streams (codec
 * and order): FACEFUSE_ERR_INVALID_ARGUMENT names the first that differs. */
facefuse_status fu_video_join(const char *output_path, const char *const *inputs, int count, fu_err *err);

#endif
