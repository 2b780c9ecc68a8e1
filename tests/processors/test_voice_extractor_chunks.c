/*
 * test_voice_extractor_chunks.c — the voice extractor's chunking, STFT
 * framing and overlap handling, with stand-in MDX-Net models
 * (tests/models/gen_lip_syncer.py) on a generated stereo signal (a chirp
 * 100 Hz → 12 kHz left, three tones right, 48 kHz, peak 0.35):
 * - an identity model (T = 256, one segment a chunk, as the real models)
 *   gives the input back within 1e-4 wherever no
 *   STFT frame straddles an edge. FaceFusion cuts chunks with hard edges
 *   and drops the bins above 3071 (19.2 kHz), so within 3840 samples
 *   (80 ms) of a chunk's edge and of the audio's ends the cut rings; there
 *   the error is only bounded (< 0.1) and the whole signal's RMS error
 *   must stay under 2e-3. The same holds for a clip shorter than a chunk;
 * - a soft-gate model (x³ / (x² + 100) on every spectrogram value) gives
 *   what FaceFusion's own code gives with that function in place of the
 *   network (tests/processors/voice_reference.py: numpy + scipy's stft and
 *   istft, as voice_extractor.py calls them), within 3e-5 everywhere,
 *   edges included, for T = 256 and for T = 64 (five segments a chunk, and
 *   a last chunk of exactly two): the spectrogram's scale, bins, framing,
 *   segment trims and chunk averaging all match;
 * - a model whose input is not [N, 4, 3072, T] is refused at open.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "processors/voice_extractor.h"
#include "testlib.h"

#define LONG_CLIP (184320 + 113664) /* two chunks; the second = 2 segments of T = 64 */
#define EDGE 3840

static float *audio;
static double *ref256, *ref64;

static float *make_audio(int64_t frames)
{
    float *x = malloc(sizeof(float) * 2 * (size_t)frames);
    const double dur = (double)frames / 48000, k = log(12000.0 / 100.0) / dur;
    for (int64_t i = 0; i < frames; i++) {
        double t = (double)i / 48000;
        x[2 * i] = (float)(0.3 * sin(2 * M_PI * 100 * (exp(k * t) - 1) / k));
        x[2 * i + 1] = (float)(0.2 * sin(2 * M_PI * 220 * t) + 0.1 * sin(2 * M_PI * 1870 * t + 1) +
                               0.05 * sin(2 * M_PI * 7400 * t + 2));
    }
    return x;
}

static double *read_f64(const char *path, int64_t count)
{
    double *d = malloc(sizeof(double) * (size_t)count);
    FILE *f = fopen(path, "rb");
    size_t got = f ? fread(d, sizeof(double), (size_t)count, f) : 0;
    if (f)
        fclose(f);
    if (got != (size_t)count) {
        free(d);
        return NULL;
    }
    return d;
}

/* FaceFusion's computation with the gate for T = 256 and T = 64, one python run. */
static void run_reference(void)
{
    char cmd[4096];
    const char *in = tl_tmp("voice_in.f32");
    FILE *f = fopen(in, "wb");
    fwrite(audio, sizeof(float), 2 * (size_t)LONG_CLIP, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/tests/processors/voice_reference.py '%s' 256 gate '%s' 64 gate '%s'",
             FACEFUSE_SOURCE_DIR, in, tl_tmp("ref256.f64"), tl_tmp("ref64.f64"));
    if (system(cmd) != 0)
        return;
    ref256 = read_f64(tl_tmp("ref256.f64"), 2 * LONG_CLIP);
    ref64 = read_f64(tl_tmp("ref64.f64"), 2 * LONG_CLIP);
}

static fu_voice_extractor *open_standin(facefuse_context **ctx, const char *dir_name, const char *stand_in)
{
    fu_voice_extractor *ve = NULL;
    fu_err err;
    *ctx = tl_context_at(tl_model_dir_with(dir_name, "kim_vocal_2.onnx", stand_in), FACEFUSE_LOG_ERROR);
    if (fu_voice_extractor_open(*ctx, "kim_vocal_2", &ve, &err) != FACEFUSE_OK)
        fprintf(stderr, "    open %s: %s\n", stand_in, err.msg);
    return ve;
}

/* The voice of the first `frames` of audio through stand_in; NULL on failure. */
static float *extract(const char *dir_name, const char *stand_in, int64_t frames, int expect_segment)
{
    facefuse_context *ctx;
    fu_voice_extractor *ve = open_standin(&ctx, dir_name, stand_in);
    fu_err err;
    float *voice = NULL;
    if (ve) {
        CHECK(fu_voice_extractor_segment(ve) == expect_segment, "%s: segment %d, want %d", stand_in,
              fu_voice_extractor_segment(ve), expect_segment);
        voice = malloc(sizeof(float) * 2 * (size_t)frames);
        if (fu_voice_extractor_run(ve, audio, frames, voice, NULL, &err) != FACEFUSE_OK) {
            CHECK(0, "%s: %s", stand_in, err.msg);
            free(voice);
            voice = NULL;
        }
    } else {
        CHECK(0, "cannot open %s", stand_in);
    }
    fu_voice_extractor_close(ve);
    facefuse_context_free(ctx);
    return voice;
}

