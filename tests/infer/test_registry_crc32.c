/*
 * test_registry_crc32.c — fu_file_crc32 gives the CRC32 FaceFusion's .hash
 * files hold: checked against a bitwise CRC32 written here, independent of
 * zlib, on known bytes, an empty file and a real model.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "infer/registry.h"
#include "testlib.h"

/* Reflected CRC-32 (polynomial 0xEDB88320), one bit at a time. */
static uint32_t bitwise_crc32(const unsigned char *p, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return crc ^ 0xFFFFFFFFu;
}

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return;
    fwrite(data, 1, n, f);
    fclose(f);
}

static unsigned char *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long size;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)size + 1);
    *n = fread(buf, 1, (size_t)size, f);
    fclose(f);
    return buf;
}

static void test_check_value(void)
{
    const char *path = tl_tmp("check.bin");
    uint32_t crc = 0;
    fu_err err;

    write_bytes(path, "123456789", 9);
    REQUIRE(fu_file_crc32(path, &crc, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(crc == 0xCBF43926u, "CRC32 of 123456789 = %08x", (unsigned)crc);
    CHECK(bitwise_crc32((const unsigned char *)"123456789", 9) == 0xCBF43926u,
          "reference implementation is wrong");
}

static void test_empty_file(void)
{
    const char *path = tl_tmp("empty.bin");
    uint32_t crc = 1;
    fu_err err;

    write_bytes(path, "", 0);
    REQUIRE(fu_file_crc32(path, &crc, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(crc == 0, "CRC32 of nothing = %08x", (unsigned)crc);
}

static void test_larger_than_one_chunk(void)
{
    const char *path = tl_tmp("big.bin");
    size_t n = (3u << 20) + 12345; /* crosses the 1 MiB read chunks */
    unsigned char *buf = malloc(n);
    uint32_t crc = 0, seed = 12345;
    fu_err err;

    REQUIRE(buf, "malloc");
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        buf[i] = (unsigned char)(seed >> 16);
    }
    write_bytes(path, buf, n);
    CHECK(fu_file_crc32(path, &crc, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(crc == bitwise_crc32(buf, n), "CRC32 %08x vs %08x", (unsigned)crc,
          (unsigned)bitwise_crc32(buf, n));
    free(buf);
}

static void test_real_model(void)
{
    const char *path = tl_shared("models/scrfd_500m_bnkps.onnx");
    size_t n = 0;
    unsigned char *buf = read_all(path, &n);
    uint32_t crc = 0;
    fu_err err;

    REQUIRE(buf && n > 1000000, "cannot read %s", path);
    CHECK(fu_file_crc32(path, &crc, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(crc == bitwise_crc32(buf, n), "CRC32 of %s: %08x vs %08x", path, (unsigned)crc,
          (unsigned)bitwise_crc32(buf, n));
    free(buf);
}

static void test_missing_file_is_io_error(void)
{
    uint32_t crc;
    fu_err err;

    CHECK(fu_file_crc32(tl_tmp("nope.bin"), &crc, &err) == FACEFUSE_ERR_IO, "missing file");
    CHECK(strstr(err.msg, "nope.bin") != NULL, "message names the file: %s", err.msg);
}

int main(void)
{
    RUN(test_check_value);
    RUN(test_empty_file);
    RUN(test_larger_than_one_chunk);
    RUN(test_real_model);
    RUN(test_missing_file_is_io_error);
    return tl_finish();
}
