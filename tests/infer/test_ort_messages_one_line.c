/*
 * test_ort_messages_one_line.c — what ONNX Runtime says reaches the user as
 * one line without ORT's internal source locations: a real failing Run
 * (a Reshape that cannot be done, tests/models/gen_hostile.py) gives a
 * message that names the model and the problem, with no "onnxruntime_src",
 * no "file.h:123", no C++ signature and no newline; the cleaner on its own
 * keeps ordinary text (paths with a colon and a number inside words too).
 */
#include <string.h>

#include "infer/ort.h"
#include "testlib.h"

static void a_failing_run_reports_one_clean_line(void)
{
    fu_session *s = NULL;
    fu_err err;
    float data[48] = {0};
    REQUIRE(fu_session_open(tl_test_models("hostile/bad_reshape.onnx"), NULL, &s, &err) == FACEFUSE_OK, "%s", err.msg);
    fu_tensor in = {.rank = 4, .dims = {1, 3, 4, 4}, .data = data}, out;
    facefuse_status st = fu_session_run(s, &in, 1, &out, 1, &err);
    CHECK(st == FACEFUSE_ERR_INFERENCE, "status %d", st);
    CHECK(strstr(err.msg, "bad_reshape.onnx") && strstr(err.msg, "reshape"), "message: %s", err.msg);
    CHECK(!strstr(err.msg, "onnxruntime_src") && !strstr(err.msg, ".h:") && !strstr(err.msg, ".cc:") &&
              !strstr(err.msg, "onnxruntime::"),
          "internal source location left: %s", err.msg);
    CHECK(!strchr(err.msg, '\n') && err.msg[strlen(err.msg) - 1] != ' ', "not one clean line: [%s]", err.msg);
    printf("    %s\n", err.msg);
    fu_session_close(s);
}

static void the_cleaner_keeps_ordinary_text(void)
{
    char out[512];
    fu_ort_message_clean("Non-zero status code returned while running Conv node. Name:'c1' Status Message: "
                         "/onnxruntime_src/onnxruntime/core/providers/cpu/nn/conv.cc:104 "
                         "onnxruntime::common::Status onnxruntime::Conv<float>::Compute(onnxruntime::OpKernelContext*) "
                         "const [with T = float] X num_dims does not match W num_dims.\n",
                         out, sizeof out);
    CHECK(strcmp(out, "Non-zero status code returned while running Conv node. Name:'c1' Status Message: X num_dims "
                      "does not match W num_dims.") == 0,
          "[%s]", out);
    fu_ort_message_clean("Load model from /models/a.onnx failed:Protobuf parsing failed.\n", out, sizeof out);
    CHECK(strcmp(out, "Load model from /models/a.onnx failed:Protobuf parsing failed.") == 0, "[%s]", out);
    fu_ort_message_clean("Got invalid dimensions for input: x for the following indices\n index: 2 Got: 128 "
                         "Expected: 256\n Please fix either the inputs or the model.",
                         out, sizeof out);
    CHECK(!strchr(out, '\n') && strstr(out, "Got: 128 Expected: 256"), "[%s]", out);
}

int main(void)
{
    RUN(a_failing_run_reports_one_clean_line);
    RUN(the_cleaner_keeps_ordinary_text);
    return tl_finish();
}
