/*
 * video_reader.h — decodes the frames of a video file to upright RGB(A) images.
 *
 * Opens any container FFmpeg's libavformat reads, picks the best video stream
 * and decodes it with frame threads. Each frame comes out as a facefuse_image
 * (RGB, or RGBA when the stream has alpha: an alpha pixel format, or VP8/VP9
 * alpha in WebM/Matroska, decoded with libvpx) converted with the
 * stream's own colour matrix and range, and rotated by the stream's display
 * matrix so it is upright. Any unreadable, truncated or non-video input is
 * FACEFUSE_ERR_DECODE with a message naming the path.
 */
#ifndef FU_VIDEO_READER_H
#define FU_VIDEO_READER_H

#include <stdint.h>

#include "core/error.h"

typedef struct fu_video_reader fu_video_reader;

typedef struct fu_video_info {
    int width, height;            /* of the frames handed out (after rotation) */
    int coded_width, coded_height;/* as stored in the stream */
    int channels;                 /* 3 (RGB) or 4 (RGBA: the source has alpha) */
    int64_t frame_count;          /* nb_frames, else estimated from duration × fps */
    int fps_num, fps_den;         /* avg_frame_rate (r_frame_rate when unknown) */
    double fps;
    int tb_num, tb_den;           /* time base of frame pts */
    int64_t start_pts;            /* the stream's first pts (0 when unknown) */
    double duration_s;            /* of the video stream, else the container's */
    int rotation_deg;             /* clockwise rotation applied: 0, 90, 180, 270 */
    int color_primaries, color_trc, color_space, color_range; /* AVColor* values */
    int stream_index;
    int codec_id;                 /* AVCodecID of the video stream */
} fu_video_info;

/* Opens path for decoding; thread_count decoder threads (0 = automatic). */
facefuse_status fu_video_reader_open(fu_video_reader **out, const char *path, int thread_count,
                                     fu_err *err);
void fu_video_reader_close(fu_video_reader *r);
const fu_video_info *fu_video_reader_info(const fu_video_reader *r);
const char *fu_video_reader_path(const fu_video_reader *r);

/* Decodes the next frame into *frame (reused when its size and channels
 * match, else reallocated; NULL skips the conversion) and its pts (in the
 * info's time base) into *pts.
 * *got is 1 for a frame and 0 at the end of the stream. */
facefuse_status fu_video_reader_next(fu_video_reader *r, facefuse_image *frame, int64_t *pts,
                                     int *got, fu_err *err);

/* Positions the reader so the next frame returned is frame_index (counted at
 * the stream's average frame rate from its start). */
facefuse_status fu_video_reader_seek_frame(fu_video_reader *r, int64_t frame_index, fu_err *err);

/* Converts a pts of the reader's stream to seconds from the stream start. */
double fu_video_reader_pts_seconds(const fu_video_reader *r, int64_t pts);

/* One frame of a video as an image (the reference frame of a video target).
 * A frame number past the end gives the last frame. */
facefuse_status fu_video_read_frame_at(const char *path, int64_t frame_index,
                                       facefuse_image *out, fu_err *err);

/* Reads only the stream information (no decoding): for probing a target. */
facefuse_status fu_video_probe(const char *path, fu_video_info *info, fu_err *err);

#endif
