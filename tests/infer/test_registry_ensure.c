/*
 * test_registry_ensure.c — fu_model_ensure on files already in the cache:
 * a matching .hash passes, a wrong one is MODEL_CORRUPT naming the file, no
 * .hash passes with one warning, and an absent model with downloads off is
 * MODEL_MISSING naming the file and the directory.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/file.h"
#include "core/log.h"
#include "infer/registry.h"
#include "testlib.h"

static int warnings;

static void count_warnings(facefuse_log_level level, const char *message, void *ud)
{
    if (level == FACEFUSE_LOG_WARN)
        warnings++;
}

static int copy_file(const char *from, const char *to)
{
    char buf[65536];
    size_t n;
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    int ok = in && out;

    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, n, out) == n;
    if (in)
        fclose(in);
    if (out && fclose(out) != 0)
        ok = 0;
    return ok;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* A fresh cache directory holding scrfd_2.5g.onnx (bytes of a shared model). */
static void make_cache(const char *name, fu_model_store *store)
{
    char model[PATH_MAX + 32];

    memset(store, 0, sizeof *store);
    snprintf(store->dir, sizeof store->dir, "%s", tl_tmp(name));
    mkdir(store->dir, 0755);
    snprintf(model, sizeof model, "%s/scrfd_2.5g.onnx", store->dir);
    copy_file(tl_shared("models/scrfd_500m_bnkps.onnx"), model);
    store->allow_download = 0;
    store->providers = "github huggingface";
}

static void hash_path(const fu_model_store *store, char *out, size_t size)
{
    snprintf(out, size, "%s/scrfd_2.5g.hash", store->dir);
}

static void test_present_with_matching_hash(void)
{
    fu_model_store store;
    char hp[PATH_MAX + 32], text[32], path[PATH_MAX + 64];
    uint32_t crc;
    fu_err err;
    const fu_model_def *m = fu_model_find("scrfd");

    make_cache("good", &store);
    REQUIRE(fu_file_crc32(tl_shared("models/scrfd_500m_bnkps.onnx"), &crc, &err) == FACEFUSE_OK,
            "%s", err.msg);
    hash_path(&store, hp, sizeof hp);
    snprintf(text, sizeof text, "%08x\n", (unsigned)crc); /* trailing newline tolerated */
    write_text(hp, text);
    warnings = 0;
    CHECK(fu_model_ensure(&store, m, path, sizeof path, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(strstr(path, store.dir) == path && strstr(path, "/scrfd_2.5g.onnx"), "path %s", path);
    CHECK(warnings == 0, "a verified model is not warned about");
}

static void test_present_with_wrong_hash(void)
{
    fu_model_store store;
    char hp[PATH_MAX + 32], path[PATH_MAX + 64], model[PATH_MAX + 32];
    fu_err err;
    const fu_model_def *m = fu_model_find("scrfd");

    make_cache("bad", &store);
    hash_path(&store, hp, sizeof hp);
    write_text(hp, "0badc0de");
    CHECK(fu_model_ensure(&store, m, path, sizeof path, &err) == FACEFUSE_ERR_MODEL_CORRUPT,
          "wrong hash accepted");
    CHECK(strstr(err.msg, "scrfd_2.5g.onnx") != NULL, "message names the file: %s", err.msg);
    CHECK(strchr(err.msg, '\n') == NULL, "one line: %s", err.msg);
    snprintf(model, sizeof model, "%s/scrfd_2.5g.onnx", store.dir);
    CHECK(fu_file_exists(model), "the file is left in place");
}

static void test_malformed_hash(void)
{
    fu_model_store store;
    char hp[PATH_MAX + 32], path[PATH_MAX + 64];
    fu_err err;

    make_cache("malformed", &store);
    hash_path(&store, hp, sizeof hp);
    write_text(hp, "<html>not found</html>");
    CHECK(fu_model_ensure(&store, fu_model_find("scrfd"), path, sizeof path, &err) ==
              FACEFUSE_ERR_MODEL_CORRUPT,
          "a malformed hash file is not a pass");
    CHECK(strstr(err.msg, "scrfd_2.5g.hash") != NULL, "message names the hash file: %s",
          err.msg);
}

static void test_present_without_hash_warns_once(void)
{
    fu_model_store store;
    char path[PATH_MAX + 64];
    fu_err err;
    const fu_model_def *m = fu_model_find("scrfd");

    make_cache("nohash", &store);
    warnings = 0;
    CHECK(fu_model_ensure(&store, m, path, sizeof path, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fu_model_ensure(&store, m, path, sizeof path, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(warnings == 1, "%d unverified warnings for one file, expected 1", warnings);
}

static void test_absent_without_downloads(void)
{
    fu_model_store store;
    char path[PATH_MAX + 64];
    fu_err err;
    const fu_model_def *m = fu_model_find("inswapper_128");

    make_cache("absent", &store);
    CHECK(fu_model_ensure(&store, m, path, sizeof path, &err) == FACEFUSE_ERR_MODEL_MISSING,
          "absent model not reported missing");
    CHECK(strstr(err.msg, "inswapper_128.onnx") != NULL, "names the file: %s", err.msg);
    CHECK(strstr(err.msg, store.dir) != NULL, "names the directory: %s", err.msg);
    CHECK(strchr(err.msg, '\n') == NULL, "one line: %s", err.msg);
}

static void test_small_path_buffer(void)
{
    fu_model_store store;
    char path[8];
    fu_err err;

    make_cache("small", &store);
    CHECK(fu_model_ensure(&store, fu_model_find("scrfd"), path, sizeof path, &err) ==
              FACEFUSE_ERR_INVALID_ARGUMENT,
          "a path that does not fit is an error, not a truncation");
}

int main(void)
{
    fu_log_set(FACEFUSE_LOG_INFO, count_warnings, NULL);
    RUN(test_present_with_matching_hash);
    RUN(test_present_with_wrong_hash);
    RUN(test_malformed_hash);
    RUN(test_present_without_hash_warns_once);
    RUN(test_absent_without_downloads);
    RUN(test_small_path_buffer);
    return tl_finish();
}
