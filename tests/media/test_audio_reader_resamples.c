/*
 * test_audio_reader_resamples.c — fu_audio_read on files written by the
 * test's own encoder helper (audio_testutil.h):
 * - a 997 Hz tone in a 44.1 kHz stereo WAV comes out at 16 kHz mono and at
 *   48 kHz stereo still at 997 Hz (±0.05), with the duration scaled by the
 *   rate ratio (±2 samples);
 * - timing survives resampling: a click at 0.5 s in a 48 kHz WAV peaks at
 *   sample 8000 (±1) of the 16 kHz output;
 * - every format the lip syncer takes (FLAC, AAC in .m4a, MP3, Vorbis in
 *   .ogg, Opus) and a video's AAC track decode to their tone (±0.2 Hz) and
 *   length (±25 ms), and a tone burst at 0.75 s stays there (±1 ms);
 * - mono is spread over both channels equally, stereo → mono averages;
 * - bad input is one error naming the file: a missing file
 *   (FACEFUSE_ERR_NOT_FOUND), an image and a video without audio ("no audio
 *   stream"), random bytes named .mp3 and a WAV cut inside its header
 *   (FACEFUSE_ERR_DECODE);
 * - AAC packets overwritten with noise: a few become silence of their
 *   length (the audio after them keeps its time, ±1 ms); all of them is
 *   "corrupt audio", FACEFUSE_ERR_DECODE.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio_testutil.h"
#include "media/audio_reader.h"
#include "testlib.h"
#include "video_testutil.h"

static float *tone(int rate, int channels, double seconds, double hz, double burst_at_s, int64_t *frames)
{
    *frames = (int64_t)(seconds * rate);
    float *x = malloc(sizeof(float) * (size_t)*frames * (size_t)channels);
    for (int64_t i = 0; i < *frames; i++) {
        double t = (double)i / rate, v = 0.4 * sin(2 * M_PI * hz * t);
        double d = t - burst_at_s;
        if (burst_at_s > 0 && fabs(d) < 0.005) /* 10 ms Hann-shaped 3 kHz burst */
            v += 0.5 * (0.5 + 0.5 * cos(M_PI * d / 0.005)) * sin(2 * M_PI * 3000 * t);
        for (int c = 0; c < channels; c++)
            x[i * channels + c] = (float)v;
    }
    return x;
}

/* The time (s) where the 3 kHz burst's envelope peaks in mono x at rate. */
static double burst_time(const float *x, int64_t n, int rate)
{
    const int half = rate / 400; /* 2.5 ms */
    double best = -1, at = 0;
    for (int64_t c = half; c + half < n; c++) {
        double re = 0, im = 0;
        for (int k = -half; k <= half; k++) {
            double a = 2 * M_PI * 3000 * (double)(c + k) / rate, w = 0.5 + 0.5 * cos(M_PI * k / half);
            re += x[c + k] * w * cos(a);
            im += x[c + k] * w * sin(a);
        }
        double p = re * re + im * im;
        if (p > best)
            best = p, at = (double)c / rate;
        c += (c < (int64_t)(0.7 * rate) || c > (int64_t)(0.8 * rate)) ? half : 0; /* coarse away from it */
    }
    return at;
}

static void test_tone_keeps_its_frequency(void)
{
    int64_t n;
    float *x = tone(44100, 2, 2.0, 997, 0, &n);
    const char *path = tl_tmp("tone44k.wav");
    REQUIRE(at_write(path, "pcm_s16le", 44100, 2, x, n) == 0, "cannot write %s", path);
    free(x);
    fu_audio_pcm pcm;
    fu_err err;
    REQUIRE(fu_audio_read(path, 16000, 1, &pcm, &err) == FACEFUSE_OK, "%s", err.msg);
    double hz = at_tone_hz(pcm.samples, pcm.frames, 16000, 990, 1004);
    printf("    44.1 kHz → 16 kHz: %lld samples, tone %.3f Hz\n", (long long)pcm.frames, hz);
    CHECK(pcm.channels == 1 && pcm.rate_hz == 16000, "format %d ch %d Hz", pcm.channels, pcm.rate_hz);
    CHECK(llabs(pcm.frames - 32000) <= 2, "%lld samples at 16 kHz, want 32000", (long long)pcm.frames);
    CHECK(fabs(hz - 997) < 0.05, "tone at %.3f Hz after resampling, want 997", hz);
    fu_audio_pcm_free(&pcm);

    REQUIRE(fu_audio_read(path, 48000, 2, &pcm, &err) == FACEFUSE_OK, "%s", err.msg);
    float *left = malloc(sizeof(float) * (size_t)pcm.frames);
    for (int64_t i = 0; i < pcm.frames; i++)
        left[i] = pcm.samples[2 * i];
    hz = at_tone_hz(left, pcm.frames, 48000, 990, 1004);
    CHECK(llabs(pcm.frames - 96000) <= 2, "%lld samples at 48 kHz, want 96000", (long long)pcm.frames);
    CHECK(fabs(hz - 997) < 0.05, "tone at %.3f Hz at 48 kHz, want 997", hz);
    free(left);
    fu_audio_pcm_free(&pcm);
}

