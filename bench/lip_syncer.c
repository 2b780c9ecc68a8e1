/*
 * lip_syncer.c — the lip syncer's costs on stand-in models (tests/models):
 * - the mel front end: ms per second of 16 kHz audio (prepare +
 *   spectrogram), and the per-frame window copy;
 * - the voice track from a 48 kHz stereo WAV: decode, the voice extractor
 *   (its STFT, model and inverse), 48 → 16 kHz, mel; the share of the
 *   voice extractor's time spent outside the model;
 * - per face on a 1920×1080 frame: crop (align, masks, model input),
 *   model, paste, for wav2lip_gan_96 and edtalk_256, with and without the
 *   occlusion mask.
 *
 *   bench_lip_syncer [TEST_MODEL_DIR]
 *
 * The stand-ins are identity graphs, so "model" is ONNX Runtime's tensor
 * traffic, not a network: the figures are the cost around the real models.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchutil.h"
#include "core/clock.h"
#include "core/geometry.h"
#include "core/image.h"
#include "infer/ort.h"
#include "media/audio_mel.h"
#include "processors/face_masker.h"
#include "processors/lip_audio.h"
#include "processors/lip_syncer.h"

/* CPU time of the calling thread: what the single-threaded parts cost on a
 * core of their own, whatever else the machine runs. */
static int64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static float *chirp(int rate, int64_t n)
{
    float *x = malloc(sizeof(float) * (size_t)n);
    const double dur = (double)n / rate, k = log(7000.0 / 80.0) / dur;
    for (int64_t i = 0; i < n; i++) {
        double t = (double)i / rate;
        x[i] = (float)(0.5 * sin(2 * M_PI * 80 * (exp(k * t) - 1) / k) * (0.6 + 0.4 * sin(2 * M_PI * 3 * t)));
    }
    return x;
}

static void bench_mel(void)
{
    const int seconds = 60;
    const int64_t n = (int64_t)seconds * FU_MEL_RATE_HZ;
    float *x = chirp(FU_MEL_RATE_HZ, n), *work = malloc(sizeof(float) * (size_t)n);
    float window[FU_MEL_BANDS * FU_MEL_WINDOW];
    double best = 1e30;
    fu_mel mel = {0};
    fu_err err;
    for (int r = 0; r < 3; r++) {
        memcpy(work, x, sizeof(float) * (size_t)n);
        fu_mel_free(&mel);
        int64_t t0 = thread_cpu_ns();
        fu_mel_prepare(work, n);
        fu_mel_spectrogram(work, n, &mel, &err);
        double ms = (thread_cpu_ns() - t0) / 1e6;
        best = ms < best ? ms : best;
    }
    int64_t frames = fu_mel_frame_count(&mel, 30000 / 1001.0), t0 = fu_now_ns();
    for (int64_t f = 0; f < frames; f++)
        fu_mel_window(&mel, 30000 / 1001.0, f, window);
    double per_window_us = (fu_now_ns() - t0) / 1e3 / (double)frames;
    printf("mel (CPU time, best of 3): %d s of 16 kHz audio in %.1f ms = %.2f ms per second of audio (%lld columns); "
           "window copy %.2f µs a frame\n",
           seconds, best, best / seconds, (long long)mel.columns, per_window_us);
    fu_mel_free(&mel);
    free(x), free(work);
}

/* A 16-bit stereo WAV of a chirp (left) and its reverse (right). */
static int write_wav(const char *path, int rate, int seconds)
{
    const int64_t n = (int64_t)rate * seconds;
    float *x = chirp(rate, n);
    FILE *f = fopen(path, "wb");
    if (!f) {
        free(x);
        return 1;
    }
    uint32_t data = (uint32_t)(n * 4), riff = 36 + data, fmt_size = 16, byte_rate = (uint32_t)rate * 4;
    uint16_t pcm = 1, channels = 2, align = 4, bits = 16;
    uint32_t r32 = (uint32_t)rate;
    fwrite("RIFF", 1, 4, f), fwrite(&riff, 4, 1, f), fwrite("WAVEfmt ", 1, 8, f), fwrite(&fmt_size, 4, 1, f);
    fwrite(&pcm, 2, 1, f), fwrite(&channels, 2, 1, f), fwrite(&r32, 4, 1, f), fwrite(&byte_rate, 4, 1, f);
    fwrite(&align, 2, 1, f), fwrite(&bits, 2, 1, f), fwrite("data", 1, 4, f), fwrite(&data, 4, 1, f);
    for (int64_t i = 0; i < n; i++) {
        int16_t s[2] = {(int16_t)lrintf(x[i] * 32767), (int16_t)lrintf(x[n - 1 - i] * 32767)};
        fwrite(s, 2, 2, f);
    }
    fclose(f);
    free(x);
    return 0;
}

