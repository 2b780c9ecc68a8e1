/*
 * test_audio_mel_matches_scipy.c — the mel front end against FaceFusion's
 * own computation (tests/media/mel_reference.py: numpy + scipy's stft,
 * lfilter and triang, as facefusion/audio.py calls them) on a generated
 * signal: an exponential chirp 60 Hz → 7.5 kHz with a slow tremolo and a
 * little noise, 3.3 s at 16 kHz plus a few samples (not a whole hop).
 * - prepare (normalise + pre-emphasis) within 1e-6;
 * - the filter bank within 1e-6 (same edges, same triangles);
 * - the spectrogram within 1e-4 of its peak + 1e-3 relative, and the model
 *   feature clip(log10(max(x, 1e-5))·1.6 + 3.2, −4, 4) within 0.005;
 * - for 25, 29.97 (30000/1001), 23.976 (24000/1001), 30, 50 and 59.94 fps,
 *   the same number of frames with the same window end column each, and
 *   fu_mel_window copies exactly those 16 columns.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media/audio_mel.h"
#include "testlib.h"

#define RATE 16000
#define SAMPLES (3 * RATE + RATE * 3 / 10 + 37)

static float *signal;
static double *prepared, *bank, *spec;
static int64_t ref_columns;
static int have_reference;

static double *read_f64(const char *path, size_t *count)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long bytes = ftell(f);
    fseek(f, 0, SEEK_SET);
    double *d = malloc((size_t)bytes + 8);
    *count = d ? fread(d, sizeof(double), (size_t)bytes / sizeof(double), f) : 0;
    fclose(f);
    return d;
}

static void make_signal(void)
{
    const double f0 = 60, f1 = 7500, dur = (double)SAMPLES / RATE, k = log(f1 / f0) / dur;
    uint32_t lcg = 12345;
    signal = malloc(sizeof(float) * SAMPLES);
    for (int i = 0; i < SAMPLES; i++) {
        double t = (double)i / RATE;
        double phase = 2 * M_PI * f0 * (exp(k * t) - 1) / k;
        lcg = lcg * 1664525u + 1013904223u;
        double noise = ((lcg >> 8) / 16777216.0 - 0.5) * 0.01;
        signal[i] = (float)(0.6 * sin(phase) * (0.6 + 0.4 * sin(2 * M_PI * 1.3 * t)) + noise);
    }
}

static const char *const fps_list[] = {"25", "30000/1001", "24000/1001", "30", "50", "60000/1001"};
#define FPS_COUNT (int)(sizeof fps_list / sizeof fps_list[0])

static void run_reference(void)
{
    char cmd[4096];
    const char *in = tl_tmp("chirp.f32");
    FILE *f = fopen(in, "wb");
    fwrite(signal, sizeof(float), SAMPLES, f);
    fclose(f);
    int n = snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/tests/media/mel_reference.py '%s' '%s'", FACEFUSE_SOURCE_DIR,
                     in, tl_tmpdir());
    for (int i = 0; i < FPS_COUNT; i++)
        n += snprintf(cmd + n, sizeof cmd - (size_t)n, " %s", fps_list[i]);
    if (system(cmd) != 0)
        return;
    size_t np = 0, nb = 0, ns = 0;
    prepared = read_f64(tl_tmp("prepared.f64"), &np);
    bank = read_f64(tl_tmp("bank.f64"), &nb);
    spec = read_f64(tl_tmp("spec.f64"), &ns);
    ref_columns = (int64_t)(ns / FU_MEL_BANDS);
    have_reference = prepared && bank && spec && np == SAMPLES && nb == FU_MEL_BANDS * FU_MEL_BINS &&
                     ns % FU_MEL_BANDS == 0;
}

static void test_reference_ran(void)
{
    CHECK(have_reference, "tests/media/mel_reference.py failed (python3 with numpy and scipy is needed)");
}

static void test_prepare_matches(void)
{
    REQUIRE(have_reference, "no reference");
    float *x = malloc(sizeof(float) * SAMPLES);
    memcpy(x, signal, sizeof(float) * SAMPLES);
    fu_mel_prepare(x, SAMPLES);
    double worst = 0;
    for (int i = 0; i < SAMPLES; i++)
        worst = fmax(worst, fabs(x[i] - prepared[i]));
    printf("    prepare: max |difference| %.3g\n", worst);
    CHECK(worst < 1e-6, "prepared signal differs by %.3g", worst);
    free(x);
}

static void test_filter_bank_matches(void)
{
    REQUIRE(have_reference, "no reference");
    float *b = malloc(sizeof(float) * FU_MEL_BANDS * FU_MEL_BINS);
    fu_mel_filter_bank(b);
    double worst = 0;
    int nonzero = 0;
    for (int i = 0; i < FU_MEL_BANDS * FU_MEL_BINS; i++) {
        worst = fmax(worst, fabs(b[i] - bank[i]));
        nonzero += bank[i] != 0;
    }
    CHECK(worst < 1e-6, "filter bank differs by %.3g", worst);
    CHECK(nonzero > 300, "the reference bank has only %d weights", nonzero);
    free(b);
}

static void test_spectrogram_matches(void)
{
    REQUIRE(have_reference, "no reference");
    fu_mel mel;
    fu_err err;
    float *x = malloc(sizeof(float) * SAMPLES);
    for (int i = 0; i < SAMPLES; i++)
        x[i] = (float)prepared[i];
    REQUIRE(fu_mel_spectrogram(x, SAMPLES, &mel, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(mel.columns == ref_columns && mel.columns == (SAMPLES + FU_MEL_HOP - 1) / FU_MEL_HOP + 1,
          "%lld columns, reference %lld", (long long)mel.columns, (long long)ref_columns);
    if (mel.columns == ref_columns) {
        double peak = 0, worst = 0, worst_feature = 0;
        for (int64_t i = 0; i < FU_MEL_BANDS * ref_columns; i++)
            peak = fmax(peak, spec[i]);
        for (int64_t i = 0; i < FU_MEL_BANDS * ref_columns; i++) {
            double d = fabs(mel.data[i] - spec[i]);
            worst = fmax(worst, d / (1e-4 * peak + 1e-3 * spec[i]));
            double a = log10(fmax(mel.data[i], 1e-5)) * 1.6 + 3.2, b = log10(fmax(spec[i], 1e-5)) * 1.6 + 3.2;
            a = fmin(4, fmax(-4, a)), b = fmin(4, fmax(-4, b));
            worst_feature = fmax(worst_feature, fabs(a - b));
        }
        printf("    spectrogram: peak %.4g, worst error %.4f of the tolerance, feature error %.2g\n", peak, worst,
               worst_feature);
        CHECK(worst <= 1.0, "spectrogram off by %.2f times the tolerance", worst);
        CHECK(worst_feature < 0.005, "model feature off by %.3g", worst_feature);
        CHECK(peak > 0.1, "reference spectrogram is nearly empty (peak %g)", peak);
    }
    fu_mel_free(&mel);
    free(x);
}

static double parse_fps(const char *s)
{
    double a = atof(s);
    const char *slash = strchr(s, '/');
    return slash ? a / atof(slash + 1) : a;
}

static void test_frame_windows_match(void)
{
    REQUIRE(have_reference, "no reference");
    fu_mel mel = {ref_columns, malloc(sizeof(float) * FU_MEL_BANDS * (size_t)ref_columns)};
    for (int64_t i = 0; i < FU_MEL_BANDS * ref_columns; i++)
        mel.data[i] = (float)spec[i];
    FILE *f = fopen(tl_tmp("ends.txt"), "r");
    REQUIRE(f, "no ends.txt");
    char line[65536];
    float window[FU_MEL_BANDS * FU_MEL_WINDOW];
    int lines = 0;
    while (fgets(line, sizeof line, f)) {
        char *save = NULL, *tok = strtok_r(line, " \n", &save);
        double fps = parse_fps(tok);
        int64_t frame = 0, bad = 0, bad_copy = 0;
        for (tok = strtok_r(NULL, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save), frame++) {
            int64_t want = atoll(tok), got = fu_mel_window_end(&mel, fps, frame);
            bad += got != want;
            if (got == want && fu_mel_window(&mel, fps, frame, window))
                for (int b = 0; b < FU_MEL_BANDS; b++)
                    for (int c = 0; c < FU_MEL_WINDOW; c++)
                        bad_copy += window[b * FU_MEL_WINDOW + c] != (float)spec[b * ref_columns + want - 16 + c];
        }
        printf("    %s fps: %lld frames\n", fps_list[lines], (long long)frame);
        CHECK(frame > 50, "%g fps: only %lld reference frames", fps, (long long)frame);
        CHECK(fu_mel_frame_count(&mel, fps) == frame, "%g fps: %lld frames, reference %lld", fps,
              (long long)fu_mel_frame_count(&mel, fps), (long long)frame);
        CHECK(bad == 0, "%g fps: %lld of %lld window ends differ from FaceFusion's", fps, (long long)bad,
              (long long)frame);
        CHECK(bad_copy == 0, "%g fps: %lld window values are not the spectrogram's", fps, (long long)bad_copy);
        CHECK(fu_mel_window_end(&mel, fps, frame) == -1 && !fu_mel_window(&mel, fps, frame, window),
              "%g fps: a window past the last frame", fps);
        int zero = 1;
        for (int i = 0; i < FU_MEL_BANDS * FU_MEL_WINDOW; i++)
            zero &= window[i] == 0.0f;
        CHECK(zero, "%g fps: the window past the end is not all zeros", fps);
        lines++;
    }
    fclose(f);
    CHECK(lines == FPS_COUNT, "%d fps lines", lines);
    fu_mel_free(&mel);
}

int main(void)
{
    make_signal();
    run_reference();
    RUN(test_reference_ran);
    RUN(test_prepare_matches);
    RUN(test_filter_bank_matches);
    RUN(test_spectrogram_matches);
    RUN(test_frame_windows_match);
    free(signal);
    free(prepared), free(bank), free(spec);
    return tl_finish();
}