static void test_click_stays_in_place(void)
{
    const int64_t n = 48000;
    float *x = calloc((size_t)n, sizeof(float));
    x[24000] = 0.9f; /* 0.5 s */
    const char *path = tl_tmp("click48k.wav");
    REQUIRE(at_write(path, "pcm_s16le", 48000, 1, x, n) == 0, "cannot write %s", path);
    free(x);
    fu_audio_pcm pcm;
    fu_err err;
    REQUIRE(fu_audio_read(path, 16000, 1, &pcm, &err) == FACEFUSE_OK, "%s", err.msg);
    int64_t peak = 0;
    for (int64_t i = 1; i < pcm.frames; i++)
        if (fabsf(pcm.samples[i]) > fabsf(pcm.samples[peak]))
            peak = i;
    printf("    click at 48 kHz sample 24000 → 16 kHz sample %lld\n", (long long)peak);
    CHECK(llabs(peak - 8000) <= 1, "click moved to sample %lld, want 8000", (long long)peak);
    fu_audio_pcm_free(&pcm);
}

static void check_file(const char *path, double hz, double seconds, int check_burst)
{
    fu_audio_pcm pcm;
    fu_err err;
    if (fu_audio_read(path, 16000, 1, &pcm, &err) != FACEFUSE_OK) {
        CHECK(0, "%s", err.msg);
        return;
    }
    double got = at_tone_hz(pcm.samples, pcm.frames, 16000, hz - 5, hz + 5);
    double burst = check_burst ? burst_time(pcm.samples, pcm.frames, 16000) : 0.75;
    printf("    %s: %.3f s, tone %.3f Hz, burst at %.4f s\n", strrchr(path, '/') + 1, pcm.frames / 16000.0, got, burst);
    CHECK(fabs(got - hz) < 0.2, "%s: tone at %.3f Hz, want %.1f", path, got, hz);
    CHECK(fabs(pcm.frames / 16000.0 - seconds) < 0.025, "%s: %.3f s, want %.3f", path, pcm.frames / 16000.0, seconds);
    CHECK(fabs(burst - 0.75) <= 0.001, "%s: burst at %.4f s, want 0.75", path, burst);
    fu_audio_pcm_free(&pcm);
}

static void test_formats(void)
{
    static const char *const cases[][2] = {
        {"flac", "tone.flac"}, {"aac", "tone.m4a"}, {"libmp3lame", "tone.mp3"},
        {"libvorbis", "tone.ogg"}, {"libopus", "tone.opus"},
    };
    int written = 0;
    for (int i = 0; i < 5; i++) {
        const int rate = strcmp(cases[i][0], "libopus") == 0 ? 48000 : 44100;
        int64_t n;
        float *x = tone(rate, 2, 1.5, 440, 0.75, &n);
        const char *path = tl_tmp(cases[i][1]);
        int w = at_write(path, cases[i][0], rate, 2, x, n);
        free(x);
        if (w == 1) {
            printf("    %s: encoder not in this FFmpeg build, skipped\n", cases[i][0]);
            continue;
        }
        CHECK(w == 0, "cannot write %s", path);
        if (w == 0) {
            check_file(path, 440, 1.5, 1);
            written++;
        }
    }
    CHECK(written >= 3, "only %d formats could be written", written);
}

static void test_audio_of_a_video(void)
{
    vt_clip c = vt_clip_default();
    c.frames = 45; /* 3 s at 15 fps, 440 Hz AAC */
    const char *path = tl_tmp("clip.mp4");
    REQUIRE(vt_make_clip(path, &c) == 0, "cannot make %s", path);
    fu_audio_pcm pcm;
    fu_err err;
    REQUIRE(fu_audio_read(path, 16000, 1, &pcm, &err) == FACEFUSE_OK, "%s", err.msg);
    double hz = at_tone_hz(pcm.samples, pcm.frames, 16000, 430, 450);
    CHECK(fabs(hz - 440) < 0.2, "video audio tone at %.3f Hz", hz);
    CHECK(fabs(pcm.frames / 16000.0 - 3.0) < 0.05, "video audio lasts %.3f s", pcm.frames / 16000.0);
    fu_audio_pcm_free(&pcm);
    int has_audio, has_video;
    fu_audio_probe(path, &has_audio, &has_video);
    CHECK(has_audio && has_video, "probe of a video with audio: %d %d", has_audio, has_video);
}

