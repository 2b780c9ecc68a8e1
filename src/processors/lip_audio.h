/*
 * lip_audio.h — the voice track a lip sync run follows: the audio file
 * among the sources, read once, its voice isolated, turned into FaceFusion's
 * mel spectrogram, and cut into one 80×16 window per video frame.
 *
 * As FaceFusion's read_voice: decode at 48 kHz stereo, the voice extractor
 * (kim_vocal_2 by default), then to 16 kHz (libswresample here, scipy's FFT
 * resampler there), the mean of the two channels, x / max|x|, pre-emphasis,
 * the spectrogram (audio_mel.h). The whole file is processed, since the
 * normalisation is by the peak of the whole voice. Frame n is counted from
 * the first frame processed (FaceFusion passes frame_number −
 * trim_frame_start) on a grid at `fps`; the lip_syncer processor picks the
 * grid frame at each video frame's time. A frame past the end of the audio,
 * and every frame of an image target, gets the empty window (all zeros:
 * silence to the model).
 */
#ifndef FU_LIP_AUDIO_H
#define FU_LIP_AUDIO_H

#include <stdint.h>

#include "core/error.h"
#include "media/audio_mel.h"
#include "processors/voice_extractor.h"

typedef struct fu_lip_audio_settings {
    const char *path;                  /* the audio file (or a video with audio) */
    const char *voice_extractor_model; /* NULL: kim_vocal_2; "none": no extraction (facefuse only) */
    double fps;                        /* the window grid's rate: the target's, e.g. 30000/1001.0 */
} fu_lip_audio_settings;

typedef struct fu_lip_audio_timing {
    int64_t decode_ns;       /* fu_audio_read at 48 kHz stereo */
    fu_voice_timing voice;   /* the voice extractor's STFT, model and inverse */
    int64_t resample_ns;     /* channel mean and 48 → 16 kHz */
    int64_t mel_ns;          /* prepare and spectrogram */
} fu_lip_audio_timing;

typedef struct fu_lip_audio fu_lip_audio;

/* Reads and analyses the whole file; timing may be NULL. */
facefuse_status fu_lip_audio_open(facefuse_context *ctx, const fu_lip_audio_settings *s, fu_lip_audio **out,
                                  fu_lip_audio_timing *timing, fu_err *err);
void fu_lip_audio_close(fu_lip_audio *a);

/* Frames that have a window (the audio's length at the settings' fps). */
int64_t fu_lip_audio_frame_count(const fu_lip_audio *a);
/* Frame n's window into out (FU_MEL_BANDS × FU_MEL_WINDOW); returns 0 and
 * zeros when there is none. Read-only: threads may share one fu_lip_audio. */
int fu_lip_audio_window(const fu_lip_audio *a, int64_t frame, float *out);
const fu_mel *fu_lip_audio_mel(const fu_lip_audio *a);
/* Seconds of audio read. */
double fu_lip_audio_seconds(const fu_lip_audio *a);

/* Which of n source paths the lip syncer takes its audio from: the first
 * with one of FaceFusion's audio extensions (flac, m4a, mp3, ogg, opus,
 * wav), else the first other file FFmpeg reads as audio without video.
 * −1 when none (FaceFusion: "choose an audio for the source"). */
int fu_lip_audio_pick_source(const char *const *paths, int n);

#endif
