/*
 * audio_mel.c — FaceFusion's mel spectrogram and per-frame windows (see
 * audio_mel.h).
 *
 * The FFT is kissfft's real transform (Debian's libkissfft, BSD): FFmpeg
 * 5.1's av_tx has no fast path for 800 = 2⁵·5² points and falls back to an
 * O(n²) DFT (≈6 ms a transform against kissfft's ≈6 µs). The bank is kept
 * sparse — each band is one run of consecutive bins — so a column costs one
 * 800-point FFT plus ~370 multiply-adds.
 */
#include "media/audio_mel.h"

#include <kiss_fftr.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MEL_MIN_HZ 55.0
#define MEL_MAX_HZ 7600.0
#define PRE_EMPHASIS 0.97f

typedef struct mel_band {
    int start, count;   /* bins [start, start + count) */
    float weight[FU_MEL_BINS];
} mel_band;

static double hz_to_mel(double hz)
{
    return 2595.0 * log10(1.0 + hz / 700.0);
}

static double mel_to_hz(double mel)
{
    return 700.0 * (pow(10.0, mel / 2595.0) - 1.0);
}

/* scipy.signal.windows.triang(m). */
static void triangle(int m, float *w)
{
    int half = (m + 1) / 2;
    for (int i = 1; i <= half; i++) {
        double v = m % 2 ? 2.0 * i / (m + 1.0) : (2.0 * i - 1.0) / m;
        w[i - 1] = (float)v;
        w[m - i] = (float)v;
    }
}

/* FaceFusion's create_mel_filter_bank: band edges from numpy.linspace in mel. */
static void build_bands(mel_band *bands)
{
    const double lo = hz_to_mel(MEL_MIN_HZ), hi = hz_to_mel(MEL_MAX_HZ);
    const double step = (hi - lo) / (FU_MEL_BANDS + 1);
    int edge[FU_MEL_BANDS + 2];
    for (int i = 0; i < FU_MEL_BANDS + 2; i++) {
        double mel = i == FU_MEL_BANDS + 1 ? hi : i * step + lo; /* numpy.linspace sets the last point exactly */
        edge[i] = (int)floor((FU_MEL_FFT + 1) * mel_to_hz(mel) / FU_MEL_RATE_HZ);
    }
    for (int b = 0; b < FU_MEL_BANDS; b++) {
        bands[b].start = edge[b];
        bands[b].count = edge[b + 1] > edge[b] ? edge[b + 1] - edge[b] : 0;
        triangle(bands[b].count, bands[b].weight);
    }
}

void fu_mel_filter_bank(float *bank)
{
    mel_band *bands = malloc(sizeof(mel_band) * FU_MEL_BANDS);
    memset(bank, 0, sizeof(float) * FU_MEL_BANDS * FU_MEL_BINS);
    if (!bands)
        return;
    build_bands(bands);
    for (int b = 0; b < FU_MEL_BANDS; b++)
        for (int i = 0; i < bands[b].count; i++)
            bank[b * FU_MEL_BINS + bands[b].start + i] = bands[b].weight[i];
    free(bands);
}

void fu_mel_prepare(float *x, int64_t n)
{
    float peak = 0;
    for (int64_t i = 0; i < n; i++)
        peak = fmaxf(peak, fabsf(x[i]));
    if (peak <= 0)
        return;
    const float scale = 1.0f / peak;
    float prev = 0;
    for (int64_t i = 0; i < n; i++) {
        float v = x[i] * scale;
        x[i] = v - PRE_EMPHASIS * prev;
        prev = v;
    }
}

void fu_mel_free(fu_mel *m)
{
    if (!m)
        return;
    free(m->data);
    memset(m, 0, sizeof *m);
}

