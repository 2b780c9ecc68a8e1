/*
 * test_lip_audio_frame_windows.c — the lip syncer's voice track, end to end
 * from a file: a 48 kHz stereo WAV holding nothing but clicks, each at the
 * timestamp n/fps of a chosen video frame n.
 * - 25 fps (no voice extraction) and 29.97 fps (30000/1001, through the
 *   voice extractor with an identity stand-in, resampling and the mel step):
 *   frame n's window has the click in its first two columns (columns are
 *   12.5 ms apart), frame n − 3's has it 3 frames later in (80·3/fps ± 1
 *   columns), and frame n + 3's does not have it at all;
 * - frames past the audio get the empty window (zeros);
 * - the audio among the sources is the first with an audio extension, else
 *   the first audio-only file (an .aac stream), never an image or a video;
 * - bad settings and a source without audio are one clear error.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../media/audio_testutil.h"
#include "../media/video_testutil.h"
#include "processors/lip_audio.h"
#include "testlib.h"

static const int click_frames[] = {12, 40, 71};

/* A WAV of `seconds` at 48 kHz stereo with a click at each click frame's timestamp. */
static const char *write_clicks(const char *name, double fps, double seconds)
{
    const int64_t n = (int64_t)(seconds * 48000);
    float *x = calloc(2 * (size_t)n, sizeof(float));
    for (int i = 0; i < 3; i++) {
        int64_t at = (int64_t)llround(click_frames[i] / fps * 48000);
        x[2 * at] = x[2 * at + 1] = 0.8f;
    }
    const char *path = tl_tmp(name);
    int rc = at_write(path, "pcm_s16le", 48000, 2, x, n);
    free(x);
    return rc == 0 ? path : NULL;
}

/* The column of the window with the most energy (summed over the bands). */
static int loudest_column(const float *w)
{
    int best = 0;
    double best_e = -1;
    for (int c = 0; c < FU_MEL_WINDOW; c++) {
        double e = 0;
        for (int b = 0; b < FU_MEL_BANDS; b++)
            e += w[b * FU_MEL_WINDOW + c];
        if (e > best_e)
            best_e = e, best = c;
    }
    return best;
}

static double window_energy(const float *w)
{
    double e = 0;
    for (int i = 0; i < FU_MEL_BANDS * FU_MEL_WINDOW; i++)
        e += w[i];
    return e;
}

static void check_clicks(facefuse_context *ctx, const char *path, double fps, const char *voice_model)
{
    fu_lip_audio_settings s = {path, voice_model, fps};
    fu_lip_audio *a = NULL;
    fu_err err;
    float w[FU_MEL_BANDS * FU_MEL_WINDOW];
    REQUIRE(fu_lip_audio_open(ctx, &s, &a, NULL, &err) == FACEFUSE_OK, "%s", err.msg);
    for (int i = 0; i < 3; i++) {
        const int n = click_frames[i];
        REQUIRE(fu_lip_audio_window(a, n, w), "no window for frame %d", n);
        int at = loudest_column(w);
        const double click_e = window_energy(w);
        printf("    %.3f fps, %s: frame %d hears its click in column %d", fps, voice_model, n, at);
        CHECK(at <= 1, "%.3f fps: frame %d's click is in column %d of its window, want 0 or 1", fps, n, at);
        REQUIRE(fu_lip_audio_window(a, n - 3, w), "no window for frame %d", n - 3);
        int earlier = loudest_column(w), want = (int)lround(80.0 * 3 / fps);
        printf(", frame %d in column %d", n - 3, earlier);
        CHECK(abs(earlier - want) <= 1, "%.3f fps: frame %d has the click in column %d, want %d ± 1", fps, n - 3,
              earlier, want);
        REQUIRE(fu_lip_audio_window(a, n + 3, w), "no window for frame %d", n + 3);
        printf(", frame %d %.2g of its energy\n", n + 3, window_energy(w) / click_e);
        CHECK(window_energy(w) < 0.02 * click_e, "%.3f fps: frame %d still hears frame %d's click", fps, n + 3, n);
    }
    int64_t count = fu_lip_audio_frame_count(a);
    CHECK(count > 80 && count < 4.0 * fps, "%lld frames for 4 s at %.3f fps", (long long)count, fps);
    CHECK(!fu_lip_audio_window(a, count, w) && window_energy(w) == 0, "frame %lld past the audio has a window",
          (long long)count);
    CHECK(fabs(fu_lip_audio_seconds(a) - 4.0) < 0.001, "%.4f s of audio", fu_lip_audio_seconds(a));
    fu_lip_audio_close(a);
}