static void test_channel_mixing(void)
{
    const int64_t n = 4800;
    float *st = malloc(sizeof(float) * 2 * n), *mono = malloc(sizeof(float) * n);
    for (int64_t i = 0; i < n; i++) {
        st[2 * i] = 0.5f, st[2 * i + 1] = 0.1f;
        mono[i] = 0.4f;
    }
    fu_audio_pcm in = {st, n, 2, 48000}, out;
    fu_err err;
    REQUIRE(fu_audio_convert(&in, 48000, 1, &out, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(out.frames == n && fabsf(out.samples[n / 2] - 0.3f) < 1e-4f, "stereo → mono gave %g, want 0.3",
          out.samples[n / 2]);
    fu_audio_pcm_free(&out);
    in = (fu_audio_pcm){mono, n, 1, 48000};
    REQUIRE(fu_audio_convert(&in, 48000, 2, &out, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(out.frames == n && out.samples[n] == out.samples[n + 1] && out.samples[n] > 0.2f,
          "mono → stereo gave %g / %g", out.samples[n], out.samples[n + 1]);
    fu_audio_pcm_free(&out);
    free(st), free(mono);
}

static void expect_error(const char *path, facefuse_status code, const char *words)
{
    fu_audio_pcm pcm;
    fu_err err;
    fu_err_clear(&err);
    facefuse_status st = fu_audio_read(path, 16000, 1, &pcm, &err);
    printf("    %s → %s\n", strrchr(path, '/') + 1, err.msg);
    CHECK(st == code, "%s: status %d, want %d", path, st, code);
    CHECK(strstr(err.msg, path) != NULL, "message does not name the file: %s", err.msg);
    CHECK(!words || strstr(err.msg, words), "message lacks '%s': %s", words, err.msg);
    CHECK(!strchr(err.msg, '\n'), "message is not one line: %s", err.msg);
    CHECK(pcm.samples == NULL && pcm.frames == 0, "samples handed out on failure");
}

static void test_bad_input(void)
{
    expect_error(tl_tmp("missing.wav"), FACEFUSE_ERR_NOT_FOUND, "does not exist");
    expect_error(tl_shared("samples/astronaut.png"), FACEFUSE_ERR_DECODE, "no audio stream");
    vt_clip c = vt_clip_default();
    c.audio_tracks = 0;
    c.frames = 10;
    REQUIRE(vt_make_clip(tl_tmp("silent.mp4"), &c) == 0, "cannot make silent.mp4");
    expect_error(tl_tmp("silent.mp4"), FACEFUSE_ERR_DECODE, "no audio stream");

    FILE *f = fopen(tl_tmp("noise.mp3"), "wb");
    uint32_t lcg = 99;
    for (int i = 0; i < 20000; i++) {
        lcg = lcg * 1664525u + 1013904223u;
        fputc((int)(lcg >> 24), f);
    }
    fclose(f);
    expect_error(tl_tmp("noise.mp3"), FACEFUSE_ERR_DECODE, NULL);

    int64_t n;
    float *x = tone(16000, 1, 0.5, 440, 0, &n);
    REQUIRE(at_write(tl_tmp("whole.wav"), "pcm_s16le", 16000, 1, x, n) == 0, "cannot write whole.wav");
    free(x);
    REQUIRE(vt_copy_bytes(tl_tmp("whole.wav"), tl_tmp("cut.wav"), 30.0 / 16044.0, 0, 0) == 0, "cannot cut");
    expect_error(tl_tmp("cut.wav"), FACEFUSE_ERR_DECODE, NULL);
    int has_audio = 1, has_video = 1;
    fu_audio_probe(tl_tmp("noise.mp3"), &has_audio, &has_video);
    CHECK(!has_audio && !has_video, "random bytes probe as audio %d video %d", has_audio, has_video);
}

/* A few undecodable AAC packets become silence of their length, so later
 * audio keeps its time; a stream of nothing but bad packets is an error. */
static void test_corrupt_packets(void)
{
    int64_t n;
    float *x = tone(44100, 2, 1.5, 440, 0.75, &n);
    const char *good = tl_tmp("good.m4a"), *some = tl_tmp("some_bad.m4a"), *all = tl_tmp("all_bad.m4a");
    int w = at_write(good, "aac", 44100, 2, x, n);
    free(x);
    REQUIRE(w == 0, "cannot write %s", good);
    int bad = at_corrupt_packets(good, some, 5, 16);
    REQUIRE(bad >= 3, "corrupted %d packets", bad);
    fu_audio_pcm pcm;
    fu_err err;
    REQUIRE(fu_audio_read(some, 16000, 1, &pcm, &err) == FACEFUSE_OK, "%s", err.msg);
    double burst = burst_time(pcm.samples, pcm.frames, 16000);
    printf("    %d of its packets overwritten: %.3f s, burst at %.4f s\n", bad, pcm.frames / 16000.0, burst);
    CHECK(fabs(pcm.frames / 16000.0 - 1.509) < 0.025, "%.3f s after bad packets", pcm.frames / 16000.0);
    CHECK(fabs(burst - 0.75) <= 0.001, "burst moved to %.4f s by the bad packets", burst);
    fu_audio_pcm_free(&pcm);
    REQUIRE(at_corrupt_packets(good, all, 0, 1) > 10, "cannot corrupt %s", all);
    expect_error(all, FACEFUSE_ERR_DECODE, "corrupt audio");
}

int main(void)
{
    RUN(test_tone_keeps_its_frequency);
    RUN(test_click_stays_in_place);
    RUN(test_formats);
    RUN(test_audio_of_a_video);
    RUN(test_channel_mixing);
    RUN(test_bad_input);
    RUN(test_corrupt_packets);
    return tl_finish();
}
