/*
 * live_output.h — where live mode sends its frames (--live-output):
 *
 *   v4l2:/dev/video10        a v4l2loopback virtual camera (what OBS, Zoom and
 *                            browsers see): raw YUV 4:2:0 frames
 *   udp://127.0.0.1:27000    MPEG-TS over UDP, as FaceFusion streams (packets of
 *                            1316 bytes unless the URL sets pkt_size)
 *   srt://...                MPEG-TS over SRT
 *   rtmp://.../key           FLV to a streaming server
 *   recording.mkv (or any    a recording; written under a temporary name and
 *   file FFmpeg can mux)     renamed when the session ends, so it is complete
 *
 * Encoded outputs use H.264 (libx264 ultrafast, zerolatency: no B-frames,
 * no look-ahead, one keyframe a second); streams at about 0.1 bit a pixel a
 * frame (at least 1000 kbit/s: 2.8 Mbit/s at 720p30), recordings at CRF 23.
 * Timestamps are the frames' capture times in milliseconds: an output
 * dropping frames is variable-rate and never drifts from the camera.
 */
#ifndef FU_LIVE_OUTPUT_H
#define FU_LIVE_OUTPUT_H

#include "core/error.h"

typedef struct fu_live_output_params {
    const char *target;
    int width, height;          /* of the RGB frames given to write */
    double fps;                 /* nominal rate: rate control and keyframe interval */
    volatile int *cancel;       /* interrupts a blocking connect (may be NULL) */
} fu_live_output_params;

typedef struct fu_live_output fu_live_output;

/* 1 when target is a file recording (not a device or a network URL). */
int fu_live_output_is_file(const char *target);

/* Opens the output and writes its header (a network URL connects here).
 * Unknown or unwritable targets fail with a message naming them. */
facefuse_status fu_live_output_open(fu_live_output **out, const fu_live_output_params *p, fu_err *err);

/* Encodes and sends one frame with its capture time (seconds, increasing;
 * equal or earlier times are nudged 1 ms past the last). */
facefuse_status fu_live_output_write(fu_live_output *o, const facefuse_image *frame, double time_s, fu_err *err);

/* Flushes the encoder, writes the trailer and, for a file, gives it its final name. */
facefuse_status fu_live_output_finish(fu_live_output *o, fu_err *err);

/* Frees everything; an unfinished file is removed. */
void fu_live_output_free(fu_live_output *o);

#endif
