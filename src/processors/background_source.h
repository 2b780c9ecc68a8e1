/*
 * background_source.h — the picture that replaces a removed background:
 * a still image, or a video looped to the target's length, scaled to cover
 * the frame (the smallest scale at which it fills the frame, centred, the
 * overflow cropped) as an editor's "fill" does.
 *
 * A video is decoded forward and its scaled frames kept in a small cache,
 * so frames asked for roughly in order (as parallel video workers do) are
 * decoded once; a frame behind the cache is reached by a seek. Frame n of
 * the background is the one at the target frame's time t, floor(t·fps),
 * modulo the background's frame count, which is learnt when its end is
 * first reached. Safe to use from several threads at once.
 */
#ifndef FU_BACKGROUND_SOURCE_H
#define FU_BACKGROUND_SOURCE_H

#include "core/error.h"

typedef struct fu_background_source fu_background_source;

/* Opens path as a still image (is_video 0) or a video (1). Errors name the
 * path: FACEFUSE_ERR_NOT_FOUND, FACEFUSE_ERR_DECODE, FACEFUSE_ERR_IO. */
facefuse_status fu_background_source_open(const char *path, int is_video, fu_background_source **out,
                                          fu_err *err);
void fu_background_source_close(fu_background_source *b);

/* The background for the target frame at time_s (ignored for an image),
 * covering w × h: out is (re)allocated as w × h RGB. */
facefuse_status fu_background_source_frame(fu_background_source *b, double time_s, int w, int h,
                                           facefuse_image *out, fu_err *err);

/* Frames decoded so far (for tests: a looped video decodes each frame once). */
long fu_background_source_decoded(const fu_background_source *b);

/* Scales src to cover w × h and crops the centre: dst is allocated w × h
 * with src's channels. */
facefuse_status fu_cover(const facefuse_image *src, int w, int h, facefuse_image *dst, fu_err *err);

#endif
