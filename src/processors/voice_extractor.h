/*
 * voice_extractor.h — isolating the voice of a soundtrack with an MDX-Net
 * model (kim_vocal_1, kim_vocal_2, uvr_mdxnet), as FaceFusion's
 * voice_extractor.py does before the lip syncer's mel step.
 *
 * Input and output are stereo 48 kHz, interleaved. The audio is cut into
 * chunks of 240·1024 samples every 180·1024 (overlaps are averaged). Each
 * chunk is padded with 3840 zeros in front and, behind, with 3840 plus
 * enough to fill whole segments of (T − 1)·1024 samples overlapping by
 * 2·3840 (T = the model's time frames, 256 for these models, so a chunk is
 * one segment). A segment's spectrogram is a centred STFT (symmetric Hann
 * of 7680, hop 1024: T frames) of each channel, unscaled, bins 0..3071 kept
 * as the model's [1, 4, 3072, T] input (L re, L im, R re, R im). The
 * model's output, same shape, goes back by overlap-add (window applied
 * again, divided by Σ window²) with the bins above 3071 zero; the 3840
 * samples at each segment edge are dropped. An identity model therefore
 * gives the input back, low-passed at 19.2 kHz.
 *
 * FaceFusion feeds int16 / 32767; the float samples here are the same up
 * to 1/32768 of scale.
 */
#ifndef FU_VOICE_EXTRACTOR_H
#define FU_VOICE_EXTRACTOR_H

#include <stdint.h>

#include "core/error.h"
#include "core/option.h"

#define FU_VOICE_RATE_HZ 48000
#define FU_VOICE_CHUNK (240 * 1024) /* samples per chunk */
#define FU_VOICE_STEP (180 * 1024)  /* chunk starts */
#define FU_VOICE_DEFAULT_MODEL "kim_vocal_2"

typedef struct fu_voice_extractor fu_voice_extractor;

/* Where the time went, in nanoseconds (accumulated into). */
typedef struct fu_voice_timing {
    int64_t stft_ns;   /* padding and the forward STFT into the input tensor */
    int64_t model_ns;  /* fu_session_run */
    int64_t istft_ns;  /* overlap-add back to samples, averaging */
} fu_voice_timing;

/* FaceFusion's "voice extractor" option group (--voice-extractor-model,
 * ini [voice_extractor] voice_extractor_model), run-wide as there: it fills
 * a fu_voice_settings, which the run hands to processors that follow a
 * voice (the lip syncer). */
typedef struct fu_voice_settings {
    const char *model;  /* kim_vocal_1 kim_vocal_2 uvr_mdxnet */
} fu_voice_settings;

extern const fu_option_group fu_voice_extractor_options;

/* 1 when name is one of the voice extractor models. */
int fu_voice_extractor_known(const char *name);

/* Opens the model (FACEFUSE_ERR_INVALID_ARGUMENT when it is not a voice
 * extractor; FACEFUSE_ERR_MODEL_CONTRACT when its input is not
 * [N, 4, 3072, T] with a fixed T ≥ 9). */
facefuse_status fu_voice_extractor_open(facefuse_context *ctx, const char *model, fu_voice_extractor **out,
                                        fu_err *err);
void fu_voice_extractor_close(fu_voice_extractor *ve);

/* The model's segment length in samples, (T − 1)·1024. */
int fu_voice_extractor_segment(const fu_voice_extractor *ve);

/* The voice of audio (frames × 2, 48 kHz) into voice (frames × 2). timing
 * may be NULL. Not thread-safe on one extractor (it owns scratch buffers). */
facefuse_status fu_voice_extractor_run(fu_voice_extractor *ve, const float *audio, int64_t frames, float *voice,
                                       fu_voice_timing *timing, fu_err *err);

#endif
