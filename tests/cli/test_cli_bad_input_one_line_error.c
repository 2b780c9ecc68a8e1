/*
 * test_cli_bad_input_one_line_error.c — every kind of bad input gives one
 * "error:" line naming the path, exit code 2, and no output file (nor a
 * partial one) left behind: a model with the wrong shape, a truncated
 * model, a missing model offline, a CRC32 mismatch, zero-byte / corrupt /
 * non-image targets, a missing output directory.
 */
#include <time.h>

#include "clitest.h"

/* A model dir holding scrfd_2.5g.onnx made from `model` (+ optional hash text). */
static const char *model_dir(const char *name, const char *model, const char *hash)
{
    const char *dir = tl_tmp(name);
    char path[1024];
    mkdir(dir, 0755);
    if (model) {
        snprintf(path, sizeof path, "%s/scrfd_2.5g.onnx", dir);
        copy_file(model, path);
    }
    if (hash) {
        snprintf(path, sizeof path, "%s/scrfd_2.5g.hash", dir);
        write_text(path, hash);
    }
    return dir;
}

/* Runs a headless-run with the debugger on target into out; checks exit 2,
 * a single error line containing `must_mention`, and no output. */
static void expect_rejected(const char *models, const char *target, const char *out, const char *must_mention)
{
    char args[4096], *o = NULL, *e = NULL;
    snprintf(args, sizeof args,
             "headless-run -t '%s' -o '%s' --processors face_debugger --face-detector-model scrfd "
             "--face-selector-mode many --model-dir '%s' --face-landmarker-score 0",
             target, out, models);
    int code = tl_run_cli(args, &o, &e);
    CHECK(code == 2, "exit code %d for %s (stderr: %s)", code, must_mention, e);
    CHECK(error_lines(e) == 1, "expected one error line, got: %s", e);
    CHECK(strstr(e, must_mention) != NULL, "error does not mention %s: %s", must_mention, e);
    CHECK(!path_exists(out), "%s was written", out);
    CHECK(!dir_has(tl_tmpdir(), ".partial-"), "a partial file was left");
    free(o);
    free(e);
}

static const char *target(void)
{
    return tl_shared("samples/grace_hopper.jpg");
}

static void wrong_shape_model_is_rejected_by_contract(void)
{
    const char *dir = model_dir("wrong", tl_test_models("broken/wrong_shape.onnx"), NULL);
    expect_rejected(dir, target(), tl_tmp("out1.jpg"), "scrfd_2.5g.onnx");
}

static void truncated_model_is_rejected(void)
{
    const char *dir = model_dir("truncated", tl_test_models("broken/truncated.onnx"), NULL);
    expect_rejected(dir, target(), tl_tmp("out2.jpg"), "scrfd_2.5g.onnx");
}

static void missing_model_offline_fails_fast_naming_file_and_dir(void)
{
    const char *dir = model_dir("empty", NULL, NULL);
    time_t t0 = time(NULL);
    char args[2048], *e = NULL;
    snprintf(args, sizeof args, "headless-run -t '%s' -o '%s' --processors face_debugger --face-detector-model scrfd "
             "--model-dir '%s' --face-selector-mode many", target(), tl_tmp("out3.jpg"), dir);
    /* Point downloads at a directory that does not have the file, so the
     * test is offline by construction. */
    setenv("FACEFUSE_DOWNLOAD_BASE_URL", "file:///nonexistent-facefuse-mirror", 1);
    int code = tl_run_cli(args, NULL, &e);
    unsetenv("FACEFUSE_DOWNLOAD_BASE_URL");
    CHECK(code == 2, "exit %d: %s", code, e);
    CHECK(error_lines(e) == 1, "one line: %s", e);
    CHECK(strstr(e, "scrfd_2.5g.onnx") && strstr(e, dir), "names the file and the directory: %s", e);
    CHECK(time(NULL) - t0 < 30, "took %ld s", (long)(time(NULL) - t0));
    CHECK(!path_exists(tl_tmp("out3.jpg")), "output written");
    free(e);
}

static void crc_mismatch_is_refused(void)
{
    const char *dir = model_dir("badcrc", tl_shared("models/scrfd_2.5g_bnkps.onnx"), "deadbeef\n");
    expect_rejected(dir, target(), tl_tmp("out4.jpg"), "scrfd_2.5g.onnx");
}

static void zero_byte_target_is_rejected(void)
{
    const char *t = tl_tmp("empty.jpg");
    write_text(t, "");
    expect_rejected(tl_test_models(""), t, tl_tmp("out5.jpg"), t);
}

static void corrupt_target_is_rejected(void)
{
    const char *t = tl_tmp("cut.jpg");
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "head -c 20000 '%s' > '%s'", target(), t);
    REQUIRE(system(cmd) == 0, "truncate");
    expect_rejected(tl_test_models(""), t, tl_tmp("out6.jpg"), t);
}

static void text_file_target_is_rejected(void)
{
    const char *t = tl_tmp("notes.png");
    write_text(t, "this is not an image\n");
    expect_rejected(tl_test_models(""), t, tl_tmp("out7.png"), t);
}

static void missing_output_directory_is_a_precheck(void)
{
    const char *out = tl_tmp("no/such/dir/out.jpg");
    expect_rejected(tl_test_models(""), target(), out, "no/such/dir");
}

static void output_format_is_checked_before_any_work(void)
{
    /* an image target cannot become a GIF or a video; a video target cannot become an image */
    expect_rejected(tl_test_models(""), target(), tl_tmp("out8.gif"), "out8.gif");
    expect_rejected(tl_test_models(""), target(), tl_tmp("out9.mp4"), "out9.mp4");
    expect_rejected(tl_test_models(""), tl_shared("samples/grace_hopper_zoom_2s.mp4"), tl_tmp("out10.png"), "out10.png");
}

static void unknown_and_unimplemented_options_fail_by_name(void)
{
    char *e = NULL;
    int code = tl_run_cli("headless-run --face-swapper-colour 3", NULL, &e);
    CHECK(code == 2 && strstr(e, "--face-swapper-colour"), "unknown option: exit %d %s", code, e);
    free(e);
    code = tl_run_cli("headless-run --workflow-strategy disk", NULL, &e);
    CHECK(code == 2 && strstr(e, "--workflow-strategy disk") && strstr(e, "not supported") && strstr(e, "memory"),
          "unsupported value: exit %d %s", code, e);
    free(e);
    code = tl_run_cli("headless-run --face-detector-model nosuch", NULL, &e);
    CHECK(code == 2 && strstr(e, "nosuch"), "bad choice: exit %d %s", code, e);
    free(e);
}

static void unavailable_execution_provider_is_an_error_not_a_fallback(void)
{
    char *e = NULL;
    int code = tl_run_cli("detect x.jpg --execution-providers coreml", NULL, &e);
    CHECK(code == 2 && strstr(e, "coreml"), "exit %d: %s", code, e);
    free(e);
}

int main(void)
{
    RUN(wrong_shape_model_is_rejected_by_contract);
    RUN(truncated_model_is_rejected);
    RUN(missing_model_offline_fails_fast_naming_file_and_dir);
    RUN(crc_mismatch_is_refused);
    RUN(zero_byte_target_is_rejected);
    RUN(corrupt_target_is_rejected);
    RUN(text_file_target_is_rejected);
    RUN(missing_output_directory_is_a_precheck);
    RUN(output_format_is_checked_before_any_work);
    RUN(unknown_and_unimplemented_options_fail_by_name);
    RUN(unavailable_execution_provider_is_an_error_not_a_fallback);
    return tl_finish();
}
