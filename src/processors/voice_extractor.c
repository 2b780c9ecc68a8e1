/*
 * voice_extractor.c — MDX-Net voice extraction with FaceFusion's chunking
 * and STFT framing (see voice_extractor.h).
 *
 * The STFT is kissfft's real transform of 7680 points, forward and
 * inverse; both channels of a segment share one pass. The extractor owns
 * the per-segment buffers (padded channels, the model's input tensor, the
 * overlap-add accumulators), so a run allocates once.
 */
#include "processors/voice_extractor.h"

#include <kiss_fftr.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "infer/context.h"
#include "infer/ort.h"

#define N_FFT 7680
#define HOP 1024
#define TRIM 3840 /* = N_FFT / 2: the STFT's centring pad, and the segment edge dropped */
#define BINS 3072 /* bins the model sees */
#define FULL_BINS (N_FFT / 2 + 1)

static const char *const voice_models[] = {"kim_vocal_1", "kim_vocal_2", "uvr_mdxnet"};

static const fu_option voice_options[] = {
    {.name = "--voice-extractor-model", .section = "voice_extractor", .type = FU_OPT_STRING,
     .def = FU_VOICE_DEFAULT_MODEL, .choices = "kim_vocal_1 kim_vocal_2 uvr_mdxnet",
     .offset = offsetof(fu_voice_settings, model),
     .help = "choose the model responsible for extracting the voices (lip_syncer's audio)"},
    {0}};

const fu_option_group fu_voice_extractor_options = {"voice_extractor", "voice extractor", voice_options,
                                                    sizeof(fu_voice_settings), NULL};

struct fu_voice_extractor {
    fu_session *session;     /* owned by the context */
    int frames_t;            /* T, the model's time frames */
    int segment;             /* (T − 1)·HOP samples */
    float window[N_FFT];     /* symmetric Hann (scipy.signal.windows.hann(7680)) */
    float *norm;             /* Σ window² under each segment sample */
    kiss_fftr_cfg fwd, inv;
    float *padded;           /* one channel of a segment with TRIM zeros each side */
    float *tensor;           /* [1, 4, BINS, T] */
    float *frame;            /* N_FFT scratch */
    kiss_fft_cpx *spec;      /* FULL_BINS scratch */
    float *acc;              /* overlap-add of one channel, segment + 2·TRIM */
    float *chunk_out;        /* one chunk's voice, interleaved stereo */
};

int fu_voice_extractor_known(const char *name)
{
    for (size_t i = 0; name && i < sizeof voice_models / sizeof voice_models[0]; i++)
        if (strcmp(name, voice_models[i]) == 0)
            return 1;
    return 0;
}

void fu_voice_extractor_close(fu_voice_extractor *ve)
{
    if (!ve)
        return;
    kiss_fftr_free(ve->fwd);
    kiss_fftr_free(ve->inv);
    free(ve->norm);
    free(ve->padded);
    free(ve->tensor);
    free(ve->frame);
    free(ve->spec);
    free(ve->acc);
    free(ve->chunk_out);
    free(ve);
}

int fu_voice_extractor_segment(const fu_voice_extractor *ve)
{
    return ve->segment;
}

static facefuse_status check_model(fu_voice_extractor *ve, fu_err *err)
{
    const char *path = fu_session_path(ve->session);
    const fu_tensor_info *in = fu_session_input(ve->session, 0);
    const fu_tensor_info *out = fu_session_output_count(ve->session) ? fu_session_output(ve->session, 0) : NULL;
    if (fu_session_input_count(ve->session) != 1 || in->rank != 4 || (in->dims[1] > 0 && in->dims[1] != 4) ||
        (in->dims[2] > 0 && in->dims[2] != BINS) || in->dims[3] < 9)
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT,
                       "voice extractor %s: expected one input [N, 4, %d, T] with a fixed T of at least 9", path,
                       BINS);
    if (!out || out->rank != 4 || (out->dims[1] > 0 && out->dims[1] != 4) || (out->dims[2] > 0 && out->dims[2] != BINS))
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "voice extractor %s: output is not [N, 4, %d, T]", path,
                       BINS);
    ve->frames_t = (int)in->dims[3];
    ve->segment = (ve->frames_t - 1) * HOP;
    return FACEFUSE_OK;
}

