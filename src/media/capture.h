/*
 * capture.h — camera input for live mode: any source FFmpeg's libavdevice
 * and libavformat read, decoded to RGB frames of the requested size.
 *
 * Sources (the --camera value):
 *   /dev/video0, v4l2:/dev/video0    a V4L2 camera (size and rate asked of the
 *                                    device; MJPEG first above 640×480)
 *   lavfi:testsrc2=size=1280x720:rate=30   an FFmpeg filter graph
 *   <demuxer>:<url>                  any other libavdevice input (x11grab:...)
 *   rtsp:// rtmp:// udp:// srt:// rtp:// tcp://   a live network stream
 *   http(s)://..., a file path       a video file
 * Devices and network streams deliver frames at their own pace; a file (or
 * a lavfi graph) is read as fast as frames are asked for, or, with
 * `realtime`, at the pace of its timestamps, and with `loop` starts again at
 * its end (timestamps keep increasing).
 *
 * Frames come out at width × height when given (scaled to cover and
 * centre-cropped, as FaceFusion fits webcam frames), else at the source's
 * size; `fps` caps the rate (asked of a device; files and streams drop
 * frames to it). Each frame's time is seconds since the capture opened: the
 * file's own timeline for files, the arrival time for live sources.
 */
#ifndef FU_CAPTURE_H
#define FU_CAPTURE_H

#include <stdint.h>

#include "core/error.h"

typedef enum fu_capture_kind {
    FU_CAPTURE_DEVICE = 0,       /* camera or other libavdevice input */
    FU_CAPTURE_STREAM = 1,       /* live network stream */
    FU_CAPTURE_FILE = 2          /* file, http(s) URL or lavfi graph */
} fu_capture_kind;

typedef struct fu_capture_params {
    const char *source;
    int width, height;           /* 0 = the source's size */
    double fps;                  /* 0 = the source's rate */
    int realtime;                /* files: deliver at the pace of their timestamps */
    int loop;                    /* files: start again at the end */
    volatile int *cancel;        /* non-zero interrupts a blocking read (may be NULL) */
} fu_capture_params;

typedef struct fu_capture fu_capture;

/* Opens the source and its video decoder. A source that cannot be opened
 * is FACEFUSE_ERR_IO (devices, streams) or FACEFUSE_ERR_DECODE (files)
 * with a message naming it. */
facefuse_status fu_capture_open(fu_capture **out, const fu_capture_params *p, fu_err *err);
void fu_capture_close(fu_capture *c);

fu_capture_kind fu_capture_kind_of(const fu_capture *c);
/* Output frame size (known after open) and the source's nominal rate (0 when unknown). */
void fu_capture_size(const fu_capture *c, int *width, int *height);
double fu_capture_fps(const fu_capture *c);
/* 1 when frames come at their own pace whatever the reader does (devices,
 * streams, realtime files): a slow reader must drop, never wait. */
int fu_capture_is_paced(const fu_capture *c);

typedef struct fu_capture_frame {
    double time_s;               /* its time, seconds since the capture opened */
    int64_t arrived_ns;          /* fu_now_ns() when it was handed out */
} fu_capture_frame;

/* Blocks for the next frame into *image (RGB, reused when the size matches).
 * *got is 0 at the end of the source or when cancelled. */
facefuse_status fu_capture_read(fu_capture *c, facefuse_image *image, fu_capture_frame *info, int *got,
                                fu_err *err);

#endif
