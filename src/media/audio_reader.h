/*
 * audio_reader.h — the audio of a file as float samples at a chosen rate.
 *
 * Reads any file FFmpeg's libavformat opens (wav, mp3, aac/m4a, flac, ogg,
 * opus… or the audio stream of a video), decodes its best audio stream and
 * converts it with libswresample to interleaved float at the rate and
 * channel count asked for: what FaceFusion gets from `ffmpeg -i FILE -vn -ar
 * RATE -ac CHANNELS -f s16le -`, without the 16-bit rounding. Channel
 * mixing is libswresample's default matrix, as the ffmpeg command's is
 * (mono → stereo puts the signal in both channels at −3 dB; stereo → mono
 * averages). Samples are placed by their timestamps: a gap between decoded
 * frames is filled with silence, so a later sample is never moved earlier
 * and the audio stays aligned with a video's frames.
 *
 * A missing file, a file with no audio stream, or audio the decoder rejects
 * is one error naming the path (FACEFUSE_ERR_NOT_FOUND, FACEFUSE_ERR_DECODE).
 */
#ifndef FU_AUDIO_READER_H
#define FU_AUDIO_READER_H

#include <stdint.h>

#include "core/error.h"

typedef struct fu_audio_pcm {
    float *samples;   /* frames × channels, interleaved; malloc'd (NULL when empty) */
    int64_t frames;   /* samples per channel */
    int channels;     /* 1 or 2 */
    int rate_hz;
} fu_audio_pcm;

/* Decodes path's best audio stream to rate_hz (8000..384000) with channels
 * 1 or 2. An audio stream with no samples at all is FACEFUSE_ERR_DECODE. */
facefuse_status fu_audio_read(const char *path, int rate_hz, int channels, fu_audio_pcm *out, fu_err *err);

/* Converts in to rate_hz and channels (1 or 2) with libswresample. */
facefuse_status fu_audio_convert(const fu_audio_pcm *in, int rate_hz, int channels, fu_audio_pcm *out,
                                 fu_err *err);

void fu_audio_pcm_free(fu_audio_pcm *pcm);

/* Whether path is a readable media file with an audio stream (*has_audio)
 * and with a video stream other than cover art (*has_video). Never fails for
 * a file that is not media: both are 0. */
void fu_audio_probe(const char *path, int *has_audio, int *has_video);

#endif
