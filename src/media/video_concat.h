/*
 * video_concat.h — joins video pieces (each a range of one target's frames,
 * rendered separately) into one video by stream copy, giving every frame
 * the target's own timestamp and putting the target's audio back through
 * audio_remux.c exactly as a single render does; and checks that a piece
 * is complete and undamaged before anyone relies on it.
 *
 * A piece is trusted only after a check: it must open, hold exactly the
 * frames of its range, start with a keyframe, and (with decode checking)
 * decode every frame without error — the decoders run with CRC checks and
 * "explode" error detection, so FFV1's slice CRCs and Matroska's CRC-32
 * elements catch damaged bytes, and other codecs fail on broken syntax.
 */
#ifndef FU_VIDEO_CONCAT_H
#define FU_VIDEO_CONCAT_H

#include <stdint.h>

#include "core/error.h"
#include "media/audio_remux.h"
#include "media/video_index.h"

typedef struct fu_piece_info {
    int64_t frames;            /* video packets */
    int64_t decoded;           /* frames decoded (decode check only) */
    int codec_id, width, height, format;
    uint32_t extradata_crc;    /* codec configuration, to tell pieces of other settings apart */
    int reorder_frames;        /* how many frames decoding runs ahead of display (B-frames) */
    char describe[96];         /* "ffv1 320x240 bgr0" */
} fu_piece_info;

/* Checks the piece at path: exists (FACEFUSE_ERR_NOT_FOUND), opens and
 * reads to the end, holds expected_frames video frames (< 0: any), starts
 * with a keyframe, and with decode != 0 decodes every frame cleanly
 * (FACEFUSE_ERR_DECODE, the message naming the piece and the problem).
 * info may be NULL. */
facefuse_status fu_video_piece_check(const char *path, int64_t expected_frames, int decode, fu_piece_info *info,
                                     fu_err *err);

typedef struct fu_concat_params {
    const char *output_path;
    const char *const *pieces;
    int piece_count;
    const int64_t *piece_start;   /* [piece_count] target frame of each piece's first frame */
    const int64_t *piece_frames;  /* [piece_count] frames each piece must hold */
    const fu_video_index *timing; /* the target's frames: the joined video's timestamps */
    fu_audio_params audio;        /* audio.path NULL: no audio; else as the single render's */
    int audio_cut_end;            /* audio ends with the last frame (a replacing audio file or a trimmed
                                     render), else it runs to the end of its source */
    int check_decode;             /* decode every frame of every piece before joining */
    const char *provenance;       /* NULL: keep piece 0's tag */
    volatile int *cancel;         /* non-zero stops (FACEFUSE_ERR_CANCELLED) */
} fu_concat_params;

/* Checks every piece first (one error naming every missing or damaged
 * piece), then writes output_path through fu_output: nothing appears under
 * that name unless the whole join succeeded. */
facefuse_status fu_video_concat(const fu_concat_params *p, fu_err *err);

#endif