static void bench_voice_track(facefuse_context *ctx, const char *wav, int seconds, const char *voice_model)
{
    fu_lip_audio_settings s = {wav, voice_model, 30000 / 1001.0};
    fu_lip_audio_timing t = {0};
    fu_lip_audio *a = NULL;
    fu_err err;
    int64_t t0 = fu_now_ns(), c0 = thread_cpu_ns();
    if (fu_lip_audio_open(ctx, &s, &a, &t, &err) != FACEFUSE_OK) {
        fprintf(stderr, "voice track: %s\n", err.msg);
        return;
    }
    double total = (fu_now_ns() - t0) / 1e6, cpu = (thread_cpu_ns() - c0) / 1e6;
    double voice = (t.voice.stft_ns + t.voice.model_ns + t.voice.istft_ns) / 1e6;
    printf("voice track, %d s 48 kHz stereo, voice extractor %s: total %.0f ms = decode %.0f + voice %.0f "
           "(STFT %.0f, model %.0f, iSTFT+average %.0f) + to 16 kHz %.0f + mel %.0f ms\n",
           seconds, voice_model, total, t.decode_ns / 1e6, voice, t.voice.stft_ns / 1e6, t.voice.model_ns / 1e6,
           t.voice.istft_ns / 1e6, t.resample_ns / 1e6, t.mel_ns / 1e6);
    printf("  CPU of the calling thread: %.0f ms = %.2f ms per second of audio\n", cpu, cpu / seconds);
    if (voice > 0)
        printf("  voice extractor: %.2f ms per second of audio outside the model; share outside the model "
               "(stand-in) %.0f%% of the extractor, %.0f%% of the whole track\n",
               (voice - t.voice.model_ns / 1e6) / seconds, 100 * (voice - t.voice.model_ns / 1e6) / voice,
               100 * (total - t.voice.model_ns / 1e6) / total);
    fu_lip_audio_close(a);
}

/* A synthetic frontal face (as tests/processors/lip_testutil.h) centred in the frame. */
static facefuse_face synthetic_face(double cx, double cy, double scale)
{
    facefuse_face f;
    const facefuse_point *five = fu_template("ffhq_512");
    memset(&f, 0, sizeof f);
    for (int i = 0; i < 5; i++)
        f.landmark_5[i] = f.landmark_5_68[i] =
            (facefuse_point){(float)(cx + scale * (five[i].x * 512 - 256)), (float)(cy + scale * (five[i].y * 512 - 256))};
    for (int i = 0; i < 68; i++) {
        double px, py;
        if (i <= 16)
            px = 256 - 126 * cos(M_PI * i / 16), py = 230 + 220 * sin(M_PI * i / 16);
        else if (i < 48)
            px = 180 + (i % 8) * 20, py = 200 + (i % 5) * 30;
        else
            px = 257 - 56 * cos(2 * M_PI * i / 20), py = 371 - 22 * sin(2 * M_PI * i / 20);
        f.landmark_68[i] = (facefuse_point){(float)(cx + scale * (px - 256)), (float)(cy + scale * (py - 256))};
    }
    f.has_landmark_68 = 1;
    return f;
}

