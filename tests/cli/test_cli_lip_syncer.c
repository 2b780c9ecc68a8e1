/*
 * test_cli_lip_syncer.c — `headless-run -s face.png voice.wav -t clip.mp4
 * --processors face_swapper lip_syncer` end to end, on a still photo clip
 * (25 fps, 12 frames, a continuous 440 Hz tone) and a voice made here
 * (noise for its first 0.2 s, then silence, 0.6 s), with the test cache's
 * stand-ins and lip_wav2lip_audio as wav2lip_gan_96 (every pixel it returns
 * is mean(audio feature) / 8 + 0.5: bright for a loud window, black for a
 * silent one), fan_68_5 for the 68 points and kim_vocal_2 (identity):
 * - every frame is written, the soundtrack is the voice (loud, then
 *   silent), not the target's tone, and the mouth of frame 0 (hearing
 *   0–0.2 s) is bright while that of frame 11 (0.44 s on) is dark;
 * - with --trim-frame-start 6 the first frame written hears the voice's
 *   start (FaceFusion counts from the trim start): it is bright, where a
 *   window taken at the target's frame 6 (0.24 s, silence) would be dark;
 * - an image target runs and its face hears silence, as FaceFusion's empty
 *   audio frame;
 * - without an audio file among the sources the run stops before any
 *   frame with one error line naming the audio, and writes nothing;
 * - --voice-extractor-model is the model the run loads (kim_vocal_1,
 *   absent offline, stops it naming that model).
 */
#include "facecrop_clitest.h"
#include "media/audio_reader.h"
#include "media/resize.h"
#include "media/video_reader.h"
#include "../media/audio_testutil.h"
#include "../media/video_testutil.h"

#define FRAMES 12
#define FPS 25
#define VOICE_RATE 16000

static facefuse_context *ctx;
static const char *models, *clip, *voice;
static facefuse_face face; /* the photo's face, as the runs find it */

/* Frame n of a video, decoded. */
static facefuse_image nth_frame(const char *path, int n)
{
    facefuse_image f = {0};
    fu_video_reader *r = NULL;
    int64_t pts;
    int got = 0;
    fu_err err;
    if (fu_video_reader_open(&r, path, 1, &err) == FACEFUSE_OK)
        for (int i = 0; i <= n; i++) {
            facefuse_image_free(&f);
            if (fu_video_reader_next(r, &f, &pts, &got, &err) != FACEFUSE_OK || !got)
                break;
        }
    fu_video_reader_close(r);
    return f;
}

/* Mean level of a 12 px square at the face's nose (inside the lower-face
 * hull the wav2lip paste goes through). */
static double nose_level(const facefuse_image *im)
{
    int cx = (int)face.landmark_5[2].x, cy = (int)face.landmark_5[2].y;
    double sum = 0;
    for (int y = cy - 6; y < cy + 6; y++)
        for (int x = cx - 6; x < cx + 6; x++)
            for (int ch = 0; ch < 3; ch++)
                sum += fu_pixel(im, x, y)[ch];
    return sum / (12.0 * 12 * 3);
}

static double video_nose_level(const char *path, int n)
{
    facefuse_image f = nth_frame(path, n);
    double v = f.data ? nose_level(&f) : -1;
    facefuse_image_free(&f);
    return v;
}

static int run_lip(const char *sources, const char *target, const char *out, const char *extra, char **err)
{
    char args[4096];
    snprintf(args, sizeof args,
             "headless-run %s -t '%s' -o '%s' --processors face_swapper lip_syncer --face-swapper-model "
             "inswapper_128 --face-detector-model scrfd --face-landmarker-score 0 --model-dir '%s' "
             "--log-level error --progress none %s",
             sources, target, out, models, extra);
    return tl_run_cli(args, NULL, err);
}

