/*
 * lip_audio.c — the lip syncer's voice track: decode, voice extraction,
 * 16 kHz mono, mel spectrogram, per-frame windows (see lip_audio.h).
 */
#include "processors/lip_audio.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "media/audio_reader.h"

struct fu_lip_audio {
    fu_mel mel;
    double fps;
    double seconds;
};

/* audio (frames × 2) with its voice isolated, in place. */
static facefuse_status isolate_voice(facefuse_context *ctx, const char *model, fu_audio_pcm *pcm,
                                     fu_lip_audio_timing *timing, fu_err *err)
{
    fu_voice_extractor *ve = NULL;
    facefuse_status rc = fu_voice_extractor_open(ctx, model, &ve, err);
    if (rc != FACEFUSE_OK)
        return rc;
    float *voice = malloc(sizeof(float) * 2 * (size_t)(pcm->frames ? pcm->frames : 1));
    if (!voice)
        rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the voice of %lld samples",
                     (long long)pcm->frames);
    else
        rc = fu_voice_extractor_run(ve, pcm->samples, pcm->frames, voice, timing ? &timing->voice : NULL, err);
    fu_voice_extractor_close(ve);
    if (rc != FACEFUSE_OK) {
        free(voice);
        return rc;
    }
    free(pcm->samples);
    pcm->samples = voice;
    return FACEFUSE_OK;
}

/* The mean of the two channels, then 16 kHz. */
static facefuse_status to_mel_rate(fu_audio_pcm *pcm, fu_audio_pcm *mono16, fu_err *err)
{
    for (int64_t i = 0; i < pcm->frames; i++)
        pcm->samples[i] = 0.5f * (pcm->samples[2 * i] + pcm->samples[2 * i + 1]);
    pcm->channels = 1;
    return fu_audio_convert(pcm, FU_MEL_RATE_HZ, 1, mono16, err);
}

facefuse_status fu_lip_audio_open(facefuse_context *ctx, const fu_lip_audio_settings *s, fu_lip_audio **out,
                                  fu_lip_audio_timing *timing, fu_err *err)
{
    fu_audio_pcm pcm = {0}, mono16 = {0};
    const char *model = s->voice_extractor_model ? s->voice_extractor_model : FU_VOICE_DEFAULT_MODEL;
    const int extract = strcmp(model, "none") != 0;
    *out = NULL;
    if (!(s->fps > 0) || s->fps > 1000)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "lip syncer: frame rate %g is not a video's", s->fps);
    if (extract && !fu_voice_extractor_known(model))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                       "'%s' is not a voice extractor model (kim_vocal_1, kim_vocal_2, uvr_mdxnet)", model);
    fu_lip_audio *a = calloc(1, sizeof *a);
    if (!a)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    a->fps = s->fps;
    int64_t t0 = fu_now_ns();
    facefuse_status rc = fu_audio_read(s->path, FU_VOICE_RATE_HZ, 2, &pcm, err);
    int64_t t1 = fu_now_ns();
    if (rc == FACEFUSE_OK && extract)
        rc = isolate_voice(ctx, model, &pcm, timing, err);
    int64_t t2 = fu_now_ns();
    if (rc == FACEFUSE_OK) {
        a->seconds = (double)pcm.frames / FU_VOICE_RATE_HZ;
        rc = to_mel_rate(&pcm, &mono16, err);
    }
    fu_audio_pcm_free(&pcm);
    int64_t t3 = fu_now_ns();
    if (rc == FACEFUSE_OK) {
        fu_mel_prepare(mono16.samples, mono16.frames);
        rc = fu_mel_spectrogram(mono16.samples, mono16.frames, &a->mel, err);
    }
    fu_audio_pcm_free(&mono16);
    if (timing) {
        timing->decode_ns += t1 - t0;
        timing->resample_ns += t3 - t2;
        timing->mel_ns += fu_now_ns() - t3;
    }
    if (rc != FACEFUSE_OK) {
        fu_lip_audio_close(a);
        return rc;
    }
    *out = a;
    return FACEFUSE_OK;
}

void fu_lip_audio_close(fu_lip_audio *a)
{
    if (!a)
        return;
    fu_mel_free(&a->mel);
    free(a);
}

int64_t fu_lip_audio_frame_count(const fu_lip_audio *a)
{
    return fu_mel_frame_count(&a->mel, a->fps);
}

int fu_lip_audio_window(const fu_lip_audio *a, int64_t frame, float *out)
{
    return fu_mel_window(&a->mel, a->fps, frame, out);
}

const fu_mel *fu_lip_audio_mel(const fu_lip_audio *a)
{
    return &a->mel;
}

double fu_lip_audio_seconds(const fu_lip_audio *a)
{
    return a->seconds;
}

static int has_audio_extension(const char *path)
{
    static const char *const formats[] = {"flac", "m4a", "mp3", "ogg", "opus", "wav"};
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (!dot || strchr(dot, '/'))
        return 0;
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcasecmp(dot + 1, formats[i]) == 0)
            return 1;
    return 0;
}

int fu_lip_audio_pick_source(const char *const *paths, int n)
{
    for (int i = 0; i < n; i++)
        if (has_audio_extension(paths[i]))
            return i;
    for (int i = 0; i < n; i++) {
        int has_audio, has_video;
        fu_audio_probe(paths[i], &has_audio, &has_video);
        if (has_audio && !has_video)
            return i;
    }
    return -1;
}