facefuse_status fu_mel_spectrogram(const float *x, int64_t n, fu_mel *out, fu_err *err)
{
    float window[FU_MEL_FFT], frame[FU_MEL_FFT], mag[FU_MEL_BINS];
    kiss_fft_cpx spec[FU_MEL_BINS];
    memset(out, 0, sizeof *out);
    if (n <= 0)
        return FACEFUSE_OK;
    const int64_t columns = (n + FU_MEL_HOP - 1) / FU_MEL_HOP + 1;
    mel_band *bands = malloc(sizeof(mel_band) * FU_MEL_BANDS);
    kiss_fftr_cfg fft = kiss_fftr_alloc(FU_MEL_FFT, 0, NULL, NULL);
    out->data = malloc(sizeof(float) * FU_MEL_BANDS * (size_t)columns);
    if (!bands || !fft || !out->data) {
        free(bands);
        kiss_fftr_free(fft);
        fu_mel_free(out);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for a %lld-column mel spectrogram",
                       (long long)columns);
    }
    out->columns = columns;
    build_bands(bands);
    double window_sum = 0;
    for (int i = 0; i < FU_MEL_FFT; i++) { /* periodic Hann, scipy's get_window('hann', 800) */
        window[i] = (float)(0.5 - 0.5 * cos(2.0 * M_PI * i / FU_MEL_FFT));
        window_sum += window[i];
    }
    const float scale = (float)(1.0 / window_sum);
    for (int64_t t = 0; t < columns; t++) {
        const int64_t first = t * FU_MEL_HOP - FU_MEL_FFT / 2; /* sample under frame[0] */
        for (int i = 0; i < FU_MEL_FFT; i++) {
            int64_t s = first + i;
            frame[i] = s >= 0 && s < n ? x[s] * window[i] : 0.0f;
        }
        kiss_fftr(fft, frame, spec);
        for (int k = 0; k < FU_MEL_BINS; k++)
            mag[k] = hypotf(spec[k].r, spec[k].i) * scale;
        for (int b = 0; b < FU_MEL_BANDS; b++) {
            float acc = 0;
            const mel_band *band = &bands[b];
            for (int i = 0; i < band->count; i++)
                acc += band->weight[i] * mag[band->start + i];
            out->data[(size_t)b * (size_t)columns + (size_t)t] = acc;
        }
    }
    kiss_fftr_free(fft);
    free(bands);
    return FACEFUSE_OK;
}

/* numpy.arange(0, columns, 80 / fps): element k is k·step, there are
 * ceil(columns / step) of them; the first k with trunc(k·step) ≥ 16. */
static int frame_steps(const fu_mel *m, double fps, double *step, int64_t *first_k, int64_t *count_k)
{
    if (!m || m->columns <= 0 || !(fps > 0) || !isfinite(fps))
        return 0;
    *step = (double)FU_MEL_BANDS / fps;
    *count_k = (int64_t)ceil((double)m->columns / *step);
    int64_t k = (int64_t)ceil(FU_MEL_WINDOW / *step);
    while (k > 0 && (int64_t)((k - 1) * *step) >= FU_MEL_WINDOW)
        k--;
    while ((int64_t)(k * *step) < FU_MEL_WINDOW)
        k++;
    *first_k = k;
    return 1;
}

int64_t fu_mel_frame_count(const fu_mel *m, double fps)
{
    double step;
    int64_t first, count;
    if (!frame_steps(m, fps, &step, &first, &count))
        return 0;
    return count > first ? count - first : 0;
}

int64_t fu_mel_window_end(const fu_mel *m, double fps, int64_t frame)
{
    double step;
    int64_t first, count;
    if (frame < 0 || !frame_steps(m, fps, &step, &first, &count) || first + frame >= count)
        return -1;
    return (int64_t)((double)(first + frame) * step);
}

int fu_mel_window(const fu_mel *m, double fps, int64_t frame, float *out)
{
    int64_t end = fu_mel_window_end(m, fps, frame);
    if (end < FU_MEL_WINDOW || end > m->columns) {
        memset(out, 0, sizeof(float) * FU_MEL_BANDS * FU_MEL_WINDOW);
        return 0;
    }
    for (int b = 0; b < FU_MEL_BANDS; b++)
        memcpy(out + b * FU_MEL_WINDOW, m->data + (size_t)b * (size_t)m->columns + (size_t)(end - FU_MEL_WINDOW),
               sizeof(float) * FU_MEL_WINDOW);
    return 1;
}
