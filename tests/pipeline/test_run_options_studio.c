/*
 * test_run_options_studio.c — the studio options reach the run
 * configuration through their modules' tables: --output-provenance,
 * --watermark-*, --quality-report/--quality-threshold, --resume and
 * --resume-checkpoint fill their settings with the documented defaults and
 * ranges; the resume fingerprint changes with a setting that changes the
 * frames and not with one that does not (output path, log level, report).
 */
#include <math.h>
#include <string.h>

#include "configlib.h"
#include "testlib.h"

static void defaults(void)
{
    tl_config c;
    fu_run_config *cfg = tl_config_init(&c, "");
    CHECK(cfg->provenance.mode && !strcmp(cfg->provenance.mode, "tag"), "provenance default %s",
          cfg->provenance.mode ? cfg->provenance.mode : "NULL");
    CHECK(!cfg->watermark.text && !cfg->watermark.invisible && cfg->watermark.opacity == 60 &&
              !strcmp(cfg->watermark.position, "bottom-right"),
          "watermark defaults");
    CHECK(!cfg->quality.path && fabsf(cfg->quality.threshold - 0.4f) < 1e-6f, "quality defaults");
    CHECK(!cfg->resume.enabled && fabsf(cfg->resume.checkpoint_s - 60) < 1e-6f, "resume defaults");
    tl_config_free(&c);
}

static void values_are_taken(void)
{
    tl_config c;
    fu_run_config *cfg = tl_config_init(&c, "--output-provenance none --watermark-text hello --watermark-position "
                                            "top-left --watermark-opacity 30 --watermark-invisible --watermark-key k1 "
                                            "--quality-report r.html --quality-threshold 0.25 --resume "
                                            "--resume-checkpoint 2.5");
    CHECK(!strcmp(cfg->provenance.mode, "none"), "provenance");
    CHECK(!strcmp(cfg->watermark.text, "hello") && !strcmp(cfg->watermark.position, "top-left") &&
              cfg->watermark.opacity == 30 && cfg->watermark.invisible && !strcmp(cfg->watermark.key, "k1"),
          "watermark");
    CHECK(!strcmp(cfg->quality.path, "r.html") && fabsf(cfg->quality.threshold - 0.25f) < 1e-6f, "quality");
    CHECK(cfg->resume.enabled && fabsf(cfg->resume.checkpoint_s - 2.5f) < 1e-6f, "resume");
    tl_config_free(&c);
}

static void bad_values_are_refused_by_name(void)
{
    static const char *const bad[][2] = {{"--output-provenance maybe", "--output-provenance"},
                                         {"--watermark-position middle", "--watermark-position"},
                                         {"--watermark-opacity 101", "--watermark-opacity"},
                                         {"--quality-threshold 2", "--quality-threshold"},
                                         {"--resume-checkpoint 0", "--resume-checkpoint"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tl_config c;
        fu_err err;
        fu_err_clear(&err);
        CHECK(tl_config_try(&c, bad[i][0], &err) == FACEFUSE_ERR_INVALID_ARGUMENT && strstr(err.msg, bad[i][1]),
              "%s: %s", bad[i][0], err.msg);
        tl_config_free(&c);
    }
}

static void fingerprint_of(const char *args, char out[17])
{
    tl_config c;
    fu_run_config *cfg = tl_config_init(&c, args);
    fu_run_config_fingerprint(cfg, out);
    tl_config_free(&c);
}

static void fingerprint_follows_frame_settings(void)
{
    char base[17], other[17], same[17];
    fingerprint_of("-t a.mp4 -o b.mp4 --processors face_debugger", base);
    fingerprint_of("-t a.mp4 -o b.mp4 --processors face_debugger --face-detector-score 0.7", other);
    CHECK(strcmp(base, other) != 0, "a detector score change keeps the fingerprint %s", base);
    fingerprint_of("-t a.mp4 -o b.mp4 --processors face_debugger --output-video-quality 50", other);
    CHECK(strcmp(base, other) != 0, "an encoder quality change keeps the fingerprint %s", base);
    fingerprint_of("-t c.mp4 -o b.mp4 --processors face_debugger", other);
    CHECK(strcmp(base, other) != 0, "another target keeps the fingerprint %s", base);
    fingerprint_of("-t a.mp4 -o elsewhere/b.mp4 --processors face_debugger --log-level debug --quality-report q.json "
                   "--resume --resume-checkpoint 5",
                   same);
    CHECK(strcmp(base, same) == 0, "output path, log level, report or resume settings changed it: %s vs %s", base,
          same);
}

int main(void)
{
    RUN(defaults);
    RUN(values_are_taken);
    RUN(bad_values_are_refused_by_name);
    RUN(fingerprint_follows_frame_settings);
    return tl_finish();
}
