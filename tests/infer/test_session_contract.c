/*
 * test_session_contract.c — ONNX Runtime sessions: real models load and
 * describe their inputs and outputs by position; the contract check accepts
 * SCRFD and YuNet as the registry describes them and rejects a model of the
 * wrong shape naming the file and the difference; a truncated file is
 * MODEL_CORRUPT; a provider this build lacks is a clear error.
 */
#include <stdlib.h>
#include <string.h>

#include "infer/ort.h"
#include "infer/registry.h"
#include "testlib.h"

static const fu_providers cpu = {.names = {"cpu", NULL}, .thread_count = 1};

static void shared_models_pass_their_registry_contracts(void)
{
    const char *pairs[][2] = {{"scrfd", "models/scrfd_2.5g_bnkps.onnx"},
                              {"yunet", "models/face_detection_yunet_2023mar.onnx"}};
    for (int i = 0; i < 2; i++) {
        fu_session *s = NULL;
        fu_err err;
        const fu_model_def *def = fu_model_find(pairs[i][0]);
        REQUIRE(def && def->contract, "%s has a contract", pairs[i][0]);
        REQUIRE(fu_session_open(tl_shared(pairs[i][1]), &cpu, &s, &err) == FACEFUSE_OK, "%s", err.msg);
        CHECK(fu_session_check(s, def->contract, &err) == FACEFUSE_OK, "%s: %s", pairs[i][0], err.msg);
        CHECK(fu_session_input(s, 0)->rank == 4, "input rank");
        fu_session_close(s);
    }
}

static void wrong_shape_model_fails_contract_naming_file(void)
{
    fu_session *s = NULL;
    fu_err err;
    const char *path = tl_test_models("broken/wrong_shape.onnx");
    REQUIRE(fu_session_open(path, &cpu, &s, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fu_session_check(s, fu_model_find("scrfd")->contract, &err) == FACEFUSE_ERR_MODEL_CONTRACT, "contract");
    CHECK(strstr(err.msg, path) != NULL, "message names the file: %s", err.msg);
    /* yunet's contract fixes 12 outputs: also refused. */
    CHECK(fu_session_check(s, fu_model_find("yunet")->contract, &err) == FACEFUSE_ERR_MODEL_CONTRACT, "yunet");
    fu_session_close(s);
}

static void detector_contract_rejects_a_recognizer(void)
{
    fu_session *s = NULL;
    fu_err err;
    REQUIRE(fu_session_open(tl_shared("models/mobilefacenet.onnx"), &cpu, &s, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fu_session_check(s, fu_model_find("scrfd")->contract, &err) == FACEFUSE_ERR_MODEL_CONTRACT, "scrfd");
    /* arcface needs 512 outputs; mobilefacenet gives 128. */
    CHECK(fu_session_check(s, fu_model_find("arcface_w600k_r50")->contract, &err) == FACEFUSE_ERR_MODEL_CONTRACT,
          "arcface contract accepted a 128-d model");
    CHECK(strstr(err.msg, "512") != NULL, "names the expected size: %s", err.msg);
    fu_session_close(s);
}

static void truncated_model_is_corrupt(void)
{
    fu_session *s = NULL;
    fu_err err;
    const char *path = tl_test_models("broken/truncated.onnx");
    CHECK(fu_session_open(path, &cpu, &s, &err) == FACEFUSE_ERR_MODEL_CORRUPT, "status");
    CHECK(strstr(err.msg, path) != NULL, "names the file: %s", err.msg);
    CHECK(s == NULL, "no session");
}

static void run_gives_outputs_by_position(void)
{
    fu_session *s = NULL;
    fu_err err;
    fu_tensor in, out[9];
    REQUIRE(fu_session_open(tl_shared("models/scrfd_2.5g_bnkps.onnx"), &cpu, &s, &err) == FACEFUSE_OK, "%s", err.msg);
    memset(&in, 0, sizeof in);
    in.rank = 4;
    in.dims[0] = 1;
    in.dims[1] = 3;
    in.dims[2] = in.dims[3] = 160;
    in.data = calloc(3 * 160 * 160, sizeof(float));
    int64_t ns0 = fu_ort_run_ns();
    REQUIRE(fu_session_run(s, &in, 1, out, 9, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fu_ort_run_ns() > ns0, "run time is counted");
    /* strides 8/16/32 at 160: 20²·2, 10²·2, 5²·2 anchors. */
    CHECK(fu_tensor_numel(&out[0]) == 800 && fu_tensor_numel(&out[3]) == 3200 && fu_tensor_numel(&out[8]) == 500,
          "shapes %lld %lld %lld", (long long)fu_tensor_numel(&out[0]), (long long)fu_tensor_numel(&out[3]),
          (long long)fu_tensor_numel(&out[8]));
    for (int i = 0; i < 9; i++)
        fu_tensor_free(&out[i]);
    free(in.data);
    fu_session_close(s);
}

static void unknown_or_missing_provider_is_an_error(void)
{
    fu_err err;
    fu_providers bad = {.names = {"quantum", NULL}};
    CHECK(fu_ort_check_providers(&bad, &err) == FACEFUSE_ERR_PROVIDER && strstr(err.msg, "quantum"), "%s", err.msg);
    fu_providers coreml = {.names = {"coreml", NULL}};
    CHECK(fu_ort_check_providers(&coreml, &err) == FACEFUSE_ERR_PROVIDER && strstr(err.msg, "coreml"), "%s", err.msg);
    int n;
    const char *const *avail = fu_ort_available_providers(&n);
    int has_cpu = 0;
    for (int i = 0; i < n; i++)
        has_cpu |= strcmp(avail[i], "cpu") == 0;
    CHECK(has_cpu, "cpu is available");
}

/* --execution-device-ids names GPUs: the CPU provider has none, so a CPU
 * session stays single whatever ids are listed (a GPU provider opens one
 * replica per id and alternates Runs; no GPU here to show it). */
static void device_ids_do_not_multiply_cpu_sessions(void)
{
    fu_providers p = cpu;
    fu_session *s = NULL;
    fu_err err;
    p.device_ids[0] = 0, p.device_ids[1] = 1, p.n_devices = 2;
    REQUIRE(fu_session_open(tl_shared("models/scrfd_2.5g_bnkps.onnx"), &p, &s, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fu_session_replica_count(s) == 1, "%d CPU replicas", fu_session_replica_count(s));
    fu_session_close(s);
}

int main(void)
{
    RUN(shared_models_pass_their_registry_contracts);
    RUN(wrong_shape_model_fails_contract_naming_file);
    RUN(detector_contract_rejects_a_recognizer);
    RUN(truncated_model_is_corrupt);
    RUN(run_gives_outputs_by_position);
    RUN(unknown_or_missing_provider_is_an_error);
    RUN(device_ids_do_not_multiply_cpu_sessions);
    return tl_finish();
}