/* 1 when an STFT frame around sample i straddles a chunk edge or an end of the audio. */
static int near_edge(int64_t i, int64_t frames)
{
    if (i < EDGE || i >= frames - EDGE)
        return 1;
    for (int64_t s = 184320; s < frames; s += 184320)
        if (llabs(i - s) < EDGE)
            return 1;
    for (int64_t e = 245760; e < frames; e += 184320)
        if (llabs(i - e) < EDGE)
            return 1;
    return 0;
}

static void identity_case(const char *stand_in, int64_t frames, int segment)
{
    float *voice = extract("voice_identity", stand_in, frames, segment);
    if (!voice)
        return;
    double inner = 0, edge = 0, sq = 0;
    int64_t inner_n = 0;
    for (int64_t i = 0; i < 2 * frames; i++) {
        double d = fabs(voice[i] - audio[i]);
        sq += d * d;
        if (near_edge(i / 2, frames)) {
            edge = fmax(edge, d);
        } else {
            inner = fmax(inner, d);
            inner_n++;
        }
    }
    double rms = sqrt(sq / (2.0 * frames));
    printf("    %s, %lld samples: max error %.2g away from edges (%lld values), %.3f near them, RMS %.2g\n",
           stand_in, (long long)frames, inner, (long long)inner_n, edge, rms);
    CHECK(inner < 1e-4, "%s: identity model changed the audio by %.3g away from chunk edges", stand_in, inner);
    CHECK(edge < 0.1, "%s: %.3f of ringing at chunk edges", stand_in, edge);
    CHECK(rms < 2e-3, "%s: RMS error %.3g", stand_in, rms);
    free(voice);
}

static void test_identity_reassembles_the_input(void)
{
    identity_case("kim_vocal_2.onnx", LONG_CLIP, 255 * 1024);
    float *voice = extract("voice_identity", "kim_vocal_2.onnx", 9000, 255 * 1024); /* < one chunk */
    if (voice) {
        double inner = 0;
        for (int64_t i = 2 * EDGE; i < 2 * (9000 - EDGE); i++)
            inner = fmax(inner, fabs(voice[i] - audio[i]));
        CHECK(inner < 1e-4, "9000 samples: identity changed the middle by %.3g", inner);
        free(voice);
    }
}

static void gate_case(const char *stand_in, const double *ref, int segment)
{
    REQUIRE(ref, "voice_reference.py failed (python3 with numpy and scipy is needed)");
    float *voice = extract("voice_gate", stand_in, LONG_CLIP, segment);
    if (!voice)
        return;
    double worst = 0, changed = 0;
    for (int64_t i = 0; i < 2 * LONG_CLIP; i++) {
        worst = fmax(worst, fabs(voice[i] - ref[i]));
        changed = fmax(changed, fabs(ref[i] - audio[i]));
    }
    printf("    %s: max |C − FaceFusion| %.2g; the gate changes the audio by up to %.3f\n", stand_in, worst, changed);
    CHECK(worst < 3e-5, "%s: differs from FaceFusion's computation by %.3g", stand_in, worst);
    CHECK(changed > 0.01, "%s: the gate stand-in hardly changes the audio (%.3g): a weak test", stand_in, changed);
    free(voice);
}

static void test_gate_matches_facefusion(void)
{
    gate_case("voice_gate_t256.onnx", ref256, 255 * 1024);
    gate_case("voice_gate_t64.onnx", ref64, 63 * 1024);
}

static void test_wrong_model_is_refused(void)
{
    facefuse_context *ctx = tl_context_at(tl_model_dir_with("voice_wrong", "kim_vocal_2.onnx", "wav2lip_96.onnx"),
                                          FACEFUSE_LOG_ERROR);
    fu_voice_extractor *ve = NULL;
    fu_err err;
    facefuse_status st = fu_voice_extractor_open(ctx, "kim_vocal_2", &ve, &err);
    CHECK(st == FACEFUSE_ERR_MODEL_CONTRACT && !ve, "a lip syncer opened as a voice extractor: %d", st);
    CHECK(strstr(err.msg, "kim_vocal_2.onnx") != NULL, "message does not name the file: %s", err.msg);
    st = fu_voice_extractor_open(ctx, "wav2lip_96", &ve, &err);
    CHECK(st == FACEFUSE_ERR_INVALID_ARGUMENT && !ve, "wav2lip_96 accepted as a voice extractor name");
    facefuse_context_free(ctx);
}

int main(void)
{
    audio = make_audio(LONG_CLIP);
    run_reference();
    RUN(test_identity_reassembles_the_input);
    RUN(test_gate_matches_facefusion);
    RUN(test_wrong_model_is_refused);
    free(audio), free(ref256), free(ref64);
    return tl_finish();
}
