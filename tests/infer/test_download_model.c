/*
 * test_download_model.c — fu_model_ensure downloading from a file:// mirror
 * (FACEFUSE_DOWNLOAD_BASE_URL): the model appears verified with its .hash
 * and no .download left; a bad hash at the source is MODEL_CORRUPT with
 * nothing under the final name; a partial .download is resumed; a partial
 * that does not belong is replaced; fu_download_file works on its own.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/file.h"
#include "infer/download.h"
#include "infer/registry.h"
#include "testlib.h"

static unsigned char *model_bytes;
static size_t model_size;
static uint32_t model_crc;

typedef struct progress_log {
    int calls;
    int64_t first_done, last_done, last_total;
} progress_log;

static void record_progress(const char *file, int64_t done, int64_t total, void *ud)
{
    progress_log *p = ud;
    if (p->calls++ == 0)
        p->first_done = done;
    p->last_done = done;
    p->last_total = total;
}

static int write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(data, 1, n, f) == n;
    if (f && fclose(f) != 0)
        ok = 0;
    return ok;
}

static int load_model(void)
{
    const char *path = tl_shared("models/scrfd_500m_bnkps.onnx");
    FILE *f = fopen(path, "rb");
    fu_err err;

    if (!f)
        return 0;
    fseek(f, 0, SEEK_END);
    model_size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    model_bytes = malloc(model_size);
    if (fread(model_bytes, 1, model_size, f) != model_size)
        model_size = 0;
    fclose(f);
    return model_size > 0 && fu_file_crc32(path, &model_crc, &err) == FACEFUSE_OK;
}

/* A mirror <root>/models-3.0.0/{scrfd_2.5g.onnx,scrfd_2.5g.hash} holding
 * `hash_text`, pointed at by FACEFUSE_DOWNLOAD_BASE_URL; and an empty cache. */
static void make_mirror(const char *name, const char *hash_text, fu_model_store *store)
{
    char root[PATH_MAX - 64], bucket[PATH_MAX + 16], p[PATH_MAX + 64], url[PATH_MAX + 16];

    snprintf(root, sizeof root, "%s", tl_tmp(name));
    mkdir(root, 0755);
    snprintf(bucket, sizeof bucket, "%s/models-3.0.0", root);
    mkdir(bucket, 0755);
    snprintf(p, sizeof p, "%s/scrfd_2.5g.onnx", bucket);
    write_bytes(p, model_bytes, model_size);
    snprintf(p, sizeof p, "%s/scrfd_2.5g.hash", bucket);
    write_bytes(p, hash_text, strlen(hash_text));
    snprintf(url, sizeof url, "file://%s/", root); /* trailing slash tolerated */
    setenv("FACEFUSE_DOWNLOAD_BASE_URL", url, 1);

    memset(store, 0, sizeof *store);
    snprintf(store->dir, sizeof store->dir, "%s/cache", root); /* created by ensure */
    store->allow_download = 1;
    store->providers = "github huggingface";
}

static const char *in_cache(const fu_model_store *store, const char *file)
{
    static char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", store->dir, file);
    return path;
}

static void good_hash(char *text, size_t size)
{
    snprintf(text, size, "%08x", (unsigned)model_crc);
}

