/*
 * encoders.h — FaceFusion's encoder names, container fixes and the mapping
 * of its 0–100 quality and preset options onto FFmpeg encoder options.
 *
 * Kept apart from the writer so the mappings are pure functions a test can
 * check against FaceFusion's formulas.
 */
#ifndef FU_ENCODERS_H
#define FU_ENCODERS_H

#include "core/error.h"

struct AVCodecContext;

/* 1 if name is one of the video encoders facefuse knows. */
int fu_video_encoder_known(const char *name);

/* The encoder FaceFusion would actually use for this output extension
 * ("webm" + libx264 → "libvpx-vp9", "mp4" + rawvideo → "libx264", ...). */
const char *fu_video_encoder_for_container(const char *encoder, const char *ext);
const char *fu_audio_encoder_for_container(const char *encoder, const char *ext);

/* FaceFusion's quality mappings. */
int fu_video_crf(const char *encoder, int quality); /* x26x, nvenc, qsv: 51 scale; vp9: 63 */
const char *fu_video_preset(const char *encoder, const char *preset);

/* The encoder's pixel format (an AVPixelFormat) for frames with `channels` channels in a
 * container with extension ext. */
int fu_video_encoder_pix_fmt(const char *encoder, int channels, const char *ext);
/* 1 when that pixel format is RGB (no colour matrix). */
int fu_pix_fmt_is_rgb(int pix_fmt);
/* 1 when the pixel format has an alpha plane. */
int fu_pix_fmt_has_alpha(int pix_fmt);

/* Sets preset/quality options on an encoder context before avcodec_open2. */
facefuse_status fu_video_encoder_configure(struct AVCodecContext *enc, const char *encoder,
                                           const char *preset, int quality, fu_err *err);
void fu_audio_encoder_configure(struct AVCodecContext *enc, const char *encoder, int quality);

#endif
