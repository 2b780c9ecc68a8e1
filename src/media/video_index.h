/*
 * video_index.h — the frames of a video's main stream, in presentation
 * order, with their timestamps and keyframe flags, read by demuxing only
 * (no decoding).
 *
 * Segmented rendering needs it twice: to cut a long target at keyframes
 * (pipeline/segment.c) and to give every frame of the joined pieces the
 * exact timestamp the target had (media/video_concat.c), so pieces joined
 * by stream copy carry the same timing as one render of the whole target.
 * Frame i of the index is frame i as video_reader.c counts decoded frames
 * for streams with one packet a frame (every codec facefuse writes).
 */
#ifndef FU_VIDEO_INDEX_H
#define FU_VIDEO_INDEX_H

#include <stdint.h>

#include "core/error.h"

typedef struct fu_video_index {
    int64_t count;            /* frames */
    int64_t *pts;             /* [count], presentation order, in tb_num/tb_den */
    uint8_t *keyframe;        /* [count], 1 where decoding can start */
    int tb_num, tb_den;       /* the stream's time base */
    int fps_num, fps_den;     /* average frame rate (25/1 when unknown) */
    int stream_index;
} fu_video_index;

/* Reads every packet of path's best video stream. FACEFUSE_ERR_DECODE for
 * a file that is not a readable video or has no frame. */
facefuse_status fu_video_index_build(const char *path, fu_video_index *out, fu_err *err);
void fu_video_index_free(fu_video_index *ix);

/* Seconds of frame i from frame 0. */
double fu_video_index_seconds(const fu_video_index *ix, int64_t i);

#endif