static void make_media(void)
{
    facefuse_image photo = tl_load(ctx, "samples/grace_hopper.jpg"), small = {0};
    REQUIRE(fu_resize(&photo, &small, 256, 300) == FACEFUSE_OK, "resize");
    REQUIRE(fc_face(ctx, &small, &face), "no face in the photo");
    uint8_t *rgb = malloc((size_t)256 * 300 * 3);
    for (int y = 0; y < 300; y++)
        memcpy(rgb + (size_t)y * 256 * 3, small.data + (size_t)y * small.stride, 256 * 3);
    vt_clip c = vt_clip_default();
    c.width = 256, c.height = 300, c.frames = FRAMES, c.fps = FPS, c.still = rgb;
    clip = strdup(tl_tmp("still.mp4")); /* tl_tmp's names are reused */
    REQUIRE(vt_make_clip(clip, &c) == 0, "make clip");
    REQUIRE(facefuse_image_save(ctx, tl_tmp("still.png"), &small, 100) == FACEFUSE_OK, "save");
    free(rgb);
    facefuse_image_free(&small), facefuse_image_free(&photo);

    /* the voice: 0.2 s of noise, then silence, 0.6 s */
    int n = VOICE_RATE * 6 / 10;
    float *x = calloc((size_t)n, sizeof *x);
    uint32_t s = 12345;
    for (int i = 0; i < VOICE_RATE / 5; i++) {
        s = s * 1664525u + 1013904223u;
        x[i] = 0.5f * ((float)(s >> 8) / (float)(1u << 24) - 0.5f);
    }
    voice = strdup(tl_tmp("voice.wav"));
    REQUIRE(at_write(voice, "pcm_s16le", VOICE_RATE, 1, x, n) == 0, "write voice");
    free(x);

    const char *links[] = {"landmarkers_low/fan_68_5.onnx", "fan_68_5.onnx", "lip_wav2lip_audio.onnx",
                           "wav2lip_gan_96.onnx", "kim_vocal_2.onnx", "kim_vocal_2.onnx", "inswapper_128.onnx",
                           "inswapper_128.onnx", "arcface_w600k_r50.onnx", "arcface_w600k_r50.onnx", NULL};
    models = strdup(tl_model_dir("lip_models", links));
}

/* RMS of the output's soundtrack over [t0, t1) seconds (16 kHz mono). */
static double rms(const fu_audio_pcm *pcm, double t0, double t1)
{
    double sum = 0;
    int64_t a = (int64_t)(t0 * VOICE_RATE), b = (int64_t)(t1 * VOICE_RATE), k = 0;
    for (int64_t i = a; i < b && i < pcm->frames; i++, k++)
        sum += (double)pcm->samples[i] * pcm->samples[i];
    return k ? sqrt(sum / (double)k) : 0;
}

static void swap_and_lip_sync_follow_the_voice(void)
{
    const char *out = tl_tmp("synced.mp4");
    char sources[2048], *e = NULL;
    vt_stats res;
    fu_audio_pcm pcm = {0};
    fu_err err;
    snprintf(sources, sizeof sources, "-s '%s' '%s'", tl_shared("samples/astronaut.png"), voice);
    int code = run_lip(sources, clip, out, "", &e);
    REQUIRE(code == 0, "exit %d: %s", code, e ? e : "");
    free(e);
    REQUIRE(vt_probe(out, &res) == 0, "probe");
    CHECK(vt_video_frames(&res) == FRAMES, "%d frames written of %d", vt_video_frames(&res), FRAMES);
    CHECK(res.audio_count == 1, "%d audio streams", res.audio_count);
    vt_stats_free(&res);
    REQUIRE(fu_audio_read(out, VOICE_RATE, 1, &pcm, &err) == FACEFUSE_OK, "%s", err.msg);
    double loud = rms(&pcm, 0.02, 0.18), quiet = rms(&pcm, 0.26, 0.45);
    printf("    soundtrack RMS %.4f over 0.02-0.18 s, %.4f over 0.26-0.45 s\n", loud, quiet);
    CHECK(loud > 0.05 && quiet < 0.01, "the soundtrack is not the voice: RMS %.4f then %.4f", loud, quiet);
    fu_audio_pcm_free(&pcm);
    double first = video_nose_level(out, 0), last = video_nose_level(out, FRAMES - 1);
    printf("    mouth level %.1f at frame 0, %.1f at frame %d\n", first, last, FRAMES - 1);
    CHECK(first > 120 && last >= 0 && last < 40, "mouth %.1f at frame 0 (loud), %.1f at frame %d (silent)", first,
          last, FRAMES - 1);
}