static void bench_face(facefuse_context *ctx, const char *model, int occlusion, const facefuse_image *frame,
                       const facefuse_face *face, int runs)
{
    static const char *const types[] = {"box", "occlusion"};
    fu_masker_settings ms;
    fu_face_masker *masker = NULL;
    fu_lip_syncer *ls = NULL;
    fu_lip_timing t = {0};
    fu_err err;
    float window[FU_MEL_BANDS * FU_MEL_WINDOW];
    for (int i = 0; i < FU_MEL_BANDS * FU_MEL_WINDOW; i++)
        window[i] = 0.05f * (float)(i % 17);
    memset(&ms, 0, sizeof ms);
    ms.occluder_model = "xseg_1";
    ms.types = (fu_strs){types, occlusion ? 2 : 1};
    fu_lip_syncer_settings s = fu_lip_syncer_default_settings();
    s.model = model;
    if (fu_face_masker_open(ctx, &ms, &masker, &err) != FACEFUSE_OK ||
        (s.masker = masker, fu_lip_syncer_open(ctx, &s, &ls, &err)) != FACEFUSE_OK) {
        fprintf(stderr, "%s: %s\n", model, err.msg);
        fu_face_masker_close(masker);
        return;
    }
    facefuse_image work = {0};
    fu_image_copy(&work, frame);
    fu_lip_syncer_sync_face(ls, &work, face, window, NULL, &err); /* warm-up */
    double crop = 1e30, model_ms = 1e30, paste = 1e30, mean = 0, cpu = 1e30;
    for (int i = 0; i < runs; i++) { /* best of the runs: the machine may be shared */
        memset(&t, 0, sizeof t);
        int64_t c0 = thread_cpu_ns();
        fu_lip_syncer_sync_face(ls, &work, face, window, &t, &err);
        cpu = fmin(cpu, (thread_cpu_ns() - c0) / 1e6);
        crop = fmin(crop, t.crop_ns / 1e6), model_ms = fmin(model_ms, t.model_ns / 1e6);
        paste = fmin(paste, t.paste_ns / 1e6);
        mean += (t.crop_ns + t.model_ns + t.paste_ns) / 1e6 / runs;
    }
    printf("lip syncer %-15s %-11s per face, best of %d: crop %6.2f  model %5.2f  paste %6.2f  = %6.2f ms "
           "(mean %.2f); CPU of the calling thread %.2f ms\n",
           model, occlusion ? "+occlusion" : "", runs, crop, model_ms, paste, crop + model_ms + paste, mean, cpu);
    facefuse_image_free(&work);
    fu_lip_syncer_close(ls);
    fu_face_masker_close(masker);
}

int main(int argc, char **argv)
{
    char dir[1024], wav[1100];
    if (bench_model_dir(argc, argv, dir, sizeof dir))
        return 1;
    facefuse_context *ctx = bench_open_context(dir);
    printf("ONNX Runtime %s, 2 intra-op threads, stand-in models in %s\n", fu_ort_version(), dir);
    bench_mel();

    const int seconds = 30;
    snprintf(wav, sizeof wav, "%s/bench_voice.wav", dir);
    if (write_wav(wav, 48000, seconds) == 0) {
        bench_voice_track(ctx, wav, seconds, "none");
        bench_voice_track(ctx, wav, seconds, "kim_vocal_2");
        remove(wav);
    }

    facefuse_image frame = {0};
    facefuse_image_alloc(&frame, 1920, 1080, 3);
    for (int y = 0; y < 1080; y++)
        for (int x = 0; x < 1920; x++) {
            uint8_t *p = fu_pixel(&frame, x, y);
            p[0] = (uint8_t)(x * 255 / 1919), p[1] = (uint8_t)(y * 255 / 1079), p[2] = (uint8_t)((x + y) & 255);
        }
    facefuse_face face = synthetic_face(960, 500, 0.8); /* the 512 crop spans 410 px of the frame */
    bench_face(ctx, "wav2lip_gan_96", 0, &frame, &face, 30);
    bench_face(ctx, "wav2lip_gan_96", 1, &frame, &face, 30);
    bench_face(ctx, "edtalk_256", 0, &frame, &face, 30);
    bench_face(ctx, "edtalk_256", 1, &frame, &face, 30);
    facefuse_image_free(&frame);
    facefuse_context_free(ctx);
    return 0;
}