static void test_windows_at_frame_timestamps(void)
{
    const char *p25 = write_clicks("clicks25.wav", 25.0, 4.0), *p2997 = write_clicks("clicks2997.wav", 30000 / 1001.0, 4.0);
    REQUIRE(p25 && p2997, "cannot write the click files");
    facefuse_context *ctx = tl_context_at(tl_model_dir_with("lip_audio", "kim_vocal_2.onnx", "kim_vocal_2.onnx"),
                                          FACEFUSE_LOG_ERROR);
    check_clicks(ctx, tl_tmp("clicks25.wav"), 25.0, "none");
    check_clicks(ctx, tl_tmp("clicks2997.wav"), 30000 / 1001.0, "kim_vocal_2");
    facefuse_context_free(ctx);
}

static void test_pick_source(void)
{
    const char *a[] = {"face.jpg", "voice.MP3", "other.wav"};
    CHECK(fu_lip_audio_pick_source(a, 3) == 1, "voice.MP3 not picked");
    int64_t n;
    float *x = calloc(2 * 4800, sizeof(float));
    n = 4800;
    REQUIRE(at_write(tl_tmp("speech.aac"), "aac", 48000, 2, x, n) == 0, "cannot write speech.aac");
    free(x);
    vt_clip c = vt_clip_default();
    c.frames = 5;
    REQUIRE(vt_make_clip(tl_tmp("talk.mp4"), &c) == 0, "cannot write talk.mp4");
    char video[1024], aac[1024];
    snprintf(video, sizeof video, "%s", tl_tmp("talk.mp4"));
    snprintf(aac, sizeof aac, "%s", tl_tmp("speech.aac"));
    const char *b[] = {tl_shared("samples/astronaut.png"), video, aac};
    CHECK(fu_lip_audio_pick_source(b, 3) == 2, "the .aac stream not picked: %d", fu_lip_audio_pick_source(b, 3));
    CHECK(fu_lip_audio_pick_source(b, 2) == -1, "an image or a video picked as the audio");
}

static void test_bad_settings(void)
{
    facefuse_context *ctx = tl_context_at(tl_model_dir("lip_audio_bad", NULL), FACEFUSE_LOG_ERROR);
    fu_lip_audio *a = NULL;
    fu_err err;
    const char *path = write_clicks("short.wav", 25.0, 4.0);
    REQUIRE(path, "cannot write short.wav");
    fu_lip_audio_settings s = {path, "none", 0.0};
    CHECK(fu_lip_audio_open(ctx, &s, &a, NULL, &err) == FACEFUSE_ERR_INVALID_ARGUMENT && !a, "fps 0 accepted");
    s.fps = 25.0;
    s.voice_extractor_model = "kim_vocal_9";
    CHECK(fu_lip_audio_open(ctx, &s, &a, NULL, &err) == FACEFUSE_ERR_INVALID_ARGUMENT && strstr(err.msg, "kim_vocal_9"),
          "unknown voice model: %s", err.msg);
    s.voice_extractor_model = "kim_vocal_2"; /* not in this model dir */
    CHECK(fu_lip_audio_open(ctx, &s, &a, NULL, &err) == FACEFUSE_ERR_MODEL_MISSING && strstr(err.msg, "kim_vocal_2"),
          "missing voice model: %s", err.msg);
    s.path = tl_shared("samples/astronaut.png");
    s.voice_extractor_model = "none";
    CHECK(fu_lip_audio_open(ctx, &s, &a, NULL, &err) == FACEFUSE_ERR_DECODE && strstr(err.msg, "no audio stream") &&
              strstr(err.msg, "astronaut.png"),
          "image as audio: %s", err.msg);
    CHECK(!a, "an audio object handed out on failure");
    facefuse_context_free(ctx);
}

int main(void)
{
    RUN(test_windows_at_frame_timestamps);
    RUN(test_pick_source);
    RUN(test_bad_settings);
    return tl_finish();
}