static void test_download_verified(void)
{
    fu_model_store store;
    char hash[16], path[PATH_MAX + 64];
    progress_log prog = {0};
    uint32_t crc = 0;
    fu_err err;

    good_hash(hash, sizeof hash);
    make_mirror("mirror-good", hash, &store);
    store.progress = record_progress;
    store.progress_ud = &prog;
    REQUIRE(fu_model_ensure(&store, fu_model_find("scrfd"), path, sizeof path, &err) ==
                FACEFUSE_OK,
            "%s", err.msg);
    CHECK(strcmp(path, in_cache(&store, "scrfd_2.5g.onnx")) == 0, "path %s", path);
    CHECK(fu_file_crc32(path, &crc, &err) == FACEFUSE_OK && crc == model_crc, "CRC %08x",
          (unsigned)crc);
    CHECK(fu_file_exists(in_cache(&store, "scrfd_2.5g.hash")), "the .hash is kept beside it");
    CHECK(!fu_file_exists(in_cache(&store, "scrfd_2.5g.onnx.download")), ".download left");
    CHECK(!fu_file_exists(in_cache(&store, "scrfd_2.5g.hash.download")), "hash .download left");
    CHECK(prog.calls >= 1 && prog.last_done == (int64_t)model_size &&
              prog.last_total == (int64_t)model_size,
          "progress ends at %lld/%lld of %zu", (long long)prog.last_done,
          (long long)prog.last_total, model_size);

    /* Second call: cached and verified, no download (the mirror is gone). */
    setenv("FACEFUSE_DOWNLOAD_BASE_URL", "file:///nonexistent-mirror", 1);
    CHECK(fu_model_ensure(&store, fu_model_find("scrfd"), path, sizeof path, &err) == FACEFUSE_OK,
          "%s", err.msg);
}

static void test_bad_hash_at_source(void)
{
    fu_model_store store;
    char path[PATH_MAX + 64];
    fu_err err;

    make_mirror("mirror-bad", "0badc0de\n", &store);
    CHECK(fu_model_ensure(&store, fu_model_find("scrfd"), path, sizeof path, &err) ==
              FACEFUSE_ERR_MODEL_CORRUPT,
          "a download that does not match its hash was accepted");
    CHECK(strstr(err.msg, "scrfd_2.5g.onnx") != NULL, "names the file: %s", err.msg);
    CHECK(!fu_file_exists(in_cache(&store, "scrfd_2.5g.onnx")), "file under the final name");
    CHECK(!fu_file_exists(in_cache(&store, "scrfd_2.5g.onnx.download")), ".download left");
    CHECK(!fu_file_exists(in_cache(&store, "scrfd_2.5g.hash")), "bad .hash installed");
}

static void test_resume(void)
{
    fu_model_store store;
    char hash[16], path[PATH_MAX + 64];
    progress_log prog = {0};
    uint32_t crc = 0;
    fu_err err;
    size_t half = model_size / 2;

    good_hash(hash, sizeof hash);
    make_mirror("mirror-resume", hash, &store);
    mkdir(store.dir, 0755);
    REQUIRE(write_bytes(in_cache(&store, "scrfd_2.5g.onnx.download"), model_bytes, half),
            "partial file");
    store.progress = record_progress;
    store.progress_ud = &prog;
    REQUIRE(fu_model_ensure(&store, fu_model_find("scrfd"), path, sizeof path, &err) ==
                FACEFUSE_OK,
            "%s", err.msg);
    CHECK(fu_file_crc32(path, &crc, &err) == FACEFUSE_OK && crc == model_crc, "CRC %08x",
          (unsigned)crc);
    CHECK(prog.calls >= 1 && prog.first_done >= (int64_t)half,
          "transfer started at %lld, not at the %zu bytes already there",
          (long long)prog.first_done, half);
    CHECK(!fu_file_exists(in_cache(&store, "scrfd_2.5g.onnx.download")), ".download left");
}

