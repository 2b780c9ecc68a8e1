/*
 * test_onnx_initializer.c — the protobuf reader returns the exact last graph
 * initializer (the inswapper emap) for raw float32, float16 in int32_data and
 * float_data encodings, and rejects truncated or non-ONNX files with
 * FACEFUSE_ERR_MODEL_CORRUPT.
 */
#include <stdlib.h>
#include <string.h>

#include "../processors/swap_testutil.h"
#include "infer/onnx_initializer.h"

static void check_emap(const char *file, int dtype)
{
    fu_initializer t;
    fu_err err;
    fu_err_clear(&err);
    facefuse_status rc = fu_onnx_last_initializer(tl_test_models(file), &t, &err);
    REQUIRE(rc == FACEFUSE_OK, "%s: %s", file, err.msg);
    CHECK(strcmp(t.name, "emap") == 0, "%s: last initializer is %s", file, t.name);
    CHECK(t.dtype == dtype, "%s: dtype %d", file, t.dtype);
    CHECK(t.rank == 2 && t.dims[0] == 512 && t.dims[1] == 512, "%s: rank %d dims %lld %lld", file, t.rank,
          (long long)t.dims[0], (long long)t.dims[1]);
    CHECK(t.count == 512 * 512, "%s: count %lld", file, (long long)t.count);
    int wrong = 0;
    for (int i = 0; i < 512 && t.count == 512 * 512; i++)
        for (int j = 0; j < 512; j++)
            wrong += t.data[i * 512 + j] != st_emap(i, j);
    CHECK(wrong == 0, "%s: %d values differ from the generator's formula", file, wrong);
    CHECK(t.data[0] == -500 / 4096.0f && t.data[1] == st_emap(0, 1) && t.data[512 * 512 - 1] == st_emap(511, 511),
          "%s: spot values %g %g %g", file, t.data[0], t.data[1], t.data[512 * 512 - 1]);
    fu_initializer_free(&t);
}

static void test_float32_emap(void)
{
    check_emap("inswapper_128.onnx", 1);
}

static void test_float16_emap(void)
{
    check_emap("inswapper_128_fp16.onnx", 10);
}

static void test_float_data_encoding(void)
{
    const float want[6] = {1.5f, -2.0f, 0.25f, 3.0f, 4.5f, -0.125f};
    fu_initializer t;
    fu_err err;
    fu_err_clear(&err);
    REQUIRE(fu_onnx_last_initializer(tl_test_models("initializer_float_data.onnx"), &t, &err) == FACEFUSE_OK,
            "%s", err.msg);
    CHECK(strcmp(t.name, "last") == 0 && t.rank == 2 && t.dims[0] == 2 && t.dims[1] == 3 && t.count == 6,
          "got %s rank %d count %lld", t.name, t.rank, (long long)t.count);
    for (int i = 0; i < 6 && t.count == 6; i++)
        CHECK(t.data[i] == want[i], "value %d: %g", i, t.data[i]);
    fu_initializer_free(&t);
}

/* Writes the first `keep` bytes of the stand-in to a temp file. */
static const char *truncated_copy(const char *name, long keep)
{
    FILE *in = fopen(tl_test_models("inswapper_128.onnx"), "rb");
    const char *path = tl_tmp(name);
    FILE *out = fopen(path, "wb");
    char *buf = malloc((size_t)keep);
    size_t got = fread(buf, 1, (size_t)keep, in);
    fwrite(buf, 1, got, out);
    free(buf);
    fclose(in);
    fclose(out);
    return path;
}

static long file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

static void test_truncated_is_corrupt(void)
{
    long size = file_size(tl_test_models("inswapper_128.onnx"));
    const long keeps[] = {size / 2, size - 1, size - 300000, 40};
    for (size_t i = 0; i < sizeof keeps / sizeof keeps[0]; i++) {
        char name[32];
        fu_initializer t;
        fu_err err;
        fu_err_clear(&err);
        snprintf(name, sizeof name, "trunc%zu.onnx", i);
        const char *path = truncated_copy(name, keeps[i]);
        facefuse_status rc = fu_onnx_last_initializer(path, &t, &err);
        CHECK(rc == FACEFUSE_ERR_MODEL_CORRUPT, "keeping %ld of %ld bytes: status %d (%s)", keeps[i], size, rc,
              err.msg);
        CHECK(strstr(err.msg, path) != NULL, "message names the file: %s", err.msg);
        if (rc == FACEFUSE_OK)
            fu_initializer_free(&t);
    }
}

static void test_not_onnx_and_no_initializer(void)
{
    fu_initializer t;
    fu_err err;
    const char *text = tl_tmp("text.onnx");
    FILE *f = fopen(text, "wb");
    fputs("this is not a model at all\n", f);
    fclose(f);
    fu_err_clear(&err);
    CHECK(fu_onnx_last_initializer(text, &t, &err) == FACEFUSE_ERR_MODEL_CORRUPT, "text file: %s", err.msg);
    fu_err_clear(&err);
    CHECK(fu_onnx_last_initializer(tl_test_models("broken/wrong_shape.onnx"), &t, &err) == FACEFUSE_ERR_MODEL_CORRUPT,
          "graph without initializer: %s", err.msg);
    fu_err_clear(&err);
    CHECK(fu_onnx_last_initializer(tl_tmp("absent.onnx"), &t, &err) == FACEFUSE_ERR_IO, "missing file: %s", err.msg);
}

int main(void)
{
    RUN(test_float32_emap);
    RUN(test_float16_emap);
    RUN(test_float_data_encoding);
    RUN(test_truncated_is_corrupt);
    RUN(test_not_onnx_and_no_initializer);
    return tl_finish();
}