/* Σ window² under each sample of a segment, as scipy.signal.istft's norm. */
static void build_norm(fu_voice_extractor *ve)
{
    const int len = ve->segment + 2 * TRIM;
    double *sum = calloc((size_t)len, sizeof(double));
    if (!sum)
        return;
    for (int t = 0; t < ve->frames_t; t++)
        for (int i = 0; i < N_FFT; i++)
            sum[t * HOP + i] += (double)ve->window[i] * ve->window[i];
    for (int i = 0; i < ve->segment; i++)
        ve->norm[i] = sum[TRIM + i] > 1e-10 ? (float)sum[TRIM + i] : 1.0f;
    free(sum);
}

facefuse_status fu_voice_extractor_open(facefuse_context *ctx, const char *model, fu_voice_extractor **out,
                                        fu_err *err)
{
    *out = NULL;
    if (!fu_voice_extractor_known(model))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                       "'%s' is not a voice extractor model (kim_vocal_1, kim_vocal_2, uvr_mdxnet)",
                       model ? model : "(null)");
    fu_voice_extractor *ve = calloc(1, sizeof *ve);
    if (!ve)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    facefuse_status rc = fu_context_session(ctx, model, &ve->session, NULL, err);
    if (rc == FACEFUSE_OK)
        rc = check_model(ve, err);
    if (rc != FACEFUSE_OK) {
        fu_voice_extractor_close(ve);
        return rc;
    }
    for (int i = 0; i < N_FFT; i++)
        ve->window[i] = (float)(0.5 - 0.5 * cos(2.0 * M_PI * i / (N_FFT - 1)));
    const size_t padded = (size_t)ve->segment + 2 * TRIM;
    ve->fwd = kiss_fftr_alloc(N_FFT, 0, NULL, NULL);
    ve->inv = kiss_fftr_alloc(N_FFT, 1, NULL, NULL);
    ve->norm = malloc(sizeof(float) * (size_t)ve->segment);
    ve->padded = malloc(sizeof(float) * padded);
    ve->tensor = malloc(sizeof(float) * 4 * BINS * (size_t)ve->frames_t);
    ve->frame = malloc(sizeof(float) * N_FFT);
    ve->spec = malloc(sizeof(kiss_fft_cpx) * FULL_BINS);
    ve->acc = malloc(sizeof(float) * padded);
    ve->chunk_out = malloc(sizeof(float) * 2 * FU_VOICE_CHUNK);
    if (!ve->fwd || !ve->inv || !ve->norm || !ve->padded || !ve->tensor || !ve->frame || !ve->spec || !ve->acc ||
        !ve->chunk_out) {
        fu_voice_extractor_close(ve);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the voice extractor");
    }
    build_norm(ve);
    *out = ve;
    return FACEFUSE_OK;
}

/* Channel c of segment s of a chunk (n interleaved stereo samples) with
 * the STFT's centring zeros, TRIM each side. The chunk itself is offset by
 * TRIM and zero-padded, so segment sample j is chunk sample s·step + j −
 * TRIM; the centring zeros are zeros whatever the chunk holds there. */
static void load_segment(fu_voice_extractor *ve, const float *chunk, int64_t n, int64_t seg_first, int c)
{
    const int64_t len = ve->segment + 2 * TRIM;
    for (int64_t i = 0; i < len; i++) {
        int64_t j = i - TRIM, s = seg_first + j - TRIM;
        ve->padded[i] = j >= 0 && j < ve->segment && s >= 0 && s < n ? chunk[2 * s + c] : 0.0f;
    }
}

/* Forward STFT of ve->padded into tensor channels 2c (re) and 2c + 1 (im). */
static void analyse(fu_voice_extractor *ve, int c)
{
    const int T = ve->frames_t;
    float *re = ve->tensor + (size_t)(2 * c) * BINS * T, *im = re + (size_t)BINS * T;
    for (int t = 0; t < T; t++) {
        const float *src = ve->padded + (size_t)t * HOP;
        for (int i = 0; i < N_FFT; i++)
            ve->frame[i] = src[i] * ve->window[i];
        kiss_fftr(ve->fwd, ve->frame, ve->spec);
        for (int k = 0; k < BINS; k++) {
            re[(size_t)k * T + t] = ve->spec[k].r;
            im[(size_t)k * T + t] = ve->spec[k].i;
        }
    }
}

/* Inverse STFT of output channels 2c, 2c + 1 (overlap-add, window again,
 * / Σ window²), then the segment without its TRIM edges added into
 * ve->chunk_out channel c from position `at` (at most `keep` samples). */