static void test_foreign_partial_is_replaced(void)
{
    fu_model_store store;
    char hash[16], path[PATH_MAX + 64];
    unsigned char *junk;
    uint32_t crc = 0;
    fu_err err;

    good_hash(hash, sizeof hash);
    /* Half of wrong bytes: resuming gives a file that fails its hash. */
    make_mirror("mirror-foreign", hash, &store);
    mkdir(store.dir, 0755);
    junk = calloc(1, model_size / 2);
    REQUIRE(junk, "calloc");
    write_bytes(in_cache(&store, "scrfd_2.5g.onnx.download"), junk, model_size / 2);
    free(junk);
    CHECK(fu_model_ensure(&store, fu_model_find("scrfd"), path, sizeof path, &err) == FACEFUSE_OK,
          "%s", err.msg);
    CHECK(fu_file_crc32(in_cache(&store, "scrfd_2.5g.onnx"), &crc, &err) == FACEFUSE_OK &&
              crc == model_crc,
          "CRC %08x", (unsigned)crc);

    /* A partial longer than the source cannot be resumed: started over. */
    make_mirror("mirror-long", hash, &store);
    mkdir(store.dir, 0755);
    junk = calloc(1, model_size + 100);
    REQUIRE(junk, "calloc");
    write_bytes(in_cache(&store, "scrfd_2.5g.onnx.download"), junk, model_size + 100);
    free(junk);
    CHECK(fu_model_ensure(&store, fu_model_find("scrfd"), path, sizeof path, &err) == FACEFUSE_OK,
          "%s", err.msg);
    CHECK(fu_file_crc32(in_cache(&store, "scrfd_2.5g.onnx"), &crc, &err) == FACEFUSE_OK &&
              crc == model_crc,
          "CRC %08x", (unsigned)crc);
}

static void test_source_without_file(void)
{
    fu_model_store store;
    char path[PATH_MAX + 64];
    fu_err err;

    make_mirror("mirror-empty", "00000000", &store);
    /* inswapper_128 is not on this mirror at all. */
    CHECK(fu_model_ensure(&store, fu_model_find("inswapper_128"), path, sizeof path, &err) ==
              FACEFUSE_ERR_MODEL_MISSING,
          "a model no source has is missing");
    CHECK(strstr(err.msg, "inswapper_128.onnx") && strstr(err.msg, store.dir) &&
              strstr(err.msg, "file://"),
          "names the file, the URL and the directory: %s", err.msg);
    CHECK(strchr(err.msg, '\n') == NULL, "one line: %s", err.msg);
}

static void test_download_file_alone(void)
{
    char src[PATH_MAX], dest[PATH_MAX], part[PATH_MAX + 16], url[PATH_MAX + 16];
    uint32_t crc = 0;
    progress_log prog = {0};
    fu_err err;

    snprintf(src, sizeof src, "%s", tl_tmp("alone-src.bin"));
    snprintf(dest, sizeof dest, "%s", tl_tmp("alone-dest.bin"));
    write_bytes(src, model_bytes, model_size);
    snprintf(url, sizeof url, "file://%s", src);
    REQUIRE(fu_download_file(url, dest, record_progress, &prog, &err) == FACEFUSE_OK, "%s",
            err.msg);
    CHECK(fu_file_crc32(dest, &crc, &err) == FACEFUSE_OK && crc == model_crc, "CRC %08x",
          (unsigned)crc);
    snprintf(part, sizeof part, "%s.download", dest);
    CHECK(!fu_file_exists(part), ".download left");
    CHECK(prog.last_done == (int64_t)model_size, "progress reached %lld",
          (long long)prog.last_done);

    snprintf(url, sizeof url, "file://%s", tl_tmp("no-such-source"));
    CHECK(fu_download_file(url, tl_tmp("never.bin"), NULL, NULL, &err) == FACEFUSE_ERR_DOWNLOAD,
          "missing source");
    CHECK(strstr(err.msg, "no-such-source") != NULL, "names the URL: %s", err.msg);
    CHECK(!fu_file_exists(tl_tmp("never.bin")), "nothing under the final name");
}

int main(void)
{
    if (!load_model()) {
        fprintf(stderr, "cannot read the shared model\n");
        return 1;
    }
    RUN(test_download_verified);
    RUN(test_bad_hash_at_source);
    RUN(test_resume);
    RUN(test_foreign_partial_is_replaced);
    RUN(test_source_without_file);
    RUN(test_download_file_alone);
    free(model_bytes);
    return tl_finish();
}
