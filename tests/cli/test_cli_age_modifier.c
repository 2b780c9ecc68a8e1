/*
 * test_cli_age_modifier.c — `headless-run --processors age_modifier` end to
 * end with the test model cache's stand-ins of fran (its output is its
 * input brightened by the two ages' difference: (new age − age)/100) and
 * fairface (every face 30–39):
 * - --age-modifier-direction 50 makes the face brighter by about 0.5 of the
 *   range and -50 darker by about 0.345 (the new age clipped at 0): the
 *   direction and the classifier's age reach the model through the command
 *   line; nothing outside the face's 1024 px crop changes (PNG, exact);
 * - without fairface in the cache (and no way to fetch it) the run stops
 *   before any frame, with one error line naming the model, even on a
 *   target without a face (exit 2, as any missing model), and writes no
 *   output.
 */
#include "facecrop_clitest.h"

static facefuse_context *ctx;

static int run_age(const char *model_dir, const char *target, const char *out, const char *extra, char **err)
{
    char args[4096];
    snprintf(args, sizeof args,
             "headless-run -t '%s' -o '%s' --processors age_modifier --face-detector-model scrfd "
             "--face-landmarker-score 0 --model-dir '%s' %s",
             target, out, model_dir, extra);
    return tl_run_cli(args, NULL, err);
}

static void check_direction(const char *direction, double lo, double hi)
{
    facefuse_image target = {0}, out = {0};
    facefuse_face face;
    char extra[64], *e = NULL;
    const char *out_path = tl_tmp("aged.png");
    const char *t = fc_lossless_target(ctx, "samples/grace_hopper.jpg", "grace.png", &target);
    REQUIRE(t && fc_face(ctx, &target, &face), "no face in the target");
    snprintf(extra, sizeof extra, "--age-modifier-direction %s", direction);
    int code = run_age(tl_test_models(""), t, out_path, extra, &e);
    REQUIRE(code == 0, "direction %s: exit %d: %s", direction, code, e);
    REQUIRE(facefuse_image_load(ctx, out_path, &out) == FACEFUSE_OK, "%s", facefuse_context_errmsg(ctx));
    fc_change c = fc_compare(&target, &out, &face, "ffhq_512", 1024);
    CHECK(c.outside == 0, "direction %s: %ld values changed outside the face's crop", direction, c.outside);
    CHECK(c.centre_mean > lo && c.centre_mean < hi, "direction %s: the face changed by %.1f levels, expected %g..%g",
          direction, c.centre_mean, lo, hi);
    facefuse_image_free(&target);
    facefuse_image_free(&out);
    free(e);
}

/* fairface 30–39: age 34.5, pair [0.345, 0.845] → +127 levels at full
 * mask; -50: [0.345, 0] → −88. The box mask's blur keeps the middle of the
 * crop's rectangle at full strength, clipping at 0 and 255 takes some. */
static void direction_changes_only_the_face_and_by_its_sign(void)
{
    check_direction("50", 60, 130);
    check_direction("-50", -90, -40);
}

static void missing_classifier_stops_the_run_before_any_frame(void)
{
    const char *links[] = {"fran.onnx", "fran.onnx", NULL};
    const char *dir = tl_model_dir("no-fairface", links);
    facefuse_image blank = {0};
    char *e = NULL;
    REQUIRE(facefuse_image_alloc(&blank, 64, 48, 3) == FACEFUSE_OK, "alloc");
    for (int i = 0; i < 64 * 48 * 3; i++)
        blank.data[i] = (uint8_t)(i * 7);
    REQUIRE(facefuse_image_save(ctx, tl_tmp("faceless.png"), &blank, 90) == FACEFUSE_OK, "save");
    int code = run_age(dir, tl_tmp("faceless.png"), tl_tmp("never.png"), "--age-modifier-direction 20", &e);
    CHECK(code == 2 && error_lines(e) == 1 && strstr(e, "fairface"), "exit %d: %s", code, e);
    CHECK(!path_exists(tl_tmp("never.png")), "output written");
    facefuse_image_free(&blank);
    free(e);
}

int main(void)
{
    fc_offline();
    ctx = tl_context();
    RUN(direction_changes_only_the_face_and_by_its_sign);
    RUN(missing_classifier_stops_the_run_before_any_frame);
    facefuse_context_free(ctx);
    return tl_finish();
}
