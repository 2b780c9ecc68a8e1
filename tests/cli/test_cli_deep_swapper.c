/*
 * test_cli_deep_swapper.c — `headless-run --processors deep_swapper` end to
 * end with the test model cache's DeepFaceLive stand-ins:
 * - the default model, iperov/elon_musk_224 (face = its sharpened input,
 *   pasted through a mask of morph/100): --deep-swapper-morph 0 gives the
 *   target back unchanged, 100 changes the face and nothing outside its
 *   224 px crop (PNG, exact) — the morph reaches the model by name;
 * - a user's own model, custom/invert_224 from the cache's custom/ folder
 *   (face = 1 − input, then colour-matched to the crop as FaceFusion
 *   does, which keeps its mean): the middle of the face moves far from the
 *   target's, nothing outside the crop changes;
 * - custom/<name> without such a file is exit 2, one error line naming the
 *   custom folder; a model neither FaceFusion's nor custom/ is exit 2
 *   naming the option.
 */
#include "facecrop_clitest.h"

static facefuse_context *ctx;
static facefuse_image target;
static facefuse_face face;
static const char *target_path;

static int run_deep(const char *out, const char *extra, char **err)
{
    char args[4096];
    snprintf(args, sizeof args,
             "headless-run -t '%s' -o '%s' --processors deep_swapper --face-detector-model scrfd "
             "--face-landmarker-score 0 %s",
             target_path, out, extra);
    return tl_run_cli(args, NULL, err);
}

static fc_change swapped(const char *extra, const char *name)
{
    facefuse_image out = {0};
    char *e = NULL;
    fc_change c = {-1, -1, 0, 0};
    int code = run_deep(tl_tmp(name), extra, &e);
    CHECK(code == 0, "%s: exit %d: %s", extra, code, e);
    if (code == 0 && facefuse_image_load(ctx, tl_tmp(name), &out) == FACEFUSE_OK)
        c = fc_compare(&target, &out, &face, "dfl_whole_face", 224);
    facefuse_image_free(&out);
    free(e);
    return c;
}

static void setup_target_and_its_face(void)
{
    target_path = fc_lossless_target(ctx, "samples/grace_hopper.jpg", "grace.png", &target);
    REQUIRE(target_path && fc_face(ctx, &target, &face), "no face in the target");
}

static void morph_reaches_the_model_and_only_the_face_changes(void)
{
    fc_change none = swapped("--deep-swapper-morph 0", "morph0.png");
    CHECK(none.inside == 0 && none.outside == 0, "morph 0 changed %ld values in the crop, %ld outside", none.inside,
          none.outside);
    fc_change full = swapped("--deep-swapper-morph 100", "morph100.png");
    CHECK(full.outside == 0, "morph 100: %ld values changed outside the face's crop", full.outside);
    CHECK(full.inside > 10000, "morph 100: only %ld values changed in the face's crop", full.inside);
}

static void custom_model_from_the_cache_swaps_the_face(void)
{
    fc_change c = swapped("--deep-swapper-model custom/invert_224", "custom.png");
    CHECK(c.outside == 0, "%ld values changed outside the face's crop", c.outside);
    CHECK(c.inside > 30000 && c.centre_abs > 20, "the face was not inverted: %ld values changed, the middle by %.1f "
          "levels", c.inside, c.centre_abs);
}

static void unknown_models_are_refused_in_one_line(void)
{
    char *e = NULL, folder[1200];
    snprintf(folder, sizeof folder, "%s", tl_test_models("custom"));
    int code = run_deep(tl_tmp("never1.png"), "--deep-swapper-model custom/not_there", &e);
    CHECK(code == 2 && error_lines(e) == 1 && strstr(e, "not_there") && strstr(e, folder), "exit %d: %s", code, e);
    free(e);
    code = run_deep(tl_tmp("never2.png"), "--deep-swapper-model someone/nobody_224", &e);
    CHECK(code == 2 && error_lines(e) == 1 && strstr(e, "--deep-swapper-model") && strstr(e, "someone/nobody_224"),
          "exit %d: %s", code, e);
    CHECK(!path_exists(tl_tmp("never1.png")) && !path_exists(tl_tmp("never2.png")), "output written");
    free(e);
}

int main(void)
{
    fc_offline();
    ctx = tl_context();
    RUN(setup_target_and_its_face);
    if (!target_path)
        return tl_finish();
    RUN(morph_reaches_the_model_and_only_the_face_changes);
    RUN(custom_model_from_the_cache_swaps_the_face);
    RUN(unknown_models_are_refused_in_one_line);
    facefuse_image_free(&target);
    facefuse_context_free(ctx);
    return tl_finish();
}