static void synthesise(fu_voice_extractor *ve, const float *y, int c, int64_t at, int64_t keep)
{
    const int T = ve->frames_t;
    const float *re = y + (size_t)(2 * c) * BINS * T, *im = re + (size_t)BINS * T;
    const float inv_n = 1.0f / N_FFT;
    memset(ve->acc, 0, sizeof(float) * ((size_t)ve->segment + 2 * TRIM));
    for (int t = 0; t < T; t++) {
        for (int k = 0; k < FULL_BINS; k++) {
            ve->spec[k].r = k < BINS ? re[(size_t)k * T + t] : 0.0f;
            ve->spec[k].i = k < BINS ? im[(size_t)k * T + t] : 0.0f;
        }
        kiss_fftri(ve->inv, ve->spec, ve->frame);
        float *dst = ve->acc + (size_t)t * HOP;
        for (int i = 0; i < N_FFT; i++)
            dst[i] += ve->frame[i] * inv_n * ve->window[i];
    }
    /* acc[TRIM + j] is segment sample j; its first and last TRIM are dropped */
    const int64_t step = ve->segment - 2 * TRIM;
    for (int64_t j = 0; j < step && j < keep; j++)
        ve->chunk_out[2 * (at + j) + c] = ve->acc[2 * TRIM + j] / ve->norm[TRIM + j];
}

/* FaceFusion's extract_voice on one chunk of n stereo samples into ve->chunk_out. */
static facefuse_status extract_chunk(fu_voice_extractor *ve, const float *chunk, int64_t n, fu_voice_timing *tm,
                                     fu_err *err)
{
    const int T = ve->frames_t;
    const int64_t step = ve->segment - 2 * TRIM;
    const int64_t pad = step - n % step;
    const int64_t segments = (n + pad) / step;
    for (int64_t s = 0; s < segments; s++) {
        int64_t t0 = fu_now_ns();
        for (int c = 0; c < 2; c++) {
            load_segment(ve, chunk, n, s * step, c);
            analyse(ve, c);
        }
        int64_t t1 = fu_now_ns();
        fu_tensor in = {.rank = 4, .dims = {1, 4, BINS, T}, .data = ve->tensor}, out = {0};
        facefuse_status rc = fu_session_run(ve->session, &in, 1, &out, 1, err);
        int64_t t2 = fu_now_ns();
        if (rc == FACEFUSE_OK && fu_tensor_numel(&out) != (int64_t)4 * BINS * T)
            rc = fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "voice extractor %s gave %lld values, expected 4×%d×%d",
                         fu_session_path(ve->session), (long long)fu_tensor_numel(&out), BINS, T);
        if (rc == FACEFUSE_OK)
            for (int c = 0; c < 2; c++)
                synthesise(ve, out.data, c, s * step, n - s * step);
        fu_tensor_free(&out);
        if (tm) {
            tm->stft_ns += t1 - t0;
            tm->model_ns += t2 - t1;
            tm->istft_ns += fu_now_ns() - t2;
        }
        if (rc != FACEFUSE_OK)
            return rc;
    }
    return FACEFUSE_OK;
}

/* How many chunks (starts every FU_VOICE_STEP, FU_VOICE_CHUNK long) cover sample i. */
static int chunks_over(int64_t i)
{
    int64_t last = i / FU_VOICE_STEP;
    int64_t first = i >= FU_VOICE_CHUNK ? (i - FU_VOICE_CHUNK) / FU_VOICE_STEP + 1 : 0;
    return (int)(last - first + 1);
}

facefuse_status fu_voice_extractor_run(fu_voice_extractor *ve, const float *audio, int64_t frames, float *voice,
                                       fu_voice_timing *timing, fu_err *err)
{
    if (frames <= 0)
        return FACEFUSE_OK;
    memset(voice, 0, sizeof(float) * 2 * (size_t)frames);
    for (int64_t start = 0; start < frames; start += FU_VOICE_STEP) {
        const int64_t n = frames - start < FU_VOICE_CHUNK ? frames - start : FU_VOICE_CHUNK;
        facefuse_status rc = extract_chunk(ve, audio + 2 * start, n, timing, err);
        if (rc != FACEFUSE_OK)
            return rc;
        int64_t t0 = fu_now_ns();
        for (int64_t i = 0; i < 2 * n; i++)
            voice[2 * start + i] += ve->chunk_out[i];
        if (timing)
            timing->istft_ns += fu_now_ns() - t0;
    }
    int64_t t0 = fu_now_ns();
    for (int64_t i = 0; i < frames; i++) {
        int k = chunks_over(i);
        if (k > 1) {
            voice[2 * i] /= (float)k;
            voice[2 * i + 1] /= (float)k;
        }
    }
    if (timing)
        timing->istft_ns += fu_now_ns() - t0;
    return FACEFUSE_OK;
}