static void trimmed_run_hears_the_voice_from_its_first_frame(void)
{
    const char *out = tl_tmp("trimmed.mp4");
    char sources[2048], *e = NULL;
    snprintf(sources, sizeof sources, "-s '%s' '%s'", tl_shared("samples/astronaut.png"), voice);
    int code = run_lip(sources, clip, out, "--trim-frame-start 6", &e);
    REQUIRE(code == 0, "exit %d: %s", code, e ? e : "");
    free(e);
    double first = video_nose_level(out, 0), last = video_nose_level(out, 5);
    printf("    trimmed at 6: mouth level %.1f at the first frame written, %.1f at the sixth\n", first, last);
    CHECK(first > 120 && last >= 0 && last < 40, "mouth %.1f at the first frame written (hears 0-0.2 s), %.1f at "
          "the sixth (0.2 s on)", first, last);
}

static void image_target_hears_silence(void)
{
    char out[1024], target[1024], sources[2048], *e = NULL;
    facefuse_image im = {0};
    snprintf(sources, sizeof sources, "-s '%s' '%s'", tl_shared("samples/astronaut.png"), voice);
    snprintf(out, sizeof out, "%s", tl_tmp("synced.png"));
    snprintf(target, sizeof target, "%s", tl_tmp("still.png"));
    int code = run_lip(sources, target, out, "", &e);
    REQUIRE(code == 0, "exit %d: %s", code, e ? e : "");
    free(e);
    REQUIRE(facefuse_image_load(ctx, out, &im) == FACEFUSE_OK, "%s", facefuse_context_errmsg(ctx));
    double level = nose_level(&im);
    CHECK(level < 40, "an image's mouth hears silence (black from the stand-in): level %.1f", level);
    facefuse_image_free(&im);
}

static void no_audio_source_is_refused_before_any_frame(void)
{
    const char *out = tl_tmp("never.mp4");
    char sources[2048], *e = NULL;
    snprintf(sources, sizeof sources, "-s '%s'", tl_shared("samples/astronaut.png"));
    int code = run_lip(sources, clip, out, "", &e);
    CHECK(code != 0 && error_lines(e) == 1 && strstr(e, "audio") && strstr(e, "lip_syncer"), "exit %d: %s", code,
          e ? e : "");
    CHECK(!path_exists(out) && !dir_has(tl_tmpdir(), "never"), "output written");
    free(e);
}

/* --voice-extractor-model reaches the lip syncer: kim_vocal_1, absent from
 * the run's model dir (offline), stops it before any frame naming it. */
static void voice_extractor_model_is_the_one_loaded(void)
{
    const char *out = tl_tmp("never2.mp4");
    char sources[2048], *e = NULL;
    snprintf(sources, sizeof sources, "-s '%s' '%s'", tl_shared("samples/astronaut.png"), voice);
    int code = run_lip(sources, clip, out, "--voice-extractor-model kim_vocal_1", &e);
    CHECK(code == 2 && error_lines(e) == 1 && strstr(e, "kim_vocal_1"), "exit %d: %s", code, e ? e : "");
    CHECK(!path_exists(out) && !dir_has(tl_tmpdir(), "never2"), "output written");
    free(e);
}

int main(void)
{
    fc_offline();
    ctx = tl_context();
    make_media();
    RUN(swap_and_lip_sync_follow_the_voice);
    RUN(trimmed_run_hears_the_voice_from_its_first_frame);
    RUN(image_target_hears_silence);
    RUN(no_audio_source_is_refused_before_any_frame);
    RUN(voice_extractor_model_is_the_one_loaded);
    facefuse_context_free(ctx);
    free((char *)clip), free((char *)voice), free((char *)models);
    return tl_finish();
}
