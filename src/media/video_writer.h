/*
 * video_writer.h — encodes RGB(A) frames into a video file with libavcodec
 * and muxes them (plus audio packets the caller adds) with libavformat.
 *
 * The container is chosen from the FINAL path's extension while the bytes go
 * to a temporary path (fu_output), so the caller commits the file only when
 * everything succeeded. Use: open → (add audio streams to the format
 * context) → start → write frames / packets → finish → free.
 */
#ifndef FU_VIDEO_WRITER_H
#define FU_VIDEO_WRITER_H

#include <stdint.h>

#include "core/error.h"

struct AVFormatContext;
struct AVPacket;
struct AVCodecParameters;

typedef struct fu_video_writer fu_video_writer;

typedef struct fu_video_writer_params {
    const char *final_path;       /* decides the container */
    const char *temp_path;        /* where the bytes are written */
    int width, height, channels;  /* of the frames handed to fu_video_writer_write */
    double output_scale;          /* output size = frame size × scale, even; 0 = 1 */
    const char *encoder;          /* FaceFusion name; NULL = libx264 */
    const char *preset;           /* NULL = veryfast */
    int quality;                  /* 0–100 */
    int tb_num, tb_den;           /* time base of the pts given to write */
    int fps_num, fps_den;         /* nominal frame rate (rate control, CFR muxers) */
    int color_primaries, color_trc, color_space, color_range; /* AVColor*; 0/unknown = BT.709 tv */
    int thread_count;             /* encoder threads; 0 = automatic */
    const char *provenance;       /* tag stored as the container's "comment" (media/provenance_tag.h); NULL = none */
    int require_alpha;            /* 1: fail unless the output keeps the frames' alpha */
} fu_video_writer_params;

/* A writer that muxes already-encoded video packets (stream copy, for
 * joining pieces): the stream takes codec parameters `par` and time base
 * tb; no encoder. Write with fu_video_writer_write_packet. */
typedef struct fu_video_copy_params {
    const char *final_path, *temp_path;
    const struct AVCodecParameters *par;
    int tb_num, tb_den;           /* of the packets' timestamps */
    int fps_num, fps_den;
    const char *provenance;       /* as above */
} fu_video_copy_params;

/* 1 if FFmpeg has a muxer with video for path's extension. */
int fu_video_path_is_writable(const char *path);

facefuse_status fu_video_writer_open(fu_video_writer **out, const fu_video_writer_params *p,
                                     fu_err *err);
facefuse_status fu_video_writer_open_copy(fu_video_writer **out, const fu_video_copy_params *p, fu_err *err);
/* The copied video stream's time base (fixed by the muxer at start). */
void fu_video_writer_time_base(const fu_video_writer *w, int *num, int *den);
/* The video stream's index in the container. */
int fu_video_writer_stream_index(const fu_video_writer *w);

/* Whether a video written to final_path with this encoder (FaceFusion name,
 * NULL = libx264; after the container fixes the writer makes) keeps an
 * alpha channel: prores_ks (4444) in .mov, libvpx-vp9 (yuva420p) in .webm,
 * ffv1 in .mkv or .avi, rawvideo in .mov. FACEFUSE_OK when it does, else
 * FACEFUSE_ERR_INVALID_ARGUMENT with one line saying what to use instead. */
facefuse_status fu_video_alpha_check(const char *final_path, const char *encoder, fu_err *err);
/* The muxer context, for adding audio streams before fu_video_writer_start. */
struct AVFormatContext *fu_video_writer_format(fu_video_writer *w);
/* The encoder actually used (after container fixes). */
const char *fu_video_writer_encoder(const fu_video_writer *w);
int fu_video_writer_width(const fu_video_writer *w);
int fu_video_writer_height(const fu_video_writer *w);
/* The lowercased extension of the final path ("mp4"). */
const char *fu_video_writer_extension(const fu_video_writer *w);

/* Opens the temp file and writes the container header. */
facefuse_status fu_video_writer_start(fu_video_writer *w, fu_err *err);
/* Encodes one frame with the given pts (in the params' time base). */
facefuse_status fu_video_writer_write(fu_video_writer *w, const facefuse_image *frame,
                                      int64_t pts, fu_err *err);
/* Muxes a packet of another stream (timestamps already in its stream's time
 * base), interleaved by dts with the video. */
facefuse_status fu_video_writer_write_packet(fu_video_writer *w, struct AVPacket *pkt,
                                             fu_err *err);
/* Flushes the encoder and writes the trailer; the temp file is complete. */
facefuse_status fu_video_writer_finish(fu_video_writer *w, fu_err *err);
/* Frees everything; the temp file is closed but not removed. */
void fu_video_writer_free(fu_video_writer *w);

#endif
