/*
 * test_cli_batch_and_ini.c — batch-run expands source × target patterns and
 * FaceFusion's output placeholders; an ini file's values apply and the
 * command line overrides them; an unknown ini key fails by name.
 */
#include "clitest.h"

#include "cli/batch.h"

static void make_inputs(void)
{
    mkdir(tl_tmp("in"), 0755);
    mkdir(tl_tmp("out"), 0755);
    copy_file(tl_shared("samples/astronaut.png"), tl_tmp("in/astro.png"));
    copy_file(tl_shared("samples/grace_hopper.jpg"), tl_tmp("in/grace.jpg"));
    copy_file(tl_shared("samples/astronaut.png"), tl_tmp("in/src1.png"));
    copy_file(tl_shared("samples/grace_hopper.jpg"), tl_tmp("in/src2.jpg"));
}

static void patterns_expand_to_cross_product_with_placeholders(void)
{
    fu_batch_item *items = NULL;
    int n = 0;
    fu_err err;
    char src[512], tgt[512];
    snprintf(src, sizeof src, "%s/in/src*", tl_tmpdir());
    snprintf(tgt, sizeof tgt, "%s/in/[ag]*", tl_tmpdir());
    REQUIRE(fu_batch_expand(src, tgt, "out/{index}-{source_name}-{target_name}.{target_extension}", &items, &n,
                            &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(n == 4, "%d items", n);
    CHECK(strcmp(items[0].output, "out/0-src1-astro.png") == 0, "%s", items[0].output);
    CHECK(strcmp(items[1].output, "out/1-src1-grace.jpg") == 0, "%s", items[1].output);
    CHECK(strcmp(items[3].output, "out/3-src2-grace.jpg") == 0, "%s", items[3].output);
    CHECK(strstr(items[2].source, "src2.jpg") && strstr(items[2].target, "astro.png"), "pair 2");
    free(items);
    /* FaceFusion's own style: the extension placeholder carries the dot. */
    REQUIRE(fu_batch_expand(NULL, tgt, "o/{target_name}{target_extension}", &items, &n, &err) == FACEFUSE_OK, "%s",
            err.msg);
    CHECK(n == 2 && strcmp(items[0].output, "o/astro.png") == 0, "%s", n ? items[0].output : "");
    free(items);
    CHECK(fu_batch_expand(NULL, tgt, "o/{nope}.png", &items, &n, &err) == FACEFUSE_ERR_INVALID_ARGUMENT &&
              strstr(err.msg, "{nope}"), "unknown placeholder: %s", err.msg);
    CHECK(fu_batch_expand(NULL, "/nonexistent/*.png", "o/{index}", &items, &n, &err) == FACEFUSE_ERR_INVALID_ARGUMENT,
          "no match");
}

static void batch_run_writes_one_output_per_target(void)
{
    char args[2048], *e = NULL, a[512], b[512];
    snprintf(args, sizeof args,
             "batch-run -t '%s/in/[ag]*' -o '%s/out/{index}-{target_name}.{target_extension}' "
             "--processors face_debugger --face-detector-model scrfd --face-selector-mode many "
             "--face-landmarker-score 0 --log-level error",
             tl_tmpdir(), tl_tmpdir());
    int code = tl_run_cli(args, NULL, &e);
    CHECK(code == 0, "exit %d: %s", code, e);
    snprintf(a, sizeof a, "%s/out/0-astro.png", tl_tmpdir());
    snprintf(b, sizeof b, "%s/out/1-grace.jpg", tl_tmpdir());
    CHECK(path_exists(a) && path_exists(b), "outputs %s %s", a, b);
    free(e);
}

static void ini_values_apply_and_command_line_overrides(void)
{
    const char *ini = tl_tmp("facefuse.ini");
    char args[2048], *o = NULL, *e = NULL;
    /* The ini asks for yunet with a score no face reaches: nothing found. */
    write_text(ini, "[face_detector]\nface_detector_model = yunet\nface_detector_score = 0.99\n"
                    "face_detector_angles =\n\n[misc]\nlog_level = error\n");
    snprintf(args, sizeof args, "detect '%s' --config-path '%s'", tl_shared("samples/astronaut.png"), ini);
    int code = tl_run_cli(args, &o, &e);
    CHECK(code == 0 && strstr(o, ": 0 faces"), "ini applied: exit %d, %s %s", code, o, e);
    free(o);
    free(e);
    /* The command line wins over the ini. */
    snprintf(args, sizeof args, "detect '%s' --config-path '%s' --face-detector-score 0.5",
             tl_shared("samples/astronaut.png"), ini);
    code = tl_run_cli(args, &o, &e);
    CHECK(code == 0 && strstr(o, ": 1 face"), "override: exit %d, %s %s", code, o, e);
    free(o);
    free(e);
    /* An unknown key fails by name; so does a value out of range. */
    write_text(ini, "[face_detector]\nface_detector_colour = 3\n");
    code = tl_run_cli(args, &o, &e);
    CHECK(code == 2 && strstr(e, "face_detector_colour"), "unknown key: exit %d %s", code, e);
    free(o);
    free(e);
    write_text(ini, "[face_detector]\nface_detector_score = 7\n");
    snprintf(args, sizeof args, "detect '%s' --config-path '%s'", tl_shared("samples/astronaut.png"), ini);
    code = tl_run_cli(args, &o, &e);
    CHECK(code == 2 && strstr(e, "--face-detector-score") && strstr(e, "facefuse.ini:2"), "range: exit %d %s", code, e);
    free(o);
    free(e);
}

int main(void)
{
    make_inputs();
    RUN(patterns_expand_to_cross_product_with_placeholders);
    RUN(batch_run_writes_one_output_per_target);
    RUN(ini_values_apply_and_command_line_overrides);
    return tl_finish();
}
