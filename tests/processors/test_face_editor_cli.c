/*
 * test_face_editor_cli.c — face_editor from the command line, with the
 * LivePortrait stand-ins of the test model cache:
 * - a slider (--face-editor-head-yaw) changes the face, and not one pixel
 *   outside the rectangle its 512² crop pastes into;
 * - all fourteen sliders at 0 (defaults, and some said explicitly) are a
 *   no-op: `face_enhancer face_editor` writes the same file, byte for byte,
 *   as `face_enhancer` alone;
 * - a slider outside −1..1 is refused naming the option (exit 2).
 */
#include "live_portrait_clitest.h"
#include "processors/face_editor.h"

static facefuse_context *ctx;
static const char *target;

static void test_a_slider_changes_only_the_face(void)
{
    const char *out = tl_tmp("yaw.png");
    facefuse_image before = {0}, after = {0};
    facefuse_point lm5[5];
    int rect[4];
    REQUIRE(lc_run(target, out, "--processors face_editor --face-editor-head-yaw 0.5") == 0, "run");
    REQUIRE(facefuse_image_load(ctx, target, &before) == FACEFUSE_OK, "load target");
    REQUIRE(facefuse_image_load(ctx, out, &after) == FACEFUSE_OK, "load output");
    facefuse_face face = lc_selected_face(ctx, &before, "--processors face_editor");
    fu_face_editor_landmarks(face.landmark_5_68, lm5); /* the editor's crop: ×1.5 about the nose, ffhq_512 */
    lc_paste_rect(&before, lm5, "ffhq_512", rect);
    lc_changes c = lc_compare(&before, &after, rect);
    printf("    edited: %ld pixels changed inside (%d,%d)-(%d,%d), mean %.2f levels; %ld outside\n", c.inside,
           rect[0], rect[1], rect[2], rect[3], c.inside_mean, c.outside);
    CHECK(rect[0] > 0 || rect[1] > 0 || rect[2] < before.width || rect[3] < before.height,
          "the paste covers the whole frame: nothing to compare outside");
    CHECK(c.outside == 0, "%ld pixels changed outside the paste rectangle (%d,%d)-(%d,%d)", c.outside, rect[0],
          rect[1], rect[2], rect[3]);
    CHECK(c.inside > 20000 && c.inside_mean > 2, "the face barely changed: %ld pixels, mean %.2f levels",
          c.inside, c.inside_mean);
    facefuse_image_free(&before);
    facefuse_image_free(&after);
}

static void test_zero_sliders_leave_the_output_as_without_the_editor(void)
{
    const char *without = tl_tmp("enhanced.png"), *with = tl_tmp("enhanced-edited.png");
    REQUIRE(lc_run(target, without, "--processors face_enhancer --face-enhancer-model gfpgan_1.4") == 0, "run");
    /* three sliders said to be 0 (one as −0), the other eleven at their default */
    REQUIRE(lc_run(target, with,
                   "--processors face_enhancer face_editor --face-enhancer-model gfpgan_1.4 "
                   "--face-editor-mouth-smile 0 --face-editor-head-pitch -0 --face-editor-eye-open-ratio 0.0") == 0,
            "run");
    CHECK(lc_same_file(without, with), "face_editor with every slider at 0 changed the output");
    /* the enhancer stand-in did change the face: the comparison is not of two copies of the target */
    CHECK(!lc_same_file(without, target), "the baseline run wrote the target back");
}

static void test_out_of_range_slider_is_refused_by_name(void)
{
    char args[2048], *e = NULL;
    snprintf(args, sizeof args, "headless-run -t '%s' -o '%s' --processors face_editor --face-editor-mouth-pout 1.2",
             target, tl_tmp("never.png"));
    int code = tl_run_cli(args, NULL, &e);
    CHECK(code == 2 && e && strstr(e, "--face-editor-mouth-pout"), "exit %d: %s", code, e ? e : "");
    free(e);
}

int main(void)
{
    ctx = tl_context();
    target = lc_png_target(ctx, "samples/astronaut.png", "target.png");
    RUN(test_a_slider_changes_only_the_face);
    RUN(test_zero_sliders_leave_the_output_as_without_the_editor);
    RUN(test_out_of_range_slider_is_refused_by_name);
    facefuse_context_free(ctx);
    return tl_finish();
}
