/*
 * audio_mel.h — FaceFusion's mel spectrogram of a voice and the 16-column
 * window of it each video frame gets (facefusion/audio.py).
 *
 * The signal is mono at 16 kHz. prepare: x / max|x|, then pre-emphasis
 * y[i] = x[i] − 0.97·x[i−1]. Spectrogram: scipy.signal.stft's defaults with
 * nperseg = nfft = 800, hop 200 (noverlap 600): a periodic Hann window,
 * 400 zeros before and after the signal and zeros up to a whole hop, so
 * column t is centred on sample 200·t and there are ceil(n/200) + 1 columns;
 * |FFT| / Σwindow (scipy's "spectrum" scaling). Filter bank: 80 bands whose
 * edges are 82 points evenly spaced in HTK mel (2595·log10(1 + f/700))
 * between 55 and 7600 Hz, as FFT bins floor(801·f/16000); band i weights
 * bins [edge_i, edge_{i+1}) with scipy.signal.windows.triang of that width.
 * That is FaceFusion's own construction, not librosa's Slaney bank: the
 * triangles do not overlap and are not area-normalised.
 *
 * Frame windows (extract_audio_frames): with step = 80/fps columns per
 * frame, k runs over 0 ≤ k < ceil(columns/step); the k whose end column
 * e = trunc(k·step) is at least 16 are the video frames, in order, and
 * frame n's window is columns [e − 16, e) of its k. The window of frame n
 * thus starts at column ≈ 80·n/fps, the frame's timestamp. FaceFusion casts
 * e to int16, which wraps after 409.6 s of audio; here it does not.
 */
#ifndef FU_AUDIO_MEL_H
#define FU_AUDIO_MEL_H

#include <stdint.h>

#include "core/error.h"

#define FU_MEL_RATE_HZ 16000
#define FU_MEL_FFT 800
#define FU_MEL_HOP 200
#define FU_MEL_BINS (FU_MEL_FFT / 2 + 1)
#define FU_MEL_BANDS 80
#define FU_MEL_WINDOW 16 /* columns per video frame */

typedef struct fu_mel {
    int64_t columns;
    float *data; /* FU_MEL_BANDS rows × columns, row-major (band, column); malloc'd */
} fu_mel;

/* FaceFusion's prepare_audio on a mono signal, in place: scaled so the
 * largest magnitude is 1 (an all-zero signal stays zero), then pre-emphasis. */
void fu_mel_prepare(float *x, int64_t n);

/* The filter bank as a dense FU_MEL_BANDS × FU_MEL_BINS row-major matrix. */
void fu_mel_filter_bank(float *bank);

/* The spectrogram of x (n samples at 16 kHz); n = 0 gives no columns. */
facefuse_status fu_mel_spectrogram(const float *x, int64_t n, fu_mel *out, fu_err *err);
void fu_mel_free(fu_mel *m);

/* How many video frames at fps have a window. */
int64_t fu_mel_frame_count(const fu_mel *m, double fps);

/* The end column (exclusive) of frame n's window, or −1 when the audio
 * has none for it (n < 0, or past the end). */
int64_t fu_mel_window_end(const fu_mel *m, double fps, int64_t frame);

/* Copies frame n's window into out (FU_MEL_BANDS × FU_MEL_WINDOW, row-major:
 * the [1, 1, 80, 16] tensor layout) and returns 1; when there is none, out
 * is all zeros (FaceFusion's empty audio frame) and it returns 0. */
int fu_mel_window(const fu_mel *m, double fps, int64_t frame, float *out);

#endif
